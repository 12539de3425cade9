package io.agentstacks.demandpoller;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.agentstacks.demand.ChangeDetector;
import io.agentstacks.demand.Demand;
import io.agentstacks.demand.DemandSource;
import io.agentstacks.demand.Observation;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventSink;
import io.agentstacks.metrics.EmbeddedMetrics;
import io.agentstacks.metrics.EmbeddedMetrics.Metric;
import io.agentstacks.stacks.DemandSnapshot;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackStatus;
import io.agentstacks.stacks.StackTransitions;
import io.agentstacks.token.StoredToken;
import io.agentstacks.token.TokenRotation;
import io.agentstacks.token.TokenStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The demand-poller's work, over ports: reads the demand of every live stack that is due at this second
 * of the minute, concurrently (at most {@link Settings#parallelism()} at once, each stack bounded by
 * {@link Settings#perStackTimeout()} from the moment its own poll starts), and puts a {@code DemandObserved} event per stack whose demand
 * changed or whose last event is about to be a minute old, and a {@code TokenRejected} event when
 * Semaphore refuses a token. Events go out in batches as stacks answer, so a slow stack never holds back
 * another's event. Writes {@code JobCount} and {@code AgentCount} metrics (the older tool's names) and a
 * {@code DemandPollFailed} metric per failure.
 *
 * <p><b>Slow stacks.</b> A stack's deadline starts when its poll starts, not when it is queued, and a stack that
 * misses it gives up its place at once: the next due stack starts then, on a thread of its own, while the late
 * poll's thread runs on until the call it is in returns (the adapters bound their own calls: the Semaphore client's
 * connect and request timeouts, the SDK's attempt and call timeouts) and its answer is dropped. So a poll that hangs
 * holds back neither the stacks queued behind it nor the next tick's. The deadline is kept although the adapters
 * bound their calls, because a poll is several calls (token, Semaphore, on a refusal the token again and Semaphore
 * again) and the tick has one minute for every stack.
 *
 * <p>A token Semaphore refuses is read again from SSM past the token cache before anything is decided:
 * a rotation done by the token-rotator in another process would otherwise be undone by this process's cached
 * old token. The stack is marked DEGRADED, and a {@code TokenRejected} event put, only when the token the
 * parameter holds now is refused, that token is not older than the version the registry records as rotated
 * in, and the stack is not DEGRADED already (one event per move to DEGRADED, not one per poll).
 *
 * <p>Registry writes (last published demand; DEGRADED on a rejected token, ACTIVE again on an accepted
 * one) go through {@link StackRegistry#update}. A write that fails is logged with a {@code RegistryWriteFailed}
 * metric for its stack and never fails the invocation: the other stacks' writes and the answer go on.
 */
public final class DemandPoller implements AutoCloseable {

    /** Concurrency and time bounds. */
    public record Settings(int parallelism, Duration perStackTimeout) {
        public Settings {
            if (parallelism < 1) {
                throw new IllegalArgumentException("parallelism must be at least 1");
            }
            Objects.requireNonNull(perStackTimeout, "perStackTimeout");
        }

        /** 16 stacks at once; 4 s per stack (token read plus the 2 s Semaphore call, with room). */
        public static Settings defaults() {
            return new Settings(16, Duration.ofSeconds(4));
        }
    }

    private static final int MINUTE = 60;
    /** A tick more than this late is skipped: the next one is nearer. */
    private static final int LATE_TOLERANCE_SECONDS = 1;

    private final StackRegistry registry;
    private final TokenStore tokens;
    private final DemandSource semaphore;
    private final EventSink events;
    private final Clock clock;
    private final Consumer<String> log;
    private final Settings settings;
    private final ExecutorService pool;
    private final ExecutorService writers;

    public DemandPoller(StackRegistry registry, TokenStore tokens, DemandSource semaphore, EventSink events, Clock clock,
                        Consumer<String> log, Settings settings) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.semaphore = Objects.requireNonNull(semaphore, "semaphore");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.log = Objects.requireNonNull(log, "log");
        this.settings = Objects.requireNonNull(settings, "settings");
        // Not a fixed pool: how many stacks poll at once is bounded per poll (startNext), and a poll past its
        // deadline must not keep a thread that a later stack would wait for.
        this.pool = Executors.newCachedThreadPool(daemonThreads("demand-poll-"));
        // Registry writes have their own threads: a stuck poll must not hold a write back.
        this.writers = Executors.newFixedThreadPool(4, daemonThreads("demand-write-"));
    }

    /**
     * What polling one stack gave: an observation and the parameter version of the token shown to Semaphore,
     * or why there is none ({@code failureKind}: {@code token-unreadable}, {@code token-missing}, {@code timeout}).
     */
    private record StackPoll(StackRecord record, Optional<Observation> observation, long tokenVersion,
                             String failureKind, String failure) {
        static StackPoll of(StackRecord r, Observation o, long tokenVersion) {
            return new StackPoll(r, Optional.of(o), tokenVersion, "", "");
        }

        static StackPoll failed(StackRecord r, String kind, String why) {
            return new StackPoll(r, Optional.empty(), NO_TOKEN, kind, why);
        }
    }

    /** The token version of a poll that showed Semaphore no token. */
    private static final long NO_TOKEN = -1;

    public PollResult poll(PollRequest request) {
        Instant started = clock.instant();
        List<StackRecord> live = registry.listLive().stream().filter(r -> r.groupName().isPresent()).toList();
        List<StackRecord> due;
        int next;
        if (request.single()) {
            due = live;
            next = MINUTE;
        } else {
            double elapsed = Duration.between(request.scheduledTime(), started).toMillis() / 1000.0;
            if (elapsed >= MINUTE) {
                // The next minute's execution has started: polling now would overlap it.
                logLine("INFO", "demand.minute-over", Map.of("offsetSeconds", request.offsetSeconds()));
                return result(request, MINUTE, 0, 0, 0);
            }
            due = live.stream().filter(r -> request.offsetSeconds() % interval(r) == 0).toList();
            next = nextOffset(live, request.offsetSeconds(), elapsed);
        }

        LinkedBlockingQueue<StackPoll> answers = new LinkedBlockingQueue<>();
        ConcurrentLinkedQueue<StackRecord> waiting = new ConcurrentLinkedQueue<>(due);
        for (int i = 0; i < Math.min(settings.parallelism(), due.size()); i++) {
            startNext(waiting, answers);
        }
        AtomicInteger published = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        int remaining = due.size();
        while (remaining > 0) {
            List<StackPoll> batch = new ArrayList<>();
            try {
                batch.add(answers.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            answers.drainTo(batch);
            remaining -= batch.size();
            writes.addAll(handle(batch, published, failures));
        }
        writes.forEach(CompletableFuture::join);
        return result(request, next, due.size(), published.get(), failures.get());
    }

    /**
     * Starts polling the next waiting stack, if any. Its answer, or its timeout {@link Settings#perStackTimeout()}
     * after its poll started, goes to {@code answers} and starts the stack after it: each poll holds one of the
     * {@link Settings#parallelism()} places until it answers or its deadline passes, whichever is first.
     */
    private void startNext(ConcurrentLinkedQueue<StackRecord> waiting, LinkedBlockingQueue<StackPoll> answers) {
        StackRecord r = waiting.poll();
        if (r == null) {
            return;
        }
        CompletableFuture<StackPoll> answer = new CompletableFuture<>();
        answer.whenComplete((p, e) -> {
            answers.add(p != null ? p : failed(r, e));
            startNext(waiting, answers);
        });
        try {
            pool.execute(() -> {
                // The deadline starts here, with this stack's poll.
                answer.orTimeout(settings.perStackTimeout().toMillis(), TimeUnit.MILLISECONDS);
                try {
                    answer.complete(pollOne(r));
                } catch (RuntimeException | Error e) {
                    answer.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
        }
    }

    private List<CompletableFuture<Void>> handle(List<StackPoll> batch, AtomicInteger published, AtomicInteger failures) {
        List<DomainEvent> out = new ArrayList<>();
        List<Runnable> afterPublish = new ArrayList<>();
        List<Runnable> regardless = new ArrayList<>();
        for (StackPoll p : batch) {
            StackRecord r = p.record();
            String stack = r.name();
            String parameter = r.spec().agentTokenParameterName();
            if (p.observation().isPresent() && p.observation().get() instanceof Observation.Observed o) {
                Demand d = o.demand();
                metrics(stack, o.at(), d);
                if (ChangeDetector.shouldPublish(r, d, o.at(), Duration.ofSeconds(interval(r)))) {
                    out.add(new DomainEvent.DemandObserved(stack, r.groupName().orElseThrow(), d.queuedJobs(),
                            d.runningJobs(), d.idleAgents(), d.occupiedAgents(), o.at()));
                    DemandSnapshot snapshot = ChangeDetector.snapshotOf(d, o.at());
                    afterPublish.add(guarded(stack, () -> recordLastDemand(stack, snapshot)));
                }
                if (r.status() == StackStatus.DEGRADED) {
                    regardless.add(guarded(stack, () -> write(stack, cur -> StackTransitions.tokenAccepted(cur, o.at()))));
                }
                continue;
            }
            failures.incrementAndGet();
            Instant at = p.observation().map(Observation::at).orElse(clock.instant());
            if (p.observation().isPresent() && p.observation().get() instanceof Observation.TokenRejected t) {
                String reason = TokenRotation.rejectedReason(stack, parameter, t.httpStatus(), TokenRotation.SOURCE_POLLER);
                long recorded = r.tokenParameterVersion().orElse(0);
                if (p.tokenVersion() < recorded) {
                    // SSM answered a version older than the one the rotator recorded: not the token to judge.
                    failureMetric(stack, at, "token-outdated", "the parameter answered version " + p.tokenVersion()
                            + ", older than the rotated version " + recorded + "; not judged");
                    continue;
                }
                failureMetric(stack, at, "token-rejected", reason);
                DomainEvent.TokenRejected event = new DomainEvent.TokenRejected(stack, parameter, t.httpStatus(),
                        TokenRotation.SOURCE_POLLER, t.at());
                regardless.add(guarded(stack, () -> degradeAndTell(stack, reason, at, p.tokenVersion(), event)));
            } else if (p.failureKind().equals("token-missing")) {
                String reason = TokenRotation.missingReason(stack, parameter);
                failureMetric(stack, at, p.failureKind(), reason);
                regardless.add(guarded(stack, () -> degradeAndTell(stack, reason, at, Long.MAX_VALUE, null)));
            } else if (p.observation().isPresent() && p.observation().get() instanceof Observation.Unavailable u) {
                failureMetric(stack, at, "unavailable", u.reason());
            } else {
                failureMetric(stack, at, p.failureKind(), p.failure());
            }
        }
        boolean sent = true;
        if (!out.isEmpty()) {
            try {
                events.publish(out);
                published.addAndGet((int) out.stream().filter(DomainEvent.DemandObserved.class::isInstance).count());
            } catch (RuntimeException e) {
                sent = false;
                logLine("ERROR", "demand.publish-failed", Map.of("events", out.size(), "error", String.valueOf(e.getMessage())));
            }
        }
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        List<Runnable> todo = new ArrayList<>(regardless);
        if (sent) {
            todo.addAll(afterPublish);
        }
        for (Runnable w : todo) {
            writes.add(CompletableFuture.runAsync(w, writers));
        }
        return writes;
    }

    /**
     * Reads the stack's token and shows it to Semaphore. The token comes from the store's cache unless the
     * registry records a newer rotated version; a refused token is read again past the cache, and when the
     * parameter holds another version now, that one is shown instead: the refused one was rotated away.
     */
    private StackPoll pollOne(StackRecord r) {
        String parameter = r.spec().agentTokenParameterName();
        StoredToken token;
        try {
            token = tokens.read(parameter);
            if (token.version() < r.tokenParameterVersion().orElse(0)) {
                token = tokens.readCurrent(parameter);
            }
        } catch (TokenStore.TokenStoreException e) {
            return StackPoll.failed(r, e.notFound() ? "token-missing" : "token-unreadable", e.getMessage());
        } catch (RuntimeException e) {
            return StackPoll.failed(r, "token-unreadable", "token read failed: " + e.getClass().getSimpleName());
        }
        Observation seen = observe(r, token);
        if (seen instanceof Observation.TokenRejected) {
            StoredToken current;
            try {
                current = tokens.readCurrent(parameter);
            } catch (TokenStore.TokenStoreException e) {
                return StackPoll.failed(r, e.notFound() ? "token-missing" : "token-unreadable", e.getMessage());
            } catch (RuntimeException e) {
                return StackPoll.failed(r, "token-unreadable", "token read failed: " + e.getClass().getSimpleName());
            }
            if (current.version() != token.version()) {
                token = current;
                seen = observe(r, current);
            }
        }
        return StackPoll.of(r, seen, token.version());
    }

    private Observation observe(StackRecord r, StoredToken token) {
        try {
            return semaphore.observe(r.spec().endpointUrl(), token.token());
        } catch (RuntimeException e) {
            return new Observation.Unavailable("poll failed: " + e.getClass().getSimpleName(), clock.instant());
        }
    }

    private StackPoll failed(StackRecord r, Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        String why = cause instanceof TimeoutException
                ? "no answer within " + settings.perStackTimeout().toMillis() + " ms"
                : "poll failed: " + cause.getClass().getSimpleName();
        return StackPoll.failed(r, cause instanceof TimeoutException ? "timeout" : "failed", why);
    }

    /**
     * Records the reading just put on the bus as the stack's last demand: one narrow write (never the whole record),
     * kept only if it is the newest. The poller's only write on the hot path.
     */
    private void recordLastDemand(String stack, DemandSnapshot snapshot) {
        if (registry.recordDemand(stack, snapshot) == StackRegistry.Recorded.BUSY) {
            logLine("WARN", "demand.registry-conflict", Map.of("stack", stack, "attempts", StackRegistry.UPDATE_ATTEMPTS));
        }
    }

    /**
     * Marks the stack DEGRADED with {@code reason} and, if that is a move to DEGRADED, puts {@code event}
     * first (when there is one): a bus failure leaves the stack as it was, for the next poll to try both again.
     * Nothing happens when the stack is DEGRADED already, has no live group, or the registry records a rotated
     * token newer than {@code judgedVersion} (the one Semaphore refused).
     */
    private void degradeAndTell(String stack, String reason, Instant at, long judgedVersion, DomainEvent event) {
        UnaryOperator<StackRecord> degrade = allowed(stack, cur -> !cur.status().hasLiveGroup()
                || cur.tokenParameterVersion().orElse(0) > judgedVersion
                ? cur
                : StackTransitions.tokenRejected(cur, reason, at));
        Optional<StackRecord> current = registry.get(stack);
        if (current.isEmpty() || degrade.apply(current.get()).equals(current.get())) {
            return;
        }
        if (event != null) {
            try {
                events.publish(List.of(event));
            } catch (RuntimeException e) {
                logLine("ERROR", "demand.publish-failed", Map.of("stack", stack, "events", 1,
                        "error", String.valueOf(e.getMessage())));
                return;
            }
        }
        report(stack, registry.update(current.get(), degrade));
    }

    /** A change through {@link StackRegistry#update}. */
    private void write(String stack, UnaryOperator<StackRecord> change) {
        report(stack, registry.update(stack, allowed(stack, change)));
    }

    /** {@code change}, except that a move the status machine refuses is logged and leaves the record as it is. */
    private UnaryOperator<StackRecord> allowed(String stack, UnaryOperator<StackRecord> change) {
        return cur -> {
            try {
                return change.apply(cur);
            } catch (StackTransitions.IllegalTransition e) {
                logLine("WARN", "demand.status-unchanged", Map.of("stack", stack, "reason", e.getMessage()));
                return cur;
            }
        };
    }

    private void report(String stack, StackRegistry.Update update) {
        if (update instanceof StackRegistry.Update.Busy) {
            logLine("WARN", "demand.registry-conflict", Map.of("stack", stack, "attempts", StackRegistry.UPDATE_ATTEMPTS));
        }
    }

    /**
     * One stack's registry work, made unable to fail the invocation: a failure (a DynamoDB throttle, an outage) is
     * logged, with its class and message only, and counted in a {@code RegistryWriteFailed} metric.
     */
    private Runnable guarded(String stack, Runnable work) {
        return () -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                log.accept(EmbeddedMetrics.line(clock.instant(), EmbeddedMetrics.dims("Stack", stack),
                        List.of(Metric.count("RegistryWriteFailed", 1)),
                        Map.of("level", "ERROR", "event", "demand.registry-write-failed", "stack", stack,
                                "error", e.getClass().getSimpleName() + ": " + e.getMessage())));
            }
        };
    }

    /** The next second of the minute some live stack is due, skipping ticks already past. */
    static int nextOffset(List<StackRecord> live, int offset, double elapsedSeconds) {
        int next = MINUTE;
        for (StackRecord r : live) {
            int interval = interval(r);
            int candidate = (offset / interval + 1) * interval;
            while (candidate < elapsedSeconds - LATE_TOLERANCE_SECONDS) {
                candidate += interval;
            }
            next = Math.min(next, candidate);
        }
        return next;
    }

    private static int interval(StackRecord r) {
        int i = r.spec().pollIntervalSeconds();
        return i >= 1 && i <= MINUTE ? i : io.agentstacks.spec.StackSpec.DEFAULT_POLL_INTERVAL_SECONDS;
    }

    private PollResult result(PollRequest request, int next, int polled, int published, int failed) {
        boolean done = next >= MINUTE;
        return new PollResult(request.scheduledTime(), request.offsetSeconds(), Math.min(next, MINUTE),
                request.scheduledTime().plusSeconds(Math.min(next, MINUTE)), done, polled, published, failed);
    }

    private void metrics(String stack, Instant at, Demand d) {
        log.accept(EmbeddedMetrics.line(at, EmbeddedMetrics.dims("Stack", stack, "JobState", "queued"),
                Metric.count("JobCount", d.queuedJobs())));
        log.accept(EmbeddedMetrics.line(at, EmbeddedMetrics.dims("Stack", stack, "JobState", "running"),
                Metric.count("JobCount", d.runningJobs())));
        log.accept(EmbeddedMetrics.line(at, EmbeddedMetrics.dims("Stack", stack, "AgentState", "idle"),
                Metric.count("AgentCount", d.idleAgents())));
        log.accept(EmbeddedMetrics.line(at, EmbeddedMetrics.dims("Stack", stack, "AgentState", "occupied"),
                Metric.count("AgentCount", d.occupiedAgents())));
    }

    private void failureMetric(String stack, Instant at, String kind, String reason) {
        log.accept(EmbeddedMetrics.line(at, EmbeddedMetrics.dims("Stack", stack, "Reason", kind),
                List.of(Metric.count("DemandPollFailed", 1)),
                Map.of("level", "WARN", "event", "demand." + kind, "stack", stack, "reason", reason)));
    }

    private void logLine(String level, String event, Map<String, ?> fields) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("level", level);
        o.put("event", event);
        fields.forEach((k, v) -> o.set(k, io.agentstacks.spec.SpecJson.MAPPER.valueToTree(v)));
        log.accept(o.toString());
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        pool.shutdownNow();
        writers.shutdownNow();
    }
}
