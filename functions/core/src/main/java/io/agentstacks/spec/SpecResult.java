package io.agentstacks.spec;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of reading a spec: the model when it is valid, every violation when it is not, and
 * warnings either way.
 *
 * @param legacy true when the input was the older tool's {@code SEMAPHORE_*} configuration
 */
public record SpecResult(Optional<StackSpec> spec, List<Violation> violations, List<Violation> warnings, boolean legacy) {

    public SpecResult {
        Objects.requireNonNull(spec, "spec");
        violations = List.copyOf(violations);
        warnings = List.copyOf(warnings);
        if (spec.isPresent() == !violations.isEmpty()) {
            throw new IllegalArgumentException("a result has a spec exactly when it has no violations");
        }
    }

    public static SpecResult valid(StackSpec spec, List<Violation> warnings, boolean legacy) {
        return new SpecResult(Optional.of(spec), List.of(), warnings, legacy);
    }

    public static SpecResult invalid(List<Violation> violations, List<Violation> warnings, boolean legacy) {
        return new SpecResult(Optional.empty(), violations, warnings, legacy);
    }

    public boolean isValid() {
        return spec.isPresent();
    }
}
