package io.agentstacks.local.server;

import io.agentstacks.events.DomainEvent;
import io.agentstacks.local.LocalControlPlane;
import io.agentstacks.local.aws.LocalCloudFormation;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.token.TokenRotation;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One line per thing a user of {@code agent-stacks local} wants to see, stamped with the simulated time: the
 * control plane's events (a stack ready, failed or deleted, a scaling call, a token refused or replaced, Mac
 * hosts allocated or released) and each change of a group's desired, in-service or warm counts (checked every
 * {@link #GROUP_CHECK} of simulated time). No line holds a token.
 */
public final class LocalReporter {

    static final Duration GROUP_CHECK = Duration.ofSeconds(5);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private final LocalControlPlane cp;
    private final Consumer<String> out;
    private final Map<String, String> lastGroupLine = new HashMap<>();

    private LocalReporter(LocalControlPlane cp, Consumer<String> out) {
        this.cp = cp;
        this.out = out;
    }

    public static LocalReporter attach(LocalControlPlane cp, Consumer<String> out) {
        LocalReporter r = new LocalReporter(Objects.requireNonNull(cp, "cp"), Objects.requireNonNull(out, "out"));
        cp.events().subscribe(r::event);
        cp.time().every(cp.now().plus(GROUP_CHECK), GROUP_CHECK, "report groups", r::groups);
        return r;
    }

    /** {@code [12:04:00] text}, stamped with the simulated time (UTC). */
    public String stamped(String text) {
        return "[" + STAMP.format(cp.now()) + "] " + text;
    }

    private void event(DomainEvent e) {
        describe(e).ifPresent(text -> out.accept(stamped(e.stack() + ": " + text)));
    }

    static Optional<String> describe(DomainEvent e) {
        if (e instanceof DomainEvent.StackReady r) {
            return Optional.of("spec version " + r.specVersion() + " is ACTIVE (group " + r.groupName() + ")");
        }
        if (e instanceof DomainEvent.StackFailed f) {
            return Optional.of("spec version " + f.specVersion() + " FAILED: " + f.reason());
        }
        if (e instanceof DomainEvent.StackDeleted d) {
            return Optional.of("DELETED");
        }
        if (e instanceof DomainEvent.ScalingDecision d && d.action().equals("scale")) {
            return Optional.of("scaler sets desired " + d.previousDesired() + " -> " + d.desired() + " (" + d.reason() + ")");
        }
        if (e instanceof DomainEvent.TokenRejected t) {
            if (t.source().equals(TokenRotation.SOURCE_ROTATION)) {
                // set-token's candidate was refused: the stored token is unchanged and still in use.
                return Optional.of("Semaphore refuses the new token given for " + t.parameterName() + " (HTTP "
                        + t.httpStatus() + "); the parameter is unchanged");
            }
            return Optional.of("Semaphore refuses the token in " + t.parameterName() + " (HTTP " + t.httpStatus() + ")");
        }
        if (e instanceof DomainEvent.TokenRotated t) {
            return Optional.of("token replaced: " + t.parameterName() + " version " + t.parameterVersion());
        }
        if (e instanceof DomainEvent.MacHostsAllocated h) {
            return Optional.of("Mac hosts allocated: " + String.join(", ", h.hostIds()));
        }
        if (e instanceof DomainEvent.MacHostReleased h) {
            return Optional.of("Mac host " + h.hostId() + " " + h.outcome() + h.reason().map(r -> ": " + r).orElse(""));
        }
        return Optional.empty();
    }

    private void groups() {
        for (StackRecord r : cp.registry().all()) {
            Optional<LocalCloudFormation.GroupView> g = cp.group(r.name());
            String line = g.map(v -> "group desired " + v.desiredCapacity() + ", in service " + v.inService()
                    + (v.pending() > 0 ? ", launching " + v.pending() : "") + ", warm " + v.warm()).orElse("");
            String before = lastGroupLine.put(r.name(), line);
            if (!line.isEmpty() && !line.equals(before)) {
                out.accept(stamped(r.name() + ": " + line));
            }
        }
    }
}
