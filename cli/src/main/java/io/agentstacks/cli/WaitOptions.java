package io.agentstacks.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** {@code --wait}, {@code --timeout} and {@code --poll-interval}, shared by apply and delete. */
public final class WaitOptions {

    @Option(names = "--wait", description = "Show progress until the stack is ACTIVE (apply) or DELETED (delete), or FAILED.")
    boolean wait;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30m", converter = DurationConverter.class,
            description = "How long --wait waits, e.g. 45m, 2h, 90s (default: ${DEFAULT-VALUE}).")
    Duration timeout = Duration.ofMinutes(30);

    @Option(names = "--poll-interval", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "How often --wait reads the stack (default: ${DEFAULT-VALUE}).")
    Duration pollInterval = Duration.ofSeconds(10);

    /** {@code 90s}, {@code 45m}, {@code 2h}, or ISO-8601 ({@code PT1H30M}). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            try {
                if (v.matches("\\d+[smh]")) {
                    long n = Long.parseLong(v.substring(0, v.length() - 1));
                    return switch (v.charAt(v.length() - 1)) {
                        case 's' -> Duration.ofSeconds(n);
                        case 'm' -> Duration.ofMinutes(n);
                        default -> Duration.ofHours(n);
                    };
                }
                Duration d = Duration.parse(value.trim().toUpperCase(Locale.ROOT));
                if (d.isNegative()) {
                    throw new CommandLine.TypeConversionException("'" + value + "' is negative");
                }
                return d;
            } catch (DateTimeParseException | NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration such as 90s, 45m or 2h");
            }
        }
    }
}
