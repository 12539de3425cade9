package io.agentstacks.deployer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryNetwork;
import io.agentstacks.inmemory.InMemoryStackDeployments;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.inmemory.ManualClock;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.StackDeployments;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackTransitions;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** The deployer's handler over in-memory ports on a driven clock. */
final class Fixture {

    static final String TEMPLATE_URL = "https://cp-assets.s3.us-east-1.amazonaws.com/agent-stack.template.json";

    final ManualClock clock = ManualClock.startingAt2030();
    final Instant start = clock.instant();
    final InMemoryStackRegistry registry = new InMemoryStackRegistry();
    final InMemoryStackDeployments cfn = new InMemoryStackDeployments(clock, new InMemoryStackDeployments.Durations(
            Duration.ofMinutes(3), Duration.ofMinutes(2), Duration.ofMinutes(2), Duration.ofMinutes(1)));
    final FakeFleet fleet = new FakeFleet();
    final InMemoryEventSink events = new InMemoryEventSink();
    final List<String> logs = new ArrayList<>();
    final StackDeployerHandler handler;

    Fixture() {
        this(InMemoryNetwork.typical());
    }

    Fixture(io.agentstacks.stacks.Network network) {
        this(network, null);
    }

    Fixture(io.agentstacks.stacks.Network network, StackRegistry registryOverride) {
        this(network, registryOverride, UnaryOperator.identity());
    }

    /** @param around wraps the in-memory CloudFormation, e.g. to run something while a call is on its way */
    static Fixture aroundCloudFormation(UnaryOperator<StackDeployments> around) {
        return new Fixture(InMemoryNetwork.typical(), null, around);
    }

    private Fixture(io.agentstacks.stacks.Network network, StackRegistry registryOverride, UnaryOperator<StackDeployments> around) {
        handler = new StackDeployerHandler(new DeployerSteps(registryOverride == null ? registry : registryOverride,
                around.apply(cfn), network, fleet, events, clock, TEMPLATE_URL), logs::add);
    }

    static StackSpec spec(String name) {
        return StackSpec.builder(name, "/semaphore/" + name + "/token").semaphoreOrganization("acme").maxSize(5).build();
    }

    /** A spec accepted as stack-api accepts it: version N+1 (or 1), conditional write. */
    StackRecord accept(StackSpec spec) {
        StackRecord next = StackTransitions.specAccepted(registry.get(spec.stackName()), spec, clock.instant());
        return stored(next);
    }

    StackRecord requestDelete(String name) {
        return stored(StackTransitions.deleteRequested(registry.get(name).orElseThrow(), clock.instant()));
    }

    StackRecord stored(StackRecord next) {
        var result = registry.put(next);
        if (!(result instanceof StackRegistry.PutResult.Stored s)) {
            throw new IllegalStateException("setup write lost a race: " + result);
        }
        return s.stored();
    }

    StackRecord record(String name) {
        return registry.get(name).orElseThrow();
    }

    ObjectNode call(String json) {
        try {
            return handler.handle(SpecJson.MAPPER.readTree(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs provisioning of the stack's current version to ACTIVE, as the state machine would. */
    StackRecord provision(String name) {
        long v = record(name).specVersion();
        JsonNode net = call(input("resolveNetwork", name, v, "\"startedAt\":\"" + clock.instant() + "\""));
        ObjectNode deploy = call(input("deploy", name, v, "\"network\":" + net + ",\"hostGroupArn\":\"\",\"attempt\":0,"
                + "\"deadline\":\"" + net.get("deadline").asText() + "\""));
        if (!deploy.get("outcome").asText().equals("NO_CHANGES")) {
            clock.advance(Duration.ofMinutes(5));
            ObjectNode status = call(input("readStatus", name, v, "\"workflow\":\"provision\",\"attempt\":1,\"deadline\":\""
                    + net.get("deadline").asText() + "\""));
            if (!status.get("status").asText().equals("COMPLETE")) {
                throw new IllegalStateException("provisioning did not complete: " + status);
            }
        }
        call(input("finalize", name, v, null));
        return record(name);
    }

    static String input(String action, String stack, long specVersion, String more) {
        return "{\"action\":\"" + action + "\",\"stack\":\"" + stack + "\",\"specVersion\":" + specVersion
                + (more == null ? "" : "," + more) + "}";
    }

    Optional<String> groupOf(String name) {
        return record(name).groupName();
    }
}
