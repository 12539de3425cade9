package io.agentstacks.demandpoller;

import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.inmemory.ManualClock;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackTransitions;
import io.agentstacks.token.AgentToken;
import io.agentstacks.token.StoredToken;
import io.agentstacks.token.TokenStore;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Stacks, tokens and a clock for poller tests. */
final class Fixtures {

    static final Instant MINUTE = Instant.parse("2025-03-01T12:00:00Z");

    private Fixtures() {
    }

    static StackSpec spec(String name, String endpoint, int pollInterval) {
        return StackSpec.builder(name, "/semaphore/" + name + "/token")
                .semaphoreEndpoint(endpoint)
                .maxSize(20)
                .pollIntervalSeconds(pollInterval)
                .build();
    }

    /** Stores an ACTIVE stack with a group, as provisioning leaves it. */
    static StackRecord active(InMemoryStackRegistry registry, StackSpec spec, Instant at) {
        StackRecord first = StackTransitions.specAccepted(Optional.empty(), spec, at);
        StackRecord stored = ((io.agentstacks.stacks.StackRegistry.PutResult.Stored) registry.put(first)).stored();
        StackRecord provisioning = StackTransitions.provisioningStarted(stored, at);
        stored = ((io.agentstacks.stacks.StackRegistry.PutResult.Stored) registry.put(provisioning)).stored();
        StackRecord ready = StackTransitions.ready(stored, spec.stackName() + "-asg", "arn:aws:cloudformation:us-east-1:123456789012:stack/" + spec.stackName() + "/1", at);
        return ((io.agentstacks.stacks.StackRegistry.PutResult.Stored) registry.put(ready)).stored();
    }

    /** Tokens in memory, as an SSM parameter would hold them; a missing name is ParameterNotFound. */
    static final class MapTokenStore implements TokenStore {
        final Map<String, StoredToken> tokens = new ConcurrentHashMap<>();

        void put(String name, String value) {
            tokens.put(name, new StoredToken(new AgentToken(value), 1));
        }

        @Override
        public StoredToken read(String parameterName) {
            StoredToken t = tokens.get(parameterName);
            if (t == null) {
                throw new TokenStoreException("GetParameter: SSM parameter " + parameterName + " does not exist", true, null);
            }
            return t;
        }

        @Override
        public long write(String parameterName, AgentToken token, Optional<String> kmsKeyId) {
            long v = tokens.containsKey(parameterName) ? tokens.get(parameterName).version() + 1 : 1;
            tokens.put(parameterName, new StoredToken(token, v));
            return v;
        }
    }
}
