package io.agentstacks.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.demandpoller.DemandPoller;
import io.agentstacks.demandpoller.PollRequest;
import io.agentstacks.deployer.DeployerSteps;
import io.agentstacks.deployer.StackDeployerHandler;
import io.agentstacks.hosts.HostAllocationService;
import io.agentstacks.hosts.HostReleaseService;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryFleetControl;
import io.agentstacks.inmemory.InMemoryHostGroups;
import io.agentstacks.inmemory.InMemoryHostPool;
import io.agentstacks.inmemory.InMemoryNetwork;
import io.agentstacks.inmemory.InMemoryStackDeployments;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.inmemory.InMemoryTokenStore;
import io.agentstacks.inmemory.InMemoryWorkflowStarter;
import io.agentstacks.inmemory.ManualClock;
import io.agentstacks.local.aws.AgentInstances;
import io.agentstacks.local.aws.EventRules;
import io.agentstacks.local.aws.LocalApiGateway;
import io.agentstacks.local.aws.LocalCloudFormation;
import io.agentstacks.local.aws.LocalEventBus;
import io.agentstacks.local.aws.LocalLambdas;
import io.agentstacks.local.semaphore.FakeSemaphore;
import io.agentstacks.local.semaphore.FakeSemaphoreServer;
import io.agentstacks.local.semaphore.LoopbackDemandSource;
import io.agentstacks.local.sfn.StateMachineFiles;
import io.agentstacks.local.sfn.StateMachineRunner;
import io.agentstacks.machostallocator.MacHostAllocatorHandler;
import io.agentstacks.machostreleaser.MacHostReleaserHandler;
import io.agentstacks.scaler.Scaler;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stackapi.StackApiHandler;
import io.agentstacks.stacks.Workflow;
import io.agentstacks.stacks.WorkflowStarter;
import io.agentstacks.token.AgentToken;
import io.agentstacks.token.TokenRotation;
import io.agentstacks.tokenrotator.JsonLog;
import io.agentstacks.tokenrotator.TokenRotatorHandler;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The whole control plane on one machine: the real Lambda handlers, wired to in-memory AWS services that behave
 * over one simulated clock, the deployed state machine definitions running in aws-local-stepfunctions, and a
 * fake Semaphore on loopback.
 *
 * <ul>
 *   <li>API Gateway → {@code stack-api} and {@code token-rotator} ({@link #api});</li>
 *   <li>Step Functions: provision-stack, destroy-stack and release-mac-hosts started through
 *       {@link InMemoryWorkflowStarter} (the execution name is used once), poll-demand every simulated minute, all run
 *       by {@link StateMachineRunner} from {@code statemachines/*.asl.json};</li>
 *   <li>EventBridge: the rules and schedules of {@code statemachines/event-rules.json} ({@link LocalEventBus});</li>
 *   <li>CloudFormation → Auto Scaling groups ({@link LocalCloudFormation}, {@link InMemoryFleetControl}: boot delays,
 *       warm pools, scale-in protection), EC2 Mac hosts ({@link InMemoryHostPool}: scrubbing, the 24 h minimum),
 *       SSM parameter versions ({@link InMemoryTokenStore}), the default VPC ({@link InMemoryNetwork});</li>
 *   <li>Semaphore: agent types, job queues and agents ({@link FakeSemaphore}), its metrics route on loopback HTTP
 *       ({@link FakeSemaphoreServer}), read by the poller and the token-rotator over HTTP ({@link LoopbackDemandSource}).</li>
 * </ul>
 *
 * Time moves only through {@link #advance} and {@link #runUntil} (tests), or {@link #runInRealTime} (the local
 * server); see {@link SimulatedTime}.
 */
public final class LocalControlPlane implements AutoCloseable {

    /** The agent-stack template's URL the deployer passes to CloudFormation (nothing reads it locally). */
    public static final String TEMPLATE_URL = "https://agent-stacks-local.s3.us-east-1.amazonaws.com/agent-stack.template.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the local control plane is set up. */
    public record Options(Instant start, InMemoryFleetControl.BootTimes bootTimes, long seed,
                          InMemoryStackDeployments.Durations cloudFormation, Duration eventBridgeLatency,
                          Consumer<String> logMirror, Optional<StateMachineFiles> files) {
        public Options {
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(bootTimes, "bootTimes");
            Objects.requireNonNull(cloudFormation, "cloudFormation");
            Objects.requireNonNull(eventBridgeLatency, "eventBridgeLatency");
            Objects.requireNonNull(logMirror, "logMirror");
            Objects.requireNonNull(files, "files");
        }

        /**
         * 2030-01-01T00:00:00Z; boot times as measured for the simulator (Linux 45 s, Windows 5 min, macOS 10 min,
         * warm pool 30 s, jitter); CloudFormation's typical durations; EventBridge 0.5 s; the statemachines
         * directory found from the working directory.
         */
        public static Options defaults() {
            return new Options(Instant.parse("2030-01-01T00:00:00Z"), InMemoryFleetControl.BootTimes.defaults(), 1,
                    InMemoryStackDeployments.Durations.typical(), Duration.ofMillis(500), line -> { }, Optional.empty());
        }

        public Options withStart(Instant start) {
            return new Options(start, bootTimes, seed, cloudFormation, eventBridgeLatency, logMirror, files);
        }

        public Options withLogMirror(Consumer<String> mirror) {
            return new Options(start, bootTimes, seed, cloudFormation, eventBridgeLatency, mirror, files);
        }

        public Options withFiles(StateMachineFiles files) {
            return new Options(start, bootTimes, seed, cloudFormation, eventBridgeLatency, logMirror, Optional.of(files));
        }

        public Options withSeed(long seed) {
            return new Options(start, bootTimes, seed, cloudFormation, eventBridgeLatency, logMirror, files);
        }
    }

    private final ManualClock clock;
    private final SimulatedTime time;
    private final LocalLog log;
    private final InMemoryStackRegistry registry = new InMemoryStackRegistry();
    private final InMemoryEventSink events = new InMemoryEventSink();
    private final InMemoryWorkflowStarter workflows;
    private final InMemoryTokenStore tokens = new InMemoryTokenStore();
    private final InMemoryNetwork network = InMemoryNetwork.typical();
    private final InMemoryFleetControl fleet;
    private final InMemoryStackDeployments stacks;
    private final LocalCloudFormation cloudFormation;
    private final InMemoryHostPool hostPool;
    private final InMemoryHostGroups hostGroups;
    private final AgentInstances instances;
    private final FakeSemaphore semaphore;
    private final FakeSemaphoreServer semaphoreServer;
    private final LocalLambdas lambdas;
    private final LocalApiGateway apiGateway;
    private final EventRules rules;
    private final LocalEventBus bus;
    private final StateMachineRunner runner;
    private final DemandPoller poller;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    /** Makes the names of executions started by rules and schedules unique (Step Functions refuses a reused one). */
    private final AtomicLong executionSequence = new AtomicLong();
    private RealTimePacer pacer;

    private LocalControlPlane(Options options) {
        StateMachineFiles files = options.files().orElseGet(StateMachineFiles::locate);
        files.requireNodePackages();
        this.rules = EventRules.read(files.eventRules());
        this.clock = new ManualClock(options.start());
        this.workflows = new InMemoryWorkflowStarter(clock);
        this.log = new LocalLog(options.logMirror());
        this.fleet = new InMemoryFleetControl(clock, options.bootTimes(), options.seed());
        this.time = new SimulatedTime(clock, fleet);
        this.stacks = new InMemoryStackDeployments(clock, options.cloudFormation());
        this.cloudFormation = new LocalCloudFormation(stacks, fleet, time, log);
        this.hostPool = new InMemoryHostPool(clock);
        this.hostGroups = new InMemoryHostGroups(hostPool, LocalLambdas.REGION, LocalLambdas.ACCOUNT);
        this.instances = new AgentInstances(fleet, cloudFormation, tokens, hostGroups, hostPool, time, log);
        this.semaphore = new FakeSemaphore(time, instances, log);
        instances.attach(semaphore);
        this.semaphoreServer = FakeSemaphoreServer.start(semaphore);
        closeables.add(semaphoreServer);
        try {
            LoopbackDemandSource demand = new LoopbackDemandSource(semaphoreServer.uri(), clock);

            this.lambdas = new LocalLambdas(clock, log);
            StackApiHandler stackApi = new StackApiHandler(registry, workflows, events, fleet, clock, log);
            lambdas.register("stack-api", event -> streamed(stackApi, event));
            StackDeployerHandler deployer = new StackDeployerHandler(new DeployerSteps(registry, cloudFormation, network, fleet,
                    events, clock, TEMPLATE_URL), log);
            // One entry for the state machines' Tasks and the Image Builder rule, as deployed.
            lambdas.register("stack-deployer", deployer::handle);
            this.poller = new DemandPoller(registry, tokens, demand, events, clock, log, DemandPoller.Settings.defaults());
            closeables.add(poller);
            lambdas.register("demand-poller", event -> poller.poll(PollRequest.from(event)).toJson());
            Scaler scaler = new Scaler(registry, fleet, events, clock, log);
            lambdas.register("scaler", event -> scaler.handle(event).toJson());
            TokenRotatorHandler rotator = new TokenRotatorHandler(new TokenRotation(demand, tokens, registry, events, clock),
                    new JsonLog(log.printStream(), clock));
            lambdas.register("token-rotator", rotator::handle);
            MacHostAllocatorHandler allocator = new MacHostAllocatorHandler(
                    new HostAllocationService(registry, hostPool, hostGroups, network, events, clock), log.printStream());
            lambdas.register("mac-host-allocator", allocator::handle);
            MacHostReleaserHandler releaser = new MacHostReleaserHandler(
                    new HostReleaseService(registry, hostPool, hostGroups, events, clock), log.printStream());
            lambdas.register("mac-host-releaser", releaser::handle);
            this.apiGateway = new LocalApiGateway(lambdas, clock);

            this.runner = new StateMachineRunner(files, time, lambdas, workflows, log);
            closeables.add(0, runner);
            this.bus = new LocalEventBus(rules, time, lambdas, this::startScheduled, options.eventBridgeLatency());
            events.subscribe(bus::publish);
            workflows.onStart(e -> runner.start(e.workflow().definitionName(), e.name(), e.executionId(), json(e.input())));
            runner.onEnd(this::closeExecution);
        } catch (RuntimeException | Error e) {
            // What started so far (the fake Semaphore's server, the runner's bound port) must not outlive a failure.
            closeAll();
            throw e;
        }
    }

    /** Builds the control plane, starts the state machine runner and the schedules of event-rules.json. */
    public static LocalControlPlane start(Options options) {
        LocalControlPlane cp = new LocalControlPlane(options);
        try {
            cp.runner.open(substitutions());
            cp.schedule();
            return cp;
        } catch (RuntimeException e) {
            cp.close();
            throw e;
        }
    }

    /** What infra substitutes into the definitions, here: the local functions' and state machines' ARNs. */
    static Map<String, String> substitutions() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("StackDeployerFunctionArn", LocalLambdas.arn("stack-deployer"));
        s.put("MacHostAllocatorFunctionArn", LocalLambdas.arn("mac-host-allocator"));
        s.put("MacHostReleaserFunctionArn", LocalLambdas.arn("mac-host-releaser"));
        s.put("DemandPollerFunctionArn", LocalLambdas.arn("demand-poller"));
        s.put("ReleaseMacHostsStateMachineArn", StateMachineRunner.stateMachineArn("release-mac-hosts"));
        return s;
    }

    /** Step Functions' record of an execution started through the WorkflowStarter port closes when it ends. */
    private void closeExecution(StateMachineRunner.ExecutionView e) {
        Optional<Workflow> workflow = Arrays.stream(Workflow.values())
                .filter(w -> w.definitionName().equals(e.definition())).findFirst();
        if (workflow.isEmpty() || workflows.describe(workflow.get(), e.name()).isEmpty()) {
            return;
        }
        WorkflowStarter.Status status = switch (e.status()) {
            case SUCCEEDED -> WorkflowStarter.Status.SUCCEEDED;
            case TIMED_OUT -> WorkflowStarter.Status.TIMED_OUT;
            default -> WorkflowStarter.Status.FAILED;
        };
        workflows.finish(workflow.get(), e.name(), status, status == WorkflowStarter.Status.SUCCEEDED ? Optional.empty() : e.error());
    }

    /** Every schedule of event-rules.json, as EventBridge Scheduler fires it. */
    private void schedule() {
        for (EventRules.Schedule s : rules.schedules()) {
            time.every(s.timing().first(clock.instant()), s.timing().period(), "schedule " + s.name(), () -> fire(s));
        }
    }

    private void fire(EventRules.Schedule s) {
        String scheduled = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        JsonNode input = json(s.input().toString().replace("<aws.scheduler.scheduled-time>", scheduled));
        if (s.target().function().isPresent()) {
            bus.invokeAsync(s.name(), s.target(), input);
        } else {
            String definition = s.target().stateMachine().orElseThrow();
            String name = s.name() + "-" + clock.instant().getEpochSecond() + "-" + executionSequence.incrementAndGet();
            runner.start(definition, name, StateMachineRunner.executionArn(definition, name), input);
        }
    }

    /** A rule's state machine target: EventBridge starts one execution per delivery, however close together. */
    private void startScheduled(String definition, JsonNode input) {
        String name = definition + "-" + clock.instant().toEpochMilli() + "-" + executionSequence.incrementAndGet();
        runner.start(definition, name, StateMachineRunner.executionArn(definition, name), input);
    }

    // ---- what users and Semaphore do ----------------------------------------------------------------------

    /** An HTTP request to the control plane's API (stack-api and the token route), through API Gateway. */
    public LocalApiGateway.Answer api(LocalApiGateway.Request request) {
        return apiGateway.handle(request);
    }

    public LocalApiGateway.Answer api(String method, String path, String body) {
        return api(LocalApiGateway.Request.of(method, path, body));
    }

    /**
     * What a user does before posting a spec: creates the agent type in Semaphore (named after the stack, in the
     * spec's organization) and stores its registration token in the SSM parameter the spec names. Answers the token.
     */
    public AgentToken createAgentType(StackSpec spec) {
        AgentToken token = semaphore.createAgentType(spec.stackName(), spec.endpointHost());
        tokens.write(spec.agentTokenParameterName(), token, spec.agentTokenKmsKey());
        return token;
    }

    /**
     * What the local server does for a spec it accepted whose token parameter does not exist yet: the agent type
     * (named after the stack, in the spec's organization) in the fake Semaphore, created if needed, and its token
     * written to the parameter. Answers a line saying so (never the token), or empty when the parameter existed.
     */
    public synchronized Optional<String> provideAgentType(StackSpec spec) {
        String parameter = spec.agentTokenParameterName();
        if (!tokens.versions(parameter).isEmpty()) {
            return Optional.empty();
        }
        String name = spec.stackName();
        boolean existed = semaphore.hasAgentType(name);
        AgentToken token = existed ? semaphore.currentToken(name) : semaphore.createAgentType(name, spec.endpointHost());
        tokens.write(parameter, token, spec.agentTokenKmsKey());
        return Optional.of(name + ": " + (existed ? "agent type " + name : "created agent type " + name + " in " + spec.endpointHost())
                + " of the local Semaphore; its registration token is in SSM parameter " + parameter);
    }

    /** An event of an AWS service on the account's default bus (e.g. an Image Builder image state change). */
    public void putEvent(JsonNode event) {
        bus.put(LocalEventBus.DEFAULT_BUS, event);
    }

    // ---- time ---------------------------------------------------------------------------------------------

    public Instant now() {
        return clock.instant();
    }

    public void advance(Duration d) {
        time.advance(d);
    }

    /**
     * Runs until {@code condition} holds, at most {@code limit} of simulated time; answers the simulated time it took.
     *
     * @throws IllegalStateException naming {@code what} when it did not hold within the limit
     */
    public Duration runUntil(String what, BooleanSupplier condition, Duration limit) {
        Instant start = clock.instant();
        if (!time.runUntil(condition, start.plus(limit))) {
            throw new IllegalStateException("not within " + limit + " of simulated time: " + what + " (at " + clock.instant() + ")");
        }
        return Duration.between(start, clock.instant());
    }

    /** Lets simulated time run {@code speed} times faster than real time, on a thread of its own. */
    public synchronized void runInRealTime(double speed, Consumer<RuntimeException> onFailure) {
        if (pacer != null) {
            throw new IllegalStateException("already running in real time");
        }
        pacer = new RealTimePacer(time, speed, onFailure);
        pacer.start();
    }

    // ---- the parts, for tests and views ------------------------------------------------------------------

    public SimulatedTime time() {
        return time;
    }

    public ManualClock clock() {
        return clock;
    }

    public LocalLog log() {
        return log;
    }

    public InMemoryStackRegistry registry() {
        return registry;
    }

    public InMemoryEventSink events() {
        return events;
    }

    public InMemoryWorkflowStarter workflows() {
        return workflows;
    }

    public InMemoryTokenStore tokens() {
        return tokens;
    }

    public InMemoryFleetControl fleet() {
        return fleet;
    }

    public InMemoryStackDeployments stacks() {
        return stacks;
    }

    public LocalCloudFormation cloudFormation() {
        return cloudFormation;
    }

    public InMemoryHostPool hostPool() {
        return hostPool;
    }

    public InMemoryHostGroups hostGroups() {
        return hostGroups;
    }

    public AgentInstances instances() {
        return instances;
    }

    public FakeSemaphore semaphore() {
        return semaphore;
    }

    public FakeSemaphoreServer semaphoreServer() {
        return semaphoreServer;
    }

    public LocalLambdas lambdas() {
        return lambdas;
    }

    public LocalEventBus bus() {
        return bus;
    }

    public StateMachineRunner stateMachines() {
        return runner;
    }

    /** The stack's Auto Scaling group as its CloudFormation stack made it, while it exists. */
    public Optional<LocalCloudFormation.GroupView> group(String stackName) {
        return cloudFormation.group(stackName);
    }

    @Override
    public void close() {
        RealTimePacer p;
        synchronized (this) {
            p = pacer;
            pacer = null;
        }
        if (p != null) {
            p.stop();
        }
        closeAll();
    }

    private void closeAll() {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                log.accept("{\"event\":\"local.close-failed\",\"error\":\"" + e.getClass().getName() + "\"}");
            }
        }
    }

    // ---- glue ------------------------------------------------------------------------------------------------

    /** The stack-api's Lambda entry point takes a stream, as Lambda hands it the event. */
    private static JsonNode streamed(StackApiHandler handler, JsonNode event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(event)), out, null);
        return JSON.readTree(out.toByteArray());
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException("not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
