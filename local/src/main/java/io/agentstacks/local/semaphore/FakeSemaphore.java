package io.agentstacks.local.semaphore;

import io.agentstacks.demand.Demand;
import io.agentstacks.local.SimulatedTime;
import io.agentstacks.token.AgentToken;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Semaphore as the control plane and its agents see it, over the simulated clock: agent types (one
 * registration token each, in one organization), a FIFO job queue per agent type, and agents.
 *
 * <p>An agent behaves as the Semaphore agent with the control plane's instance scripts does:
 * <ul>
 *   <li>it registers when its instance is in service, with the token the instance read from SSM at boot; a
 *       token Semaphore does not accept (reset, wrong organization) fails the start, and the instance powers
 *       itself off (the start script's failure path), so the group replaces it;</li>
 *   <li>it takes one job at a time, oldest queued first; the pre-job hook protects its instance from scale-in,
 *       the post-job hook removes the protection;</li>
 *   <li>it leaves with the real agent's shutdown reasons: {@code JOB_FINISHED} after a job when
 *       {@code disconnectAfterJob} (the shutdown hook terminates the instance without lowering desired
 *       capacity, so a fresh one boots), {@code IDLE} after {@code disconnectAfterIdleTimeout} seconds idle
 *       (terminates it lowering desired capacity; refused at the group's minimum, the instance powers off and
 *       the group replaces it), {@code REQUESTED} when Auto Scaling ends the instance under it (scale-in,
 *       refresh, deletion). A job whose instance ends while it runs is lost ({@code interrupted}).</li>
 * </ul>
 *
 * <p>An outage makes the API answer 503 (the metrics route the poller and the token check call); agents keep
 * running the jobs they have. Thread-safe. No view, log line or exception holds a token.
 */
public final class FakeSemaphore {

    /** The real agent's shutdown reasons that the local agents use. */
    public enum ShutdownReason { IDLE, JOB_FINISHED, REQUESTED }

    /** What an agent does to its own instance, as the instance scripts do through the Auto Scaling API. */
    public interface InstanceHooks {
        /** SetInstanceProtection (pre-job on, post-job off). */
        void protect(String groupName, String instanceId, boolean on);

        /**
         * TerminateInstanceInAutoScalingGroup; answers false when Auto Scaling refused it (decrementing below
         * the group's minimum).
         */
        boolean terminate(String instanceId, boolean decrementDesired);

        /** {@code poweroff}: the instance ends and the group replaces it. */
        void powerOff(String instanceId);
    }

    /** The agent configuration an instance reads at boot (the older tool's keys, {@code <stack>-config}). */
    public record AgentConfig(String endpointHost, boolean disconnectAfterJob, int disconnectAfterIdleSeconds) {
        public AgentConfig {
            Objects.requireNonNull(endpointHost, "endpointHost");
            if (disconnectAfterIdleSeconds < 0) {
                throw new IllegalArgumentException("disconnectAfterIdleSeconds cannot be negative");
            }
        }
    }

    public enum JobState { QUEUED, RUNNING, FINISHED, INTERRUPTED }

    public record JobView(String id, String agentType, JobState state, int durationSeconds, Instant queuedAt,
                          Optional<Instant> startedAt, Optional<Instant> finishedAt, Optional<String> instanceId) {
    }

    public record AgentTypeView(String name, String organization, int queuedJobs, int runningJobs, int idleAgents,
                                int occupiedAgents, int finishedJobs, int interruptedJobs) {
        public Demand demand() {
            return new Demand(queuedJobs, runningJobs, idleAgents, occupiedAgents);
        }
    }

    public record Departure(String agentType, String instanceId, ShutdownReason reason, Instant at) {
    }

    /** What the metrics route answers for one request. */
    public sealed interface MetricsAnswer {
        record Metrics(Demand demand) implements MetricsAnswer {
        }

        record Unauthorized() implements MetricsAnswer {
        }

        record Unavailable(String reason) implements MetricsAnswer {
        }
    }

    private static final class Job {
        final String id;
        final String agentType;
        final int durationSeconds;
        final Instant queuedAt;
        JobState state = JobState.QUEUED;
        Instant startedAt;
        Instant finishedAt;
        String instanceId;

        Job(String id, String agentType, int durationSeconds, Instant queuedAt) {
            this.id = id;
            this.agentType = agentType;
            this.durationSeconds = durationSeconds;
            this.queuedAt = queuedAt;
        }

        JobView view() {
            return new JobView(id, agentType, state, durationSeconds, queuedAt, Optional.ofNullable(startedAt),
                    Optional.ofNullable(finishedAt), Optional.ofNullable(instanceId));
        }
    }

    private static final class Agent {
        final String instanceId;
        final String groupName;
        final AgentConfig config;
        Job job;
        /** Auto Scaling is terminating the instance: the agent finishes its job, then lets the instance go. */
        Runnable release;
        Instant idleSince;
        long generation;

        Agent(String instanceId, String groupName, AgentConfig config, Instant now) {
            this.instanceId = instanceId;
            this.groupName = groupName;
            this.config = config;
            this.idleSince = now;
        }
    }

    private static final class AgentType {
        final String name;
        final String organization;
        AgentToken token;
        final Deque<Job> queue = new ArrayDeque<>();
        final Map<String, Agent> agents = new LinkedHashMap<>();
        int finished;
        int interrupted;

        AgentType(String name, String organization, AgentToken token) {
            this.name = name;
            this.organization = organization;
            this.token = token;
        }
    }

    private final SimulatedTime time;
    private final InstanceHooks hooks;
    private final Consumer<String> log;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, AgentType> types = new TreeMap<>();
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final List<Departure> departures = new ArrayList<>();
    private Instant outageUntil = Instant.MIN;
    private long nextJob = 1;

    /**
     * @param log receives one JSON object per agent event (registered, left, job started/finished); no token
     */
    public FakeSemaphore(SimulatedTime time, InstanceHooks hooks, Consumer<String> log) {
        this.time = Objects.requireNonNull(time, "time");
        this.hooks = Objects.requireNonNull(hooks, "hooks");
        this.log = Objects.requireNonNull(log, "log");
    }

    // ---- agent types and tokens (what a user does in the Semaphore UI) -------------------------------

    /**
     * Creates an agent type in the organization at {@code organizationHost} (e.g. {@code my-org.semaphoreci.com})
     * and answers its registration token.
     */
    public synchronized AgentToken createAgentType(String name, String organizationHost) {
        requireName(name);
        if (types.containsKey(name)) {
            throw new IllegalArgumentException("agent type " + name + " exists already");
        }
        AgentToken token = newToken();
        types.put(name, new AgentType(name, normalizeHost(organizationHost), token));
        return token;
    }

    /** Resets the agent type's token as the UI does: the old one is refused from now on. Running agents stay. */
    public synchronized AgentToken resetToken(String agentType) {
        AgentType t = type(agentType);
        t.token = newToken();
        return t.token;
    }

    /** The agent type's current token (for the local server, which hands it to SSM as a user would). */
    public synchronized AgentToken currentToken(String agentType) {
        return type(agentType).token;
    }

    public synchronized boolean hasAgentType(String name) {
        return types.containsKey(name);
    }

    /** True when {@code token} is the agent type's current token (without revealing either). */
    public synchronized boolean isCurrentToken(String agentType, AgentToken token) {
        AgentType t = types.get(agentType);
        return t != null && t.token.equals(token);
    }

    // ---- jobs ------------------------------------------------------------------------------------------

    /** Queues {@code count} jobs of {@code durationSeconds} each for the agent type; answers their ids. */
    public List<String> enqueue(String agentType, int count, int durationSeconds) {
        if (count < 1 || count > 1000) {
            throw new IllegalArgumentException("count must be 1 to 1000, got " + count);
        }
        if (durationSeconds < 1 || durationSeconds > 86_400) {
            throw new IllegalArgumentException("durationSeconds must be 1 to 86400, got " + durationSeconds);
        }
        List<Runnable> effects = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        synchronized (this) {
            AgentType t = type(agentType);
            Instant now = time.now();
            for (int i = 0; i < count; i++) {
                Job j = new Job(String.format("job-%06d", nextJob++), t.name, durationSeconds, now);
                jobs.put(j.id, j);
                t.queue.addLast(j);
                ids.add(j.id);
            }
            dispatch(t, effects);
        }
        effects.forEach(Runnable::run);
        return ids;
    }

    // ---- the API's availability --------------------------------------------------------------------

    /** Semaphore's API answers 503 from now until {@code length} of simulated time has passed. */
    public synchronized void outage(Duration length) {
        outageUntil = time.now().plus(length);
    }

    public synchronized boolean inOutage() {
        return time.now().isBefore(outageUntil);
    }

    /**
     * {@code GET /api/v1/self_hosted_agents/metrics} with {@code Authorization: Token <token>}, asked of the
     * organization at {@code organizationHost} (empty: whichever organization the token belongs to).
     */
    public synchronized MetricsAnswer metrics(AgentToken token, Optional<String> organizationHost) {
        if (inOutage()) {
            return new MetricsAnswer.Unavailable("Semaphore is unavailable (local outage until " + outageUntil + ")");
        }
        Optional<AgentType> t = byToken(token, organizationHost);
        return t.<MetricsAnswer>map(type -> new MetricsAnswer.Metrics(view(type).demand()))
                .orElseGet(MetricsAnswer.Unauthorized::new);
    }

    // ---- agents on instances ---------------------------------------------------------------------------

    /**
     * The instance is in service: its agent registers with the token the instance read. Answers false when
     * Semaphore refuses the token; the instance then powers itself off.
     */
    public boolean boot(String instanceId, String groupName, AgentConfig config, AgentToken token) {
        List<Runnable> effects = new ArrayList<>();
        boolean registered;
        synchronized (this) {
            Optional<AgentType> t = byToken(token, Optional.of(config.endpointHost()));
            registered = t.isPresent();
            if (registered) {
                AgentType type = t.get();
                Agent a = new Agent(instanceId, groupName, config, time.now());
                type.agents.put(instanceId, a);
                log("agent.registered", type.name, instanceId, "");
                armIdleTimer(type, a);
                dispatch(type, effects);
            } else {
                log("agent.refused", "", instanceId, "registration token refused by " + config.endpointHost());
            }
        }
        if (!registered) {
            hooks.powerOff(instanceId);
        }
        effects.forEach(Runnable::run);
        return registered;
    }

    /** Auto Scaling ended the instance (scale-in, refresh, deletion, or the agent's own call). */
    public void instanceGone(String instanceId) {
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            for (AgentType t : types.values()) {
                Agent a = t.agents.remove(instanceId);
                if (a == null) {
                    continue;
                }
                a.generation++;
                if (a.job != null) {
                    a.job.state = JobState.INTERRUPTED;
                    a.job.finishedAt = time.now();
                    t.interrupted++;
                    log("job.interrupted", t.name, instanceId, a.job.id);
                }
                departures.add(new Departure(t.name, instanceId, ShutdownReason.REQUESTED, time.now()));
                log("agent.left", t.name, instanceId, ShutdownReason.REQUESTED.name());
                dispatch(t, effects);
            }
        }
        effects.forEach(Runnable::run);
    }

    /**
     * Auto Scaling is terminating the instance and holds it in {@code Terminating:Wait} (the terminate lifecycle
     * hook): the instance scripts stop the agent gracefully, letting it finish the job it runs, and then complete
     * the lifecycle action ({@code release}). An idle agent leaves at once.
     */
    public void terminating(String instanceId, Runnable release) {
        boolean now = true;
        synchronized (this) {
            for (AgentType t : types.values()) {
                Agent a = t.agents.get(instanceId);
                if (a == null) {
                    continue;
                }
                if (a.job != null) {
                    a.release = release;
                    now = false;
                } else {
                    t.agents.remove(instanceId);
                    a.generation++;
                    departures.add(new Departure(t.name, instanceId, ShutdownReason.REQUESTED, time.now()));
                    log("agent.left", t.name, instanceId, ShutdownReason.REQUESTED.name());
                }
            }
        }
        if (now) {
            release.run();
        }
    }

    // ---- views -------------------------------------------------------------------------------------------

    public synchronized Optional<AgentTypeView> agentType(String name) {
        return Optional.ofNullable(types.get(name)).map(this::view);
    }

    public synchronized List<AgentTypeView> agentTypes() {
        return types.values().stream().map(this::view).toList();
    }

    public synchronized List<JobView> jobs(String agentType) {
        return jobs.values().stream().filter(j -> j.agentType.equals(agentType)).map(Job::view).toList();
    }

    public synchronized List<Departure> departures() {
        return List.copyOf(departures);
    }

    // ---- internals ---------------------------------------------------------------------------------------

    private AgentTypeView view(AgentType t) {
        int running = (int) t.agents.values().stream().filter(a -> a.job != null).count();
        return new AgentTypeView(t.name, t.organization, t.queue.size(), running, t.agents.size() - running, running,
                t.finished, t.interrupted);
    }

    private void dispatch(AgentType t, List<Runnable> effects) {
        while (!t.queue.isEmpty()) {
            Optional<Agent> idle = t.agents.values().stream().filter(a -> a.job == null)
                    .min(Comparator.comparing((Agent a) -> a.idleSince));
            if (idle.isEmpty()) {
                return;
            }
            start(t, idle.get(), t.queue.pollFirst(), effects);
        }
    }

    private void start(AgentType t, Agent a, Job j, List<Runnable> effects) {
        Instant now = time.now();
        j.state = JobState.RUNNING;
        j.startedAt = now;
        j.instanceId = a.instanceId;
        a.job = j;
        long generation = ++a.generation;
        log("job.started", t.name, a.instanceId, j.id);
        effects.add(() -> protect(a, true));
        time.after(Duration.ofSeconds(j.durationSeconds), "job " + j.id + " ends", () -> finish(t, a, generation));
    }

    private void finish(AgentType t, Agent a, long generation) {
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            if (a.generation != generation || t.agents.get(a.instanceId) != a) {
                return;
            }
            Job j = a.job;
            j.state = JobState.FINISHED;
            j.finishedAt = time.now();
            t.finished++;
            a.job = null;
            a.generation++;
            log("job.finished", t.name, a.instanceId, j.id);
            effects.add(() -> protect(a, false));
            if (a.release != null) {
                t.agents.remove(a.instanceId);
                a.generation++;
                departures.add(new Departure(t.name, a.instanceId, ShutdownReason.REQUESTED, time.now()));
                log("agent.left", t.name, a.instanceId, ShutdownReason.REQUESTED.name());
                effects.add(a.release);
                dispatch(t, effects);
            } else if (a.config.disconnectAfterJob()) {
                leave(t, a, ShutdownReason.JOB_FINISHED, effects);
            } else {
                a.idleSince = time.now();
                armIdleTimer(t, a);
                dispatch(t, effects);
            }
        }
        effects.forEach(Runnable::run);
    }

    private void armIdleTimer(AgentType t, Agent a) {
        int idle = a.config.disconnectAfterIdleSeconds();
        if (idle <= 0) {
            return;
        }
        long generation = a.generation;
        time.after(Duration.ofSeconds(idle), "agent on " + a.instanceId + " idle timeout", () -> idleTimeout(t, a, generation));
    }

    private void idleTimeout(AgentType t, Agent a, long generation) {
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            if (a.generation != generation || a.job != null || t.agents.get(a.instanceId) != a) {
                return;
            }
            leave(t, a, ShutdownReason.IDLE, effects);
        }
        effects.forEach(Runnable::run);
    }

    /** The agent disconnects; its shutdown hook terminates the instance (lowering desired capacity on IDLE only). */
    private void leave(AgentType t, Agent a, ShutdownReason reason, List<Runnable> effects) {
        t.agents.remove(a.instanceId);
        a.generation++;
        departures.add(new Departure(t.name, a.instanceId, reason, time.now()));
        log("agent.left", t.name, a.instanceId, reason.name());
        boolean decrement = reason == ShutdownReason.IDLE;
        effects.add(() -> {
            if (!hooks.terminate(a.instanceId, decrement)) {
                hooks.powerOff(a.instanceId);
            }
        });
    }

    private void protect(Agent a, boolean on) {
        hooks.protect(a.groupName, a.instanceId, on);
    }

    private Optional<AgentType> byToken(AgentToken token, Optional<String> organizationHost) {
        Optional<String> org = organizationHost.map(FakeSemaphore::normalizeHost);
        return types.values().stream()
                .filter(t -> t.token.equals(token))
                .filter(t -> org.isEmpty() || org.get().equals(t.organization))
                .findFirst();
    }

    private AgentType type(String name) {
        AgentType t = types.get(name);
        if (t == null) {
            throw new NoSuchAgentType(name);
        }
        return t;
    }

    private AgentToken newToken() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return new AgentToken("local-" + HexFormat.of().formatHex(bytes));
    }

    private void log(String event, String agentType, String instanceId, String detail) {
        StringBuilder line = new StringBuilder("{\"at\":\"").append(time.now()).append("\",\"event\":\"").append(event)
                .append('"');
        if (!agentType.isEmpty()) {
            line.append(",\"agentType\":\"").append(agentType).append('"');
        }
        line.append(",\"instanceId\":\"").append(instanceId).append('"');
        if (!detail.isEmpty()) {
            line.append(",\"detail\":\"").append(detail.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        log.accept(line.append('}').toString());
    }

    static String normalizeHost(String host) {
        String h = Objects.requireNonNull(host, "host").trim().toLowerCase(Locale.ROOT).replaceFirst("^https?://", "");
        int slash = h.indexOf('/');
        return slash < 0 ? h : h.substring(0, slash);
    }

    private static void requireName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
            throw new IllegalArgumentException("an agent type name is 1-128 letters, digits, '.', '_' or '-': " + name);
        }
    }

    /** No agent type of that name. */
    public static final class NoSuchAgentType extends IllegalArgumentException {
        public NoSuchAgentType(String name) {
            super("no agent type named " + name);
        }
    }
}
