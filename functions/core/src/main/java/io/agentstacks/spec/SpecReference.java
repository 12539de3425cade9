package io.agentstacks.spec;

import java.util.stream.Collectors;

/**
 * The README's spec reference table, rendered from {@link SpecFields}: one row per field path with its
 * type, default, the older tool's key and a description. A test keeps the README's copy equal to it.
 */
public final class SpecReference {

    private SpecReference() {
    }

    /** A Markdown table, one row per field, in registry order. */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("| Field | Type | Default | Older key | Description |\n");
        sb.append("|---|---|---|---|---|\n");
        for (SpecField f : SpecFields.all()) {
            sb.append("| `").append(f.path()).append("` | ")
                    .append(type(f)).append(" | ")
                    .append(defaultOf(f)).append(" | ")
                    .append(f.legacyKey().map(k -> "`" + k + "`").orElse("new")).append(" | ")
                    .append(description(f)).append(" |\n");
        }
        return sb.toString();
    }

    private static String type(SpecField f) {
        String label = f.type().label();
        if (f.type() == SpecField.Type.INTEGER || f.type() == SpecField.Type.NUMBER) {
            String range = f.minimum().getAsLong() + "–" + f.maximum().getAsLong();
            return label + " " + (f.zeroAllowed() ? "0 or " + range : range);
        }
        if (f.maxItems().isPresent() && f.type() != SpecField.Type.OBJECT) {
            return label + ", at most " + f.maxItems().getAsInt();
        }
        return label;
    }

    private static String defaultOf(SpecField f) {
        if (f.isRequired()) {
            return "required";
        }
        if (f.defaultText().isPresent()) {
            return f.defaultText().get();
        }
        return f.defaultValue().map(v -> "`" + v + "`").orElse("unset");
    }

    private static String description(SpecField f) {
        String text = f.description();
        if (!f.allowedValues().isEmpty() && f.listValuesInDocs()) {
            text += " One of " + f.allowedValues().stream().map(v -> "`" + v + "`").collect(Collectors.joining(", "))
                    + ".";
        }
        return text.replace("|", "\\|");
    }
}
