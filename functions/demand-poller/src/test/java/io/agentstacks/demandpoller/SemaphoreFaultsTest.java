package io.agentstacks.demandpoller;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.agentstacks.demandpoller.Fixtures.MINUTE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.agentstacks.events.DomainEvent;
import io.agentstacks.events.EventJson;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryFleetControl;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.inmemory.ManualClock;
import io.agentstacks.scaler.Scaler;
import io.agentstacks.semaphore.SemaphoreDemandSource;
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.spec.Overprovision;
import io.agentstacks.spec.Scaling;
import io.agentstacks.spec.ScalingPolicyKind;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Semaphore misbehaving in every way seen in the wild, one stack per fault, against the real HTTP
 * client on a loopback stand-in; the poller's events reach the real scaler as the EventBridge rule
 * delivers them. No fault lowers capacity, crashes a handler or holds back the healthy stack, and each
 * is visible in an event or a metric.
 */
class SemaphoreFaultsTest {

    @RegisterExtension
    static WireMockExtension semaphore = WireMockExtension.newInstance()
            .options(wireMockConfig().bindAddress("127.0.0.1").dynamicPort().containerThreads(32)).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OK_BODY = "{\"jobs\":{\"queued\":5,\"running\":0},\"agents\":{\"idle\":0,\"occupied\":0}}";

    private final InMemoryStackRegistry registry = new InMemoryStackRegistry();
    private final Fixtures.MapTokenStore tokens = new Fixtures.MapTokenStore();
    private final InMemoryEventSink bus = new InMemoryEventSink();
    private final ManualClock clock = new ManualClock(MINUTE);
    private final InMemoryFleetControl fleet = new InMemoryFleetControl(clock);
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final List<String> scalerOutcomes = new CopyOnWriteArrayList<>();
    private final Map<String, String> faultByStack = new LinkedHashMap<>();
    private DemandPoller poller;
    private ServerSocket blackHole;
    private final List<Socket> heldOpen = new ArrayList<>();

    @BeforeEach
    void wire() throws IOException {
        Scaler scaler = new Scaler(registry, fleet, bus, clock, log::add);
        bus.subscribe(e -> {
            if (e instanceof DomainEvent.DemandObserved d) {
                JsonNode delivered = EventJson.envelope(d, "123456789012", "us-east-1");
                scalerOutcomes.add(d.stack() + ":" + scaler.handle(delivered).outcome());
            }
        });
        poller = new DemandPoller(registry, tokens, SemaphoreDemandSource.allowingLoopbackHttp(clock), bus, clock, log::add,
                DemandPoller.Settings.defaults());
        // A server that accepts connections and never answers: the request timeout is all that ends them.
        blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!blackHole.isClosed()) {
                try {
                    heldOpen.add(blackHole.accept());
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void stop() throws IOException {
        poller.close();
        blackHole.close();
        for (Socket s : heldOpen) {
            s.close();
        }
    }

    private void stack(String name, String endpoint) {
        StackSpec spec = StackSpec.builder(name, "/semaphore/" + name + "/token").semaphoreEndpoint(endpoint).maxSize(20)
                .scaling(new Scaling(ScalingPolicyKind.UP_DOWN, 60, Overprovision.none())).build();
        Fixtures.active(registry, spec, MINUTE.minusSeconds(3600));
        tokens.put(spec.agentTokenParameterName(), "token-" + name);
        fleet.createGroup(new InMemoryFleetControl.GroupConfig(name + "-asg", OperatingSystem.Family.LINUX, 0, 20, 0, 0,
                false));
    }

    private void answer(String name, ResponseDefinitionBuilder response) {
        semaphore.stubFor(get(urlEqualTo("/api/v1/self_hosted_agents/metrics"))
                .withHeader("Authorization", equalTo("Token token-" + name)).willReturn(response));
    }

    private void fault(String name, String fault, ResponseDefinitionBuilder response) {
        faultByStack.put(name, fault);
        answer(name, response);
    }

    private PollResult pollAt(int secondsAfterMinute) {
        clock.set(MINUTE.plusSeconds(secondsAfterMinute));
        return poller.poll(new PollRequest(MINUTE.plusSeconds(secondsAfterMinute - secondsAfterMinute % 60),
                secondsAfterMinute % 60, false));
    }

    private int desired(String name) {
        return fleet.describe(name + "-asg").orElseThrow().desiredCapacity();
    }

    @Test
    void noFaultLowersCapacityCrashesOrDelaysTheOtherStacks() throws Exception {
        List<String> names = List.of("healthy", "timeout", "http500", "http503", "rejected401", "rejected404", "malformed",
                "huge", "slow3s");
        for (String n : names) {
            stack(n, n.equals("timeout") ? "http://127.0.0.1:" + blackHole.getLocalPort() : semaphore.baseUrl());
            answer(n, aResponse().withStatus(200).withBody(OK_BODY));
        }

        // Every stack is healthy at first: all scale to the 5 queued jobs. (Two polls, so that a first
        // call slowed by a cold JVM on a busy machine does not decide the test.)
        pollAt(0);
        pollAt(10);
        for (String n : names) {
            if (!n.equals("timeout")) {
                assertThat(desired(n)).as(n).isEqualTo(5);
            }
        }
        // The timeout stack's Semaphore never answered; its group was never touched.
        assertThat(desired("timeout")).isZero();
        fleet.setDesiredCapacity("timeout-asg", 5);

        // Then everything breaks, except one stack whose demand rises.
        answer("healthy", aResponse().withStatus(200)
                .withBody("{\"jobs\":{\"queued\":7,\"running\":0},\"agents\":{\"idle\":0,\"occupied\":0}}"));
        fault("http500", "unavailable", aResponse().withStatus(500).withBody("Internal Server Error"));
        fault("http503", "unavailable", aResponse().withStatus(503));
        fault("rejected401", "token-rejected", aResponse().withStatus(401).withBody("{\"message\":\"Unauthorized\"}"));
        fault("rejected404", "token-rejected", aResponse().withStatus(404).withBody("{\"message\":\"Not Found\"}"));
        fault("malformed", "unavailable", aResponse().withStatus(200).withBody("{\"jobs\":{\"queued\": oops"));
        byte[] tenMegabytes = new byte[10 * 1024 * 1024];
        java.util.Arrays.fill(tenMegabytes, (byte) '7');
        fault("huge", "unavailable", aResponse().withStatus(200).withBody(tenMegabytes));
        fault("slow3s", "unavailable", aResponse().withStatus(200).withFixedDelay(3000).withBody(OK_BODY));
        faultByStack.put("timeout", "unavailable");

        // Minutes of faults: an up-down group with the queue "empty" would be lowered after 60 s, if a
        // failure were ever taken for an empty queue.
        // (No wall-clock bound here: the two silent stacks end by the adapter's request timeout, which the log
        // lines below name, and SemaphoreDemandSourceTest pins.)
        for (int t : new int[] {20, 80, 150}) {
            PollResult r = pollAt(t);
            assertThat(r.polled()).isEqualTo(names.size());
            assertThat(r.failed()).as("every faulty stack, each round").isGreaterThanOrEqualTo(names.size() - 1);
        }

        assertThat(desired("healthy")).isEqualTo(7);
        for (String n : faultByStack.keySet()) {
            assertThat(desired(n)).as(n + " keeps its capacity").isEqualTo(5);
        }
        assertThat(fleet.calls("SetDesiredCapacity")).extracting(c -> c.groupName())
                .as("no call for a failing stack after the faults began")
                .filteredOn(g -> !g.equals("healthy-asg")).hasSize(names.size() - 1);
        assertThat(scalerOutcomes).filteredOn(o -> !o.startsWith("healthy")).allSatisfy(o -> assertThat(o).endsWith(":scaled"));

        // Each fault is said: a TokenRejected event, or a DemandPollFailed metric naming the stack.
        assertThat(bus.published(DomainEvent.TokenRejected.class)).extracting(DomainEvent.TokenRejected::stack)
                .contains("rejected401", "rejected404");
        assertThat(registry.get("rejected401").orElseThrow().status()).isEqualTo(StackStatus.DEGRADED);
        assertThat(registry.get("http500").orElseThrow().status()).isEqualTo(StackStatus.ACTIVE);
        for (Map.Entry<String, String> f : faultByStack.entrySet()) {
            assertThat(log).as(f.getKey()).anySatisfy(l -> {
                JsonNode n = JSON.readTree(l);
                assertThat(n.path("Stack").asText()).isEqualTo(f.getKey());
                assertThat(n.path("Reason").asText()).isEqualTo(f.getValue());
                assertThat(n.path("DemandPollFailed").asInt()).isEqualTo(1);
            });
        }
        assertThat(log).anySatisfy(l -> assertThat(l).contains("\"stack\":\"huge\"").contains("over 65536 bytes"));
        assertThat(log).anySatisfy(l -> assertThat(l).contains("\"stack\":\"slow3s\"").contains("timed out after 2000 ms"));
        assertThat(log).anySatisfy(l -> assertThat(l).contains("\"stack\":\"timeout\"").contains("timed out after 2000 ms"));
        String all = String.join("\n", log);
        for (String n : names) {
            assertThat(all).as("no token in any log line").doesNotContain("token-" + n);
        }
    }
}
