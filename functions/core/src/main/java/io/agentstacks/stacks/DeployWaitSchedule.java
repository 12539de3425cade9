package io.agentstacks.stacks;

import io.agentstacks.spec.OperatingSystem;

import java.time.Duration;
import java.time.Instant;

/**
 * How long the provision-stack and destroy-stack workflows wait between looks at a CloudFormation stack (or a
 * draining group), and how long they wait in all. Not the demand poll: that is the poller's own grid.
 *
 * <p>Waits grow from 10 s by half each time up to a minute: a Linux stack is usually done within a few
 * minutes, and a long Windows or macOS one is not looked at more than once a minute. Budgets are per OS
 * family, counted from the execution's start: agents on Windows and macOS boot far slower, and a Mac
 * dedicated host must be found first.
 */
public final class DeployWaitSchedule {

    public static final int FIRST_WAIT_SECONDS = 10;
    public static final int MAX_WAIT_SECONDS = 60;

    /** Time for running jobs to finish before a stack's group is deleted. */
    public static final Duration DRAIN_BUDGET = Duration.ofHours(2);

    private DeployWaitSchedule() {
    }

    /** Seconds to wait before look number {@code attempt + 1}: 10, 15, 22, 33, 50, 60, 60... */
    public static int waitSeconds(int attempt) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must not be negative: " + attempt);
        }
        double wait = FIRST_WAIT_SECONDS * Math.pow(1.5, Math.min(attempt, 16));
        return (int) Math.min(MAX_WAIT_SECONDS, Math.floor(wait));
    }

    /** CloudFormation create or update of an agent stack: Linux 30 min, Windows 60 min, macOS 3 h. */
    public static Duration provisionBudget(OperatingSystem.Family family) {
        return switch (family) {
            case LINUX -> Duration.ofMinutes(30);
            case WINDOWS -> Duration.ofMinutes(60);
            case MACOS -> Duration.ofHours(3);
        };
    }

    /** Draining the group ({@link #DRAIN_BUDGET}) and then deleting the stack (the provision budget). */
    public static Duration destroyBudget(OperatingSystem.Family family) {
        return DRAIN_BUDGET.plus(provisionBudget(family));
    }

    public static Instant provisionDeadline(OperatingSystem.Family family, Instant startedAt) {
        return startedAt.plus(provisionBudget(family));
    }

    public static Instant destroyDeadline(OperatingSystem.Family family, Instant startedAt) {
        return startedAt.plus(destroyBudget(family));
    }
}
