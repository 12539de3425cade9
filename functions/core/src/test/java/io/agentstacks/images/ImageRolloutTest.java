package io.agentstacks.images;

import io.agentstacks.inmemory.ForwardingStackRegistry;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.scaling.FleetControl;
import io.agentstacks.scaling.GroupState;
import io.agentstacks.spec.Arch;
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageRolloutTest {

    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");
    private static final String NOBLE_ARM_IMAGE =
            "arn:aws:imagebuilder:eu-west-1:123456789012:image/semaphore-agent-ubuntu-noble-arm64/1.0.0/7";

    private final InMemoryStackRegistry registry = new InMemoryStackRegistry();
    private final RecordingFleets fleets = new RecordingFleets();
    private final ImageRollout rollout = new ImageRollout(registry, fleets);

    /** Starts refreshes as Auto Scaling does: one per group at a time, a second start answers the running one. */
    static class RecordingFleets implements FleetControl {
        final List<String> started = new ArrayList<>();
        final Map<String, String> running = new HashMap<>();
        /** Groups whose StartInstanceRefresh fails, with Auto Scaling's error. */
        final Map<String, RuntimeException> refusing = new HashMap<>();

        /** Every running refresh completes (a small fleet is replaced within minutes). */
        void finishAll() {
            running.clear();
        }

        @Override
        public String startInstanceRefresh(String groupName) {
            RuntimeException refusal = refusing.get(groupName);
            if (refusal != null) {
                throw refusal;
            }
            return running.computeIfAbsent(groupName, g -> {
                started.add(g);
                return "refresh-" + started.size();
            });
        }

        @Override
        public Optional<GroupState> describe(String groupName) {
            throw new UnsupportedOperationException("the roll-out does not describe groups");
        }

        @Override
        public void setDesiredCapacity(String groupName, int desiredCapacity) {
            throw new UnsupportedOperationException("the roll-out does not scale");
        }

        @Override
        public void updateSizes(String groupName, int minSize, int maxSize, int desiredCapacity) {
            throw new UnsupportedOperationException("the roll-out does not scale");
        }

        @Override
        public void suspendAzRebalance(String groupName) {
            throw new UnsupportedOperationException("the roll-out does not touch processes");
        }
    }

    static String event(String imageArn, String status) {
        return """
                {"version":"0","id":"3f2c1a9e-6d5b-4c2e-9a1f-7b8e0d4c2a11","detail-type":"EC2 Image Builder Image State Change",
                 "source":"aws.imagebuilder","account":"123456789012","time":"2026-11-27T09:58:12Z","region":"eu-west-1",
                 "resources":["%s"],
                 "detail":{"previous-state":{"status":"DISTRIBUTING"},"state":{"status":"%s"}}}
                """.formatted(imageArn, status);
    }

    private void stack(String name, OperatingSystem os, Arch arch, StackStatus status, boolean imageRollout) {
        stack(name, os, arch, status, imageRollout, Optional.empty());
    }

    private void stack(String name, OperatingSystem os, Arch arch, StackStatus status, boolean imageRollout, Optional<String> ami) {
        StackSpec spec = StackSpec.builder(name, name + "-token").semaphoreOrganization("acme")
                .os(os).arch(arch).imageRollout(imageRollout).ami(ami).build();
        StackRecord record = StackRecord.first(spec, NOW).toBuilder().status(status)
                .groupName(status.hasLiveGroup() || status == StackStatus.FAILED ? Optional.of(name + "-asg") : Optional.empty())
                .build();
        assertThat(registry.put(record)).isInstanceOf(StackRegistry.PutResult.Stored.class);
    }

    private void fleet() {
        stack("noble-arm-a", OperatingSystem.UBUNTU_NOBLE, Arch.ARM64, StackStatus.ACTIVE, true);
        stack("noble-arm-b", OperatingSystem.UBUNTU_NOBLE, Arch.ARM64, StackStatus.ACTIVE, true);
        stack("noble-arm-pinned-off", OperatingSystem.UBUNTU_NOBLE, Arch.ARM64, StackStatus.ACTIVE, false);
        stack("noble-arm-own-ami", OperatingSystem.UBUNTU_NOBLE, Arch.ARM64, StackStatus.ACTIVE, true, Optional.of("ami-0abc1234def567890"));
        stack("noble-arm-failed", OperatingSystem.UBUNTU_NOBLE, Arch.ARM64, StackStatus.FAILED, true);
        stack("noble-arm-deleted", OperatingSystem.UBUNTU_NOBLE, Arch.ARM64, StackStatus.DELETED, true);
        stack("noble-arm-updating", OperatingSystem.UBUNTU_NOBLE, Arch.ARM64, StackStatus.UPDATING, true);
        stack("noble-arm-degraded", OperatingSystem.UBUNTU_NOBLE, Arch.ARM64, StackStatus.DEGRADED, true);
        stack("noble-x86", OperatingSystem.UBUNTU_NOBLE, Arch.X86_64, StackStatus.ACTIVE, true);
        stack("jammy-arm", OperatingSystem.UBUNTU_JAMMY, Arch.ARM64, StackStatus.ACTIVE, true);
        stack("windows", OperatingSystem.WINDOWS, Arch.X86_64, StackStatus.ACTIVE, true);
    }

    @Test
    void anAvailableNobleArmImageRefreshesExactlyTheActiveNobleArmStacksWithRolloutOn() {
        fleet();

        ImageRollout.Outcome outcome = rollout.onImageStateChange(event(NOBLE_ARM_IMAGE, "AVAILABLE"));

        assertThat(fleets.started).containsExactly("noble-arm-a-asg", "noble-arm-b-asg");
        assertThat(outcome).isInstanceOfSatisfying(ImageRollout.Outcome.Refreshed.class, r -> {
            assertThat(r.image().os()).isEqualTo(OperatingSystem.UBUNTU_NOBLE);
            assertThat(r.image().arch()).isEqualTo(Arch.ARM64);
            assertThat(r.refreshes()).containsExactly(
                    new ImageRollout.Refresh("noble-arm-a", "noble-arm-a-asg", "refresh-1"),
                    new ImageRollout.Refresh("noble-arm-b", "noble-arm-b-asg", "refresh-2"));
        });
    }

    @Test
    void aSecondDeliveryOfTheSameEventStartsNoSecondRefreshEvenAfterTheFirstHasFinished() {
        fleet();
        String event = event(NOBLE_ARM_IMAGE, "AVAILABLE");

        rollout.onImageStateChange(event);
        fleets.finishAll();
        ImageRollout.Outcome again = rollout.onImageStateChange(event);

        assertThat(fleets.started).containsExactly("noble-arm-a-asg", "noble-arm-b-asg");
        assertThat(again).isInstanceOfSatisfying(ImageRollout.Outcome.Refreshed.class, r -> {
            assertThat(r.refreshes()).isEmpty();
            assertThat(r.failed()).isEmpty();
            assertThat(r.skipped()).containsExactly(new ImageRollout.Skipped("noble-arm-a", "image already rolled out"),
                    new ImageRollout.Skipped("noble-arm-b", "image already rolled out"));
        });
        assertThat(registry.get("noble-arm-a").orElseThrow().rolledOutImage()).contains(NOBLE_ARM_IMAGE);
        assertThat(registry.get("noble-x86").orElseThrow().rolledOutImage()).isEmpty();
    }

    @Test
    void theImageIsRecordedOnTheStackBeforeItsRefreshStarts() {
        stack("noble-arm-a", OperatingSystem.UBUNTU_NOBLE, Arch.ARM64, StackStatus.ACTIVE, true);
        List<Optional<String>> recordedWhenStarted = new ArrayList<>();
        FleetControl looking = new RecordingFleets() {
            @Override
            public String startInstanceRefresh(String groupName) {
                recordedWhenStarted.add(registry.get("noble-arm-a").orElseThrow().rolledOutImage());
                return super.startInstanceRefresh(groupName);
            }
        };

        new ImageRollout(registry, looking).onImageStateChange(event(NOBLE_ARM_IMAGE, "AVAILABLE"));

        assertThat(recordedWhenStarted).containsExactly(Optional.of(NOBLE_ARM_IMAGE));
    }

    @Test
    void twoDeliveriesRacingOnOneStackStartOneRefresh() {
        stack("noble-arm-a", OperatingSystem.UBUNTU_NOBLE, Arch.ARM64, StackStatus.ACTIVE, true);
        String event = event(NOBLE_ARM_IMAGE, "AVAILABLE");
        List<ImageRollout.Outcome> second = new ArrayList<>();
        // The second delivery runs while the first is between its listing and its claim: both read the stack unclaimed.
        StackRegistry racing = new ForwardingStackRegistry(registry) {
            boolean raced;

            @Override
            public PutResult put(StackRecord next) {
                if (!raced && next.rolledOutImage().isPresent()) {
                    raced = true;
                    second.add(new ImageRollout(registry, fleets).onImageStateChange(event));
                }
                return registry.put(next);
            }
        };

        ImageRollout.Outcome first = new ImageRollout(racing, fleets).onImageStateChange(event);

        assertThat(fleets.started).containsExactly("noble-arm-a-asg");
        assertThat(second).singleElement().isInstanceOfSatisfying(ImageRollout.Outcome.Refreshed.class,
                r -> assertThat(r.refreshes()).hasSize(1));
        assertThat(first).isInstanceOfSatisfying(ImageRollout.Outcome.Refreshed.class, r -> {
            assertThat(r.refreshes()).isEmpty();
            assertThat(r.skipped()).containsExactly(new ImageRollout.Skipped("noble-arm-a", "image already rolled out"));
        });
    }

    @Test
    void oneStackThatCannotBeRefreshedStopsNoOtherAndIsReportedAndRetriedByTheNextDelivery() {
        fleet();
        stack("noble-arm-c", OperatingSystem.UBUNTU_NOBLE, Arch.ARM64, StackStatus.ACTIVE, true);
        fleets.refusing.put("noble-arm-b-asg", new IllegalStateException("ScalingActivityInProgress: an update is in progress"));
        String event = event(NOBLE_ARM_IMAGE, "AVAILABLE");

        ImageRollout.Outcome outcome = rollout.onImageStateChange(event);

        assertThat(fleets.started).containsExactly("noble-arm-a-asg", "noble-arm-c-asg");
        assertThat(outcome).isInstanceOfSatisfying(ImageRollout.Outcome.Refreshed.class, r -> {
            assertThat(r.refreshes()).extracting(ImageRollout.Refresh::stack).containsExactly("noble-arm-a", "noble-arm-c");
            assertThat(r.failed()).singleElement().satisfies(f -> {
                assertThat(f.stack()).isEqualTo("noble-arm-b");
                assertThat(f.groupName()).isEqualTo("noble-arm-b-asg");
                assertThat(f.reason()).isEqualTo("StartInstanceRefresh failed: IllegalStateException: "
                        + "ScalingActivityInProgress: an update is in progress");
            });
        });
        assertThat(registry.get("noble-arm-b").orElseThrow().rolledOutImage()).as("put back, for a retry").isEmpty();

        // EventBridge delivers the event again once Auto Scaling accepts: only the failed stack is refreshed.
        fleets.refusing.clear();
        fleets.finishAll();
        ImageRollout.Outcome retry = rollout.onImageStateChange(event);

        assertThat(fleets.started).containsExactly("noble-arm-a-asg", "noble-arm-c-asg", "noble-arm-b-asg");
        assertThat(retry).isInstanceOfSatisfying(ImageRollout.Outcome.Refreshed.class,
                r -> assertThat(r.refreshes()).extracting(ImageRollout.Refresh::stack).containsExactly("noble-arm-b"));
    }

    @Test
    void aNewerImageRollsOutAgain() {
        fleet();
        rollout.onImageStateChange(event(NOBLE_ARM_IMAGE, "AVAILABLE"));
        fleets.finishAll();
        String newer = NOBLE_ARM_IMAGE.replace("/1.0.0/7", "/1.0.0/8");

        rollout.onImageStateChange(event(newer, "AVAILABLE"));

        assertThat(fleets.started).containsExactly("noble-arm-a-asg", "noble-arm-b-asg", "noble-arm-a-asg", "noble-arm-b-asg");
        assertThat(registry.get("noble-arm-b").orElseThrow().rolledOutImage()).contains(newer);
    }

    @Test
    void aLateOrRetriedEventForAnOlderImageLeavesTheNewerOneInPlace() {
        fleet();
        String newer = NOBLE_ARM_IMAGE.replace("/1.0.0/7", "/1.0.10/1");
        rollout.onImageStateChange(event(newer, "AVAILABLE"));
        fleets.finishAll();

        for (String older : List.of(NOBLE_ARM_IMAGE, NOBLE_ARM_IMAGE.replace("/1.0.0/7", "/1.0.9/30"),
                NOBLE_ARM_IMAGE.replace("/1.0.0/7", "/0.99.99/99"))) {
            ImageRollout.Outcome outcome = rollout.onImageStateChange(event(older, "AVAILABLE"));
            assertThat(outcome).as(older).isInstanceOfSatisfying(ImageRollout.Outcome.Refreshed.class, r -> {
                assertThat(r.refreshes()).isEmpty();
                assertThat(r.skipped()).extracting(ImageRollout.Skipped::reason)
                        .containsOnly(ImageRollout.NEWER_ROLLED_OUT + newer);
            });
        }

        assertThat(fleets.started).containsExactly("noble-arm-a-asg", "noble-arm-b-asg");
        assertThat(registry.get("noble-arm-a").orElseThrow().rolledOutImage()).contains(newer);
    }

    @Test
    void anOlderImageWinsNoRaceAgainstANewerOneRecordedMeanwhile() {
        stack("noble-arm-a", OperatingSystem.UBUNTU_NOBLE, Arch.ARM64, StackStatus.ACTIVE, true);
        String newer = NOBLE_ARM_IMAGE.replace("/1.0.0/7", "/1.1.0/1");
        StackRecord read = registry.get("noble-arm-a").orElseThrow();
        // Another delivery records the newer image between this one's read and its conditional write.
        registry.update(read, r -> r.toBuilder().rolledOutImage(Optional.of(newer)).build());
        StackRegistry stale = new ForwardingStackRegistry(registry) {
            @Override
            public List<StackRecord> listLive() {
                return List.of(read);
            }
        };
        ImageRollout racing = new ImageRollout(stale, fleets);

        ImageRollout.Outcome outcome = racing.onImageStateChange(event(NOBLE_ARM_IMAGE, "AVAILABLE"));

        assertThat(fleets.started).isEmpty();
        assertThat(outcome).isInstanceOfSatisfying(ImageRollout.Outcome.Refreshed.class, r -> assertThat(r.skipped())
                .extracting(ImageRollout.Skipped::reason).containsExactly(ImageRollout.NEWER_ROLLED_OUT + newer));
        assertThat(registry.get("noble-arm-a").orElseThrow().rolledOutImage()).contains(newer);
    }

    @Test
    void imagesCompareByVersionNumbersThenBuildAndOnlyWithinOneRecipe() {
        ImageStateChange.ImageVersion v = ImageStateChange.versionOf(NOBLE_ARM_IMAGE).orElseThrow();
        assertThat(v).isEqualTo(new ImageStateChange.ImageVersion("semaphore-agent-ubuntu-noble-arm64", 1, 0, 0, 7));
        assertThat(ImageStateChange.versionOf(NOBLE_ARM_IMAGE.replace("/1.0.0/7", "/1.0.10/1")).orElseThrow()).isGreaterThan(
                ImageStateChange.versionOf(NOBLE_ARM_IMAGE.replace("/1.0.0/7", "/1.0.9/3")).orElseThrow());
        assertThat(ImageStateChange.versionOf(NOBLE_ARM_IMAGE.replace("/1.0.0/7", "/1.0.0/8")).orElseThrow()).isGreaterThan(v);
        assertThat(ImageStateChange.versionOf("ami-0abc1234def567890")).isEmpty();
        assertThatThrownBy(() -> v.compareTo(ImageStateChange.versionOf(NOBLE_ARM_IMAGE.replace("arm64", "x86_64")).orElseThrow()))
                .hasMessageContaining("not comparable");
    }

    @ParameterizedTest
    @ValueSource(strings = {"BUILDING", "TESTING", "DISTRIBUTING", "FAILED", "CANCELLED", "DEPRECATED"})
    void anImageThatIsNotAvailableRefreshesNothing(String status) {
        fleet();

        ImageRollout.Outcome outcome = rollout.onImageStateChange(event(NOBLE_ARM_IMAGE, status));

        assertThat(outcome).isInstanceOfSatisfying(ImageRollout.Outcome.Ignored.class,
                i -> assertThat(i.reason()).contains(status));
        assertThat(fleets.started).isEmpty();
    }

    @Test
    void theWindowsAndMacosImagesAreRecognisedByTheirRecipeNames() {
        fleet();
        stack("mac", OperatingSystem.MACOS, Arch.ARM64, StackStatus.ACTIVE, true);

        rollout.onImageStateChange(event("arn:aws:imagebuilder:eu-west-1:123456789012:image/"
                + ImageStateChange.recipeName(OperatingSystem.WINDOWS, Arch.X86_64) + "/1.0.0/1", "AVAILABLE"));
        rollout.onImageStateChange(event("arn:aws:imagebuilder:eu-west-1:123456789012:image/semaphore-agent-macos-arm64/1.0.0/2", "AVAILABLE"));

        assertThat(fleets.started).containsExactly("windows-asg", "mac-asg");
    }

    @Test
    void malformedEventsAreRejectedNamingTheFieldBeforeAnythingIsRefreshed() {
        fleet();
        assertThatThrownBy(() -> rollout.onImageStateChange("not json")).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> rollout.onImageStateChange("[]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> rollout.onImageStateChange(event(NOBLE_ARM_IMAGE, "AVAILABLE").replace("aws.imagebuilder", "aws.ec2")))
                .hasMessageContaining("source: expected 'aws.imagebuilder', got 'aws.ec2'");
        assertThatThrownBy(() -> rollout.onImageStateChange(event(NOBLE_ARM_IMAGE, "AVAILABLE").replace("\"state\":{\"status\":\"AVAILABLE\"}", "\"state\":{}")))
                .hasMessageContaining("detail.state.status: required");
        assertThatThrownBy(() -> rollout.onImageStateChange(event(NOBLE_ARM_IMAGE, "AVAILABLE").replace("\"resources\":[\"" + NOBLE_ARM_IMAGE + "\"]", "\"resources\":[]")))
                .hasMessageContaining("resources: expected exactly one image ARN");
        assertThatThrownBy(() -> rollout.onImageStateChange(event("arn:aws:ec2:eu-west-1::image/ami-123", "AVAILABLE")))
                .hasMessageContaining("resources[0]: not an Image Builder image ARN");
        assertThatThrownBy(() -> rollout.onImageStateChange(event("arn:aws:imagebuilder:eu-west-1:123456789012:image/web-server/1.0.0/1", "AVAILABLE")))
                .hasMessageContaining("is not an agent image");
        assertThatThrownBy(() -> rollout.onImageStateChange(event("arn:aws:imagebuilder:eu-west-1:123456789012:image/semaphore-agent-debian-arm64/1.0.0/1", "AVAILABLE")))
                .hasMessageContaining("unknown os 'debian'");
        assertThatThrownBy(() -> rollout.onImageStateChange(event("arn:aws:imagebuilder:eu-west-1:123456789012:image/semaphore-agent-windows-arm64/1.0.0/1", "AVAILABLE")))
                .hasMessageContaining("which agents do not run on");
        assertThatThrownBy(() -> rollout.onImageStateChange(event("arn:aws:imagebuilder:eu-west-1:123456789012:image/semaphore-agent-ubuntu-noble-riscv/1.0.0/1", "AVAILABLE")))
                .hasMessageContaining("names no known arch");
        assertThat(fleets.started).isEmpty();
    }
}
