package io.agentstacks.local;

import io.agentstacks.inmemory.InMemoryFleetControl;
import io.agentstacks.inmemory.ManualClock;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The local control plane's one clock, and what moves it: a discrete-event loop over
 *
 * <ul>
 *   <li>timers: things that happen at a simulated instant (an agent's job ends, an EventBridge delivery, a
 *       schedule's tick, CloudFormation finishing an operation);</li>
 *   <li>Auto Scaling's own transitions (instances booting, warm pools filling), asked of the fleet;</li>
 *   <li>state machine executions parked in a Wait state until a simulated instant.</li>
 * </ul>
 *
 * <p>State machines run in another process (aws-local-stepfunctions on Node) and call back into this JVM for
 * their Tasks. Time only moves when every execution in flight is parked in a Wait or has ended ("settled"):
 * an execution is in flight from its start, or from being woken, until it parks again or ends. So a Task never
 * sees the clock jump under it, and the order of what happens at one simulated instant does not depend on how
 * fast Node runs. Nothing here sleeps in simulated time; {@link #runUntil} jumps from one event to the next.
 *
 * <p>Thread-safe: timers are added from any thread (HTTP handlers, fleet listeners); one thread drives at a time.
 */
public final class SimulatedTime {

    /** How long (real time) in-flight executions may take to park or end before the driver gives up. */
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

    private record Timer(Instant at, long seq, String what, Runnable action) {
    }

    private record Sleeper(long id, Instant at, String what, LongConsumer wake) {
    }

    private final ManualClock clock;
    private final InMemoryFleetControl fleet;
    private final Object lock = new Object();
    private final Object driving = new Object();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>(
            Comparator.comparing(Timer::at).thenComparingLong(Timer::seq));
    private final Map<Long, Sleeper> sleepers = new HashMap<>();
    private final List<Supplier<Optional<String>>> healthChecks = new ArrayList<>();
    private long seq;
    private int inFlight;
    private long steps;
    private boolean driverAwaitingExecutions;
    private volatile Runnable beforeClockMoves = () -> { };

    public SimulatedTime(ManualClock clock, InMemoryFleetControl fleet) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.fleet = Objects.requireNonNull(fleet, "fleet");
    }

    public ManualClock clock() {
        return clock;
    }

    public Instant now() {
        return clock.instant();
    }

    // ---- timers ------------------------------------------------------------------------------------

    /** Runs {@code action} on the driving thread at {@code when} (now, if {@code when} is past). */
    public void at(Instant when, String what, Runnable action) {
        synchronized (lock) {
            Instant now = clock.instant();
            timers.add(new Timer(when.isBefore(now) ? now : when, seq++, what, action));
            lock.notifyAll();
        }
    }

    public void after(Duration delay, String what, Runnable action) {
        at(clock.instant().plus(delay), what, action);
    }

    /** Runs {@code action} at {@code first} and then every {@code period}, for as long as the simulation runs. */
    public void every(Instant first, Duration period, String what, Runnable action) {
        if (period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("a period must be positive: " + period);
        }
        at(first, what, () -> {
            Instant due = clock.instant();
            every(due.plus(period), period, what, action);
            action.run();
        });
    }

    // ---- executions in flight ------------------------------------------------------------------------

    /**
     * An execution starts (or is about to): time stands still until it parks or ends. Answers the instant it starts
     * at, read under the same lock that moves the clock, so the clock cannot move between the two.
     */
    public Instant executionStarted() {
        synchronized (lock) {
            inFlight++;
            return clock.instant();
        }
    }

    /** An execution ended. */
    public void executionEnded() {
        synchronized (lock) {
            inFlight--;
            if (inFlight < 0) {
                throw new IllegalStateException("more executions ended than started");
            }
            lock.notifyAll();
        }
    }

    /**
     * An execution parks in a Wait until {@code wakeAt}; {@code wake} (run on the driving thread with the parking's
     * id, the execution counted in flight again) lets it go on. Answers the parking's id.
     */
    public long park(Instant wakeAt, String what, LongConsumer wake) {
        synchronized (lock) {
            long id = seq++;
            sleepers.put(id, new Sleeper(id, wakeAt, what, wake));
            inFlight--;
            if (inFlight < 0) {
                throw new IllegalStateException("an execution parked that was not in flight");
            }
            lock.notifyAll();
            return id;
        }
    }

    /** Something that can tell why executions will never settle (e.g. the Node process died). */
    public void healthCheck(Supplier<Optional<String>> check) {
        synchronized (lock) {
            healthChecks.add(check);
        }
    }

    public int inFlight() {
        synchronized (lock) {
            return inFlight;
        }
    }

    public int parked() {
        synchronized (lock) {
            return sleepers.size();
        }
    }

    /** Steps taken so far (timers run, fleet transitions applied, executions woken). */
    public long steps() {
        synchronized (lock) {
            return steps;
        }
    }

    // ---- driving -------------------------------------------------------------------------------------

    /** Runs everything due up to and including {@code end}, in time order; the clock is then at {@code end}. */
    public void runUntil(Instant end) {
        runUntil(() -> false, end);
    }

    /** Advances by {@code d}. */
    public void advance(Duration d) {
        runUntil(clock.instant().plus(d));
    }

    /**
     * Runs events until {@code done} holds (checked after every step) or the clock would pass {@code limit}.
     *
     * @return true when {@code done} held
     */
    public boolean runUntil(BooleanSupplier done, Instant limit) {
        synchronized (driving) {
            while (true) {
                awaitSettled();
                if (done.getAsBoolean()) {
                    return true;
                }
                Timer timer;
                Sleeper sleeper;
                Optional<Instant> fleetNext = fleet.nextEventAt();
                synchronized (lock) {
                    timer = timers.peek();
                    sleeper = sleepers.values().stream()
                            .min(Comparator.comparing(Sleeper::at).thenComparingLong(Sleeper::id)).orElse(null);
                }
                Instant next = null;
                int kind = 0;
                if (timer != null) {
                    next = timer.at();
                    kind = 1;
                }
                if (fleetNext.isPresent() && (next == null || fleetNext.get().isBefore(next))) {
                    next = fleetNext.get();
                    kind = 2;
                }
                if (sleeper != null && (next == null || sleeper.at().isBefore(next))) {
                    next = sleeper.at();
                    kind = 3;
                }
                if (next == null || next.isAfter(limit)) {
                    if (!moveClockIfSettled(limit)) {
                        continue;
                    }
                    fleet.settle();
                    awaitSettled();
                    return done.getAsBoolean();
                }
                if (!moveClockIfSettled(next)) {
                    continue;
                }
                synchronized (lock) {
                    steps++;
                }
                switch (kind) {
                    case 1 -> {
                        synchronized (lock) {
                            timers.remove(timer);
                        }
                        timer.action().run();
                    }
                    case 2 -> fleet.settle();
                    default -> {
                        synchronized (lock) {
                            sleepers.remove(sleeper.id());
                            inFlight++;
                        }
                        sleeper.wake().accept(sleeper.id());
                    }
                }
            }
        }
    }

    /**
     * Moves the clock forward to {@code to}, unless an execution started (an API request on another thread) since
     * the driver last saw every execution settled: then the clock stays, and the driver waits for it and looks again.
     */
    private boolean moveClockIfSettled(Instant to) {
        beforeClockMoves.run();
        synchronized (lock) {
            if (inFlight > 0) {
                return false;
            }
            if (to.isAfter(clock.instant())) {
                clock.set(to);
            }
            return true;
        }
    }

    /** For tests: runs on the driving thread just before the clock moves (where another thread may start an execution). */
    void beforeClockMoves(Runnable hook) {
        beforeClockMoves = Objects.requireNonNull(hook, "hook");
    }

    /** For tests: whether the driver is waiting for executions in flight to park or end. */
    boolean driverAwaitingExecutions() {
        synchronized (lock) {
            return driverAwaitingExecutions;
        }
    }

    /** Waits (real time, bounded) until no execution is in flight. */
    private void awaitSettled() {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        synchronized (lock) {
            try {
                driverAwaitingExecutions = true;
                awaitNoneInFlight(deadline);
            } finally {
                driverAwaitingExecutions = false;
            }
        }
    }

    private void awaitNoneInFlight(long deadline) {
        synchronized (lock) {
            while (inFlight > 0) {
                for (Supplier<Optional<String>> check : healthChecks) {
                    Optional<String> problem = check.get();
                    if (problem.isPresent()) {
                        throw new IllegalStateException("the simulation cannot go on: " + problem.get());
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(inFlight + " state machine execution(s) neither parked nor ended within "
                            + SETTLE_TIMEOUT.toSeconds() + " s (real time) at simulated " + clock.instant());
                }
                try {
                    lock.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while executions were in flight", e);
                }
            }
        }
    }
}
