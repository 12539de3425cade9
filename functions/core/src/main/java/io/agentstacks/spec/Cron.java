package io.agentstacks.spec;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The cron syntax of Auto Scaling scheduled actions ({@code Recurrence}): five fields separated by
 * spaces — minute, hour, day of month, month, day of week — each a list of {@code *}, values or ranges,
 * optionally with a {@code /step}. Months and days may be named ({@code JAN}, {@code MON}, any case).
 *
 * <p>One set of regular expressions serves both the reader's messages (which field is wrong) and the
 * JSON Schema's {@code pattern}, so the two cannot disagree.
 */
public final class Cron {

    private static final List<String> MONTHS =
            List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    /** One field of the expression: its name and the regular expression of one value. */
    record Field(String name, String value) {

        /** {@code *} or a value or range, with an optional step; then more of those after commas. */
        String regex() {
            String element = "(\\*|(" + value + ")(-(" + value + "))?)(/[1-9][0-9]?)?";
            return element + "(," + element + ")*";
        }
    }

    static final List<Field> FIELDS = List.of(
            new Field("minute", "[0-5]?[0-9]"),
            new Field("hour", "[01]?[0-9]|2[0-3]"),
            new Field("day of month", "0?[1-9]|[12][0-9]|3[01]"),
            new Field("month", "0?[1-9]|1[0-2]|" + names(MONTHS)),
            new Field("day of week", "[0-6]|" + names(DAYS)));

    /** The whole expression, anchored; usable as a Java and an ECMA-262 regular expression. */
    public static final String PATTERN = FIELDS.stream().map(f -> "(" + f.regex() + ")")
            .collect(Collectors.joining(" +", "^", "$"));

    private static final List<Pattern> FIELD_PATTERNS =
            FIELDS.stream().map(f -> Pattern.compile("^(" + f.regex() + ")$")).toList();

    private Cron() {
    }

    /** What is wrong with {@code expression}, or empty when Auto Scaling accepts its syntax. */
    public static Optional<String> problem(String expression) {
        String[] parts = expression.isEmpty() ? new String[0] : expression.split(" +", -1);
        if (expression.startsWith(" ") || expression.endsWith(" ") || parts.length != FIELDS.size()) {
            return Optional.of("must have 5 fields separated by spaces (minute hour day-of-month month day-of-week)"
                    + ", like \"0 8 * * MON-FRI\"");
        }
        for (int i = 0; i < parts.length; i++) {
            if (!FIELD_PATTERNS.get(i).matcher(parts[i]).matches()) {
                return Optional.of("field " + (i + 1) + " (" + FIELDS.get(i).name() + ") \"" + parts[i]
                        + "\" is not valid: use *, values, ranges (a-b), lists (a,b) and steps (/n)");
            }
        }
        return Optional.empty();
    }

    /** {@code JAN|FEB|...}, each letter matching either case: ECMA-262 patterns have no inline flags. */
    private static String names(List<String> names) {
        return names.stream().map(Cron::anyCase).collect(Collectors.joining("|"));
    }

    private static String anyCase(String word) {
        StringBuilder sb = new StringBuilder();
        for (char c : word.toCharArray()) {
            sb.append('[').append(Character.toUpperCase(c)).append(Character.toLowerCase(c)).append(']');
        }
        return sb.toString();
    }
}
