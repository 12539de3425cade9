package io.agentstacks.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstacks.inmemory.ForwardingStackRegistry;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.spec.StackSpec;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

class StackRegistryUpdateTest {

    private static final Instant NOW = Instant.parse("2025-01-01T10:00:00Z");

    private final InMemoryStackRegistry registry = new InMemoryStackRegistry();

    private StackRecord stored(String name) {
        StackSpec spec = StackSpec.builder(name, "/semaphore/" + name + "/token").semaphoreOrganization("acme").build();
        return ((StackRegistry.PutResult.Stored) registry.put(StackRecord.first(spec, NOW))).stored();
    }

    private static StackRecord withReason(StackRecord r, String reason) {
        return r.toBuilder().reason(Optional.of(reason)).build();
    }

    @Test
    void aChangeIsWrittenOnTheRevisionReadAndAnswersTheStoredRecord() {
        StackRecord read = stored("linux");

        StackRegistry.Update result = registry.update("linux", r -> withReason(r, "changed"));

        assertThat(result).isInstanceOfSatisfying(StackRegistry.Update.Done.class, done -> {
            assertThat(done.written()).isTrue();
            assertThat(done.record().revision()).isEqualTo(read.revision() + 1);
        });
        assertThat(registry.get("linux").orElseThrow().reason()).contains("changed");
    }

    @Test
    void aChangeThatChangesNothingWritesNothing() {
        StackRecord read = stored("linux");

        StackRegistry.Update result = registry.update("linux", r -> r);

        assertThat(result).isEqualTo(new StackRegistry.Update.Done(read, false));
        assertThat(registry.get("linux").orElseThrow().revision()).isEqualTo(read.revision());
    }

    @Test
    void afterLosingARaceTheChangeIsAppliedAgainToWhatTheWinnerStored() {
        StackRecord stale = stored("linux");
        registry.put(withReason(stale, "the other writer's"));

        StackRegistry.Update result = registry.update(stale, r -> r.toBuilder().groupName(Optional.of("linux-asg")).build());

        StackRecord now = registry.get("linux").orElseThrow();
        assertThat(result).isInstanceOf(StackRegistry.Update.Done.class);
        assertThat(now.groupName()).contains("linux-asg");
        assertThat(now.reason()).contains("the other writer's");
    }

    @Test
    void aRecordDeletedUnderTheWriterIsGone() {
        assertThat(registry.update("nothing-here", r -> withReason(r, "x"))).isInstanceOf(StackRegistry.Update.Gone.class);
    }

    @Test
    void whenOtherWritersWinEveryRaceNothingIsWrittenAndTheAnswerIsBusy() {
        StackRecord read = stored("linux");
        AtomicInteger applied = new AtomicInteger();
        StackRegistry alwaysLosing = new ForwardingStackRegistry(registry) {
            @Override
            public PutResult put(StackRecord next) {
                // Another writer gets in first every time.
                StackRecord current = registry.get(next.name()).orElseThrow();
                registry.put(withReason(current, "other " + current.revision()));
                return registry.put(next);
            }
        };

        StackRegistry.Update result = alwaysLosing.update(read, r -> {
            applied.incrementAndGet();
            return r.toBuilder().groupName(Optional.of("linux-asg")).build();
        });

        assertThat(result).isInstanceOf(StackRegistry.Update.Busy.class);
        assertThat(applied).hasValue(StackRegistry.UPDATE_ATTEMPTS);
        assertThat(registry.get("linux").orElseThrow().groupName()).isEmpty();
    }
}
