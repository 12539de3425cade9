package io.agentstacks.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.TreeSet;

/** Reads {@code statemachines/<name>.asl.json} and checks that the substitutions fill every placeholder. */
final class StateMachineDefinitions {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9]+)}");

    private StateMachineDefinitions() {
    }

    /**
     * @return the definition text, placeholders left in place for DefinitionSubstitutions
     * @throws IllegalArgumentException when the file is missing, or names a placeholder the substitutions
     *                                  lack, or the substitutions name one it does not use
     */
    static String read(Path file, Map<String, String> substitutions) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("state machine definition " + file + " is missing");
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TreeSet<String> used = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            used.add(m.group(1));
        }
        if (!used.equals(new TreeSet<>(substitutions.keySet()))) {
            throw new IllegalArgumentException(file.getFileName() + " uses the placeholders " + used
                    + " but infra substitutes " + new TreeSet<>(substitutions.keySet()));
        }
        return text;
    }
}
