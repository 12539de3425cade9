package io.agentstacks.tokenrotator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.events.EventSink;
import io.agentstacks.inmemory.ForwardingStackRegistry;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.inmemory.InMemoryTokenStore;
import io.agentstacks.inmemory.ManualClock;
import io.agentstacks.inmemory.ProgrammableSemaphore;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackTransitions;
import io.agentstacks.token.AgentToken;
import io.agentstacks.token.TokenRotation;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** In-memory ports, a driven clock, and API Gateway events as API Gateway sends them. */
final class Fixture {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String ENDPOINT = "https://acme.semaphoreci.com";
    static final Instant T0 = Instant.parse("2025-03-01T08:00:00Z");

    final ManualClock clock = new ManualClock(T0);
    final InMemoryStackRegistry registry = new InMemoryStackRegistry();
    /** Every record the rotator stored, in order. */
    final List<StackRecord> registryWrites = new ArrayList<>();
    final InMemoryTokenStore tokens = new InMemoryTokenStore();
    final InMemoryEventSink events = new InMemoryEventSink();
    final ProgrammableSemaphore semaphore = new ProgrammableSemaphore(clock);
    final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    final TokenRotatorHandler handler;

    Fixture() {
        this((PrintStream) null);
    }

    /** @param out where log lines go; null for a buffer of the fixture's own */
    Fixture(PrintStream out) {
        this(out, TokenRotation.Pause.SLEEP);
    }

    /** @param pause how a rotation waits for another one of the same stack */
    Fixture(TokenRotation.Pause pause) {
        this(null, pause);
    }

    private Fixture(PrintStream out, TokenRotation.Pause pause) {
        PrintStream logOut = out != null ? out : new PrintStream(logBytes, true, StandardCharsets.UTF_8);
        StackRegistry recording = new ForwardingStackRegistry(registry) {
            @Override
            public PutResult put(StackRecord next) {
                PutResult result = registry.put(next);
                if (result instanceof PutResult.Stored s) {
                    registryWrites.add(s.stored());
                }
                return result;
            }
        };
        EventSink sink = events;
        handler = new TokenRotatorHandler(new TokenRotation(semaphore, tokens, recording, sink, clock, pause),
                new JsonLog(logOut, clock));
    }

    static StackSpec spec(String name) {
        return StackSpec.builder(name, name + "-token").semaphoreOrganization("acme").build();
    }

    /** A stack taken through the status machine to ACTIVE, with {@code token} stored as version 1. */
    StackRecord liveStack(String name, AgentToken token) {
        StackSpec spec = spec(name);
        StackRecord r = stored(registry.put(StackRecord.first(spec, clock.instant())));
        r = stored(registry.put(StackTransitions.provisioningStarted(r, clock.instant())));
        r = stored(registry.put(StackTransitions.ready(r, name + "-asg",
                "arn:aws:cloudformation:eu-west-1:111122223333:stack/" + name + "/1", clock.instant())));
        tokens.write(spec.agentTokenParameterName(), token, Optional.empty());
        return stored(registry.put(r.toBuilder().tokenParameterVersion(OptionalLong.of(1)).build()));
    }

    static StackRecord stored(StackRegistry.PutResult result) {
        assertThat(result).isInstanceOf(StackRegistry.PutResult.Stored.class);
        return ((StackRegistry.PutResult.Stored) result).stored();
    }

    StackRecord record(String name) {
        return registry.get(name).orElseThrow();
    }

    /** The PUT event API Gateway sends for {@code stack} with {@code body}. */
    static ObjectNode putEvent(String stack, String body) {
        ObjectNode event;
        try (InputStream in = Fixture.class.getResourceAsStream("/events/put-token.json")) {
            event = (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        event.put("path", "/stacks/" + stack + "/token");
        ((ObjectNode) event.get("pathParameters")).put("name", stack);
        ((ObjectNode) event.get("requestContext")).put("path", "/prod/stacks/" + stack + "/token");
        if (body == null) {
            event.putNull("body");
        } else {
            event.put("body", body);
        }
        return event;
    }

    static ObjectNode putToken(String stack, AgentToken token) {
        return putEvent(stack, "{\"token\":\"" + token.reveal() + "\"}");
    }

    /** Invokes the handler as the Lambda runtime does: JSON bytes in, JSON bytes out. */
    Answer invoke(JsonNode event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            handler.handle(new ByteArrayInputStream(JSON.writeValueAsBytes(event)), out);
            return new Answer(JSON.readTree(out.toByteArray()), out.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String logs() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    List<JsonNode> logLines() {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : logs().split("\n")) {
            if (!line.isBlank()) {
                try {
                    lines.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new AssertionError("not a JSON log line: " + line, e);
                }
            }
        }
        return lines;
    }

    /** The raw output and its proxy-response fields. */
    record Answer(JsonNode json, String raw) {
        int status() {
            return json.path("statusCode").asInt();
        }

        String header(String name) {
            return json.path("headers").path(name).asText(null);
        }

        JsonNode body() {
            try {
                return JSON.readTree(json.path("body").asText());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
