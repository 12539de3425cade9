package io.agentstacks.images;

import io.agentstacks.scaling.FleetControl;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackStatus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Rolls a new agent AMI out to the fleets that run it: on an {@code AVAILABLE} image of one (os, arch),
 * starts an instance refresh of every ACTIVE stack of that os and arch that has {@code imageRollout} on
 * and takes its AMI from the image pipeline (no fixed {@code ami} in its spec).
 *
 * <p>The launch templates read the AMI through {@code resolve:ssm:}, so a refresh that replaces every
 * instance is what brings the new AMI in (a refresh that skips matching instances would replace none);
 * instances protected from scale-in, i.e. running a job, are waited for by the refresh. UPDATING stacks
 * are left to their update, and DEGRADED ones (Semaphore rejects their token) keep the agents they
 * have: their new instances could not register.
 *
 * <p>Idempotent: {@link FleetControl#startInstanceRefresh} answers the running refresh instead of
 * starting another, so a second delivery of the same event starts nothing new.
 */
public final class ImageRollout {

    private final StackRegistry registry;
    private final FleetControl fleets;

    public ImageRollout(StackRegistry registry, FleetControl fleets) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.fleets = Objects.requireNonNull(fleets, "fleets");
    }

    /** What one event led to. */
    public sealed interface Outcome {
        /** The event needs no roll-out (an image that is not AVAILABLE yet, or failed). */
        record Ignored(String reason) implements Outcome {
        }

        /** Refreshes started (or already running) for the stacks of the image's os and arch. */
        record Refreshed(ImageStateChange image, List<Refresh> refreshes) implements Outcome {
            public Refreshed {
                refreshes = List.copyOf(refreshes);
            }
        }
    }

    public record Refresh(String stack, String groupName, String instanceRefreshId) {
    }

    /**
     * Handles one EventBridge event.
     *
     * @throws IllegalArgumentException when the event is malformed (before anything is refreshed)
     */
    public Outcome onImageStateChange(String eventJson) {
        ImageStateChange image = ImageStateChange.parse(eventJson);
        if (!image.available()) {
            return new Outcome.Ignored("image " + image.imageArn() + " is " + image.status() + ", not " + ImageStateChange.AVAILABLE);
        }
        List<StackRecord> targets = registry.listLive().stream()
                .filter(r -> r.status() == StackStatus.ACTIVE)
                .filter(r -> r.spec().os() == image.os() && r.spec().arch() == image.arch())
                .filter(r -> r.spec().imageRollout())
                .filter(r -> r.spec().ami().isEmpty())
                .filter(r -> r.groupName().isPresent())
                .sorted(Comparator.comparing(StackRecord::name))
                .toList();
        List<Refresh> refreshes = new ArrayList<>();
        for (StackRecord stack : targets) {
            String group = stack.groupName().orElseThrow();
            refreshes.add(new Refresh(stack.name(), group, fleets.startInstanceRefresh(group)));
        }
        return new Outcome.Refreshed(image, refreshes);
    }
}
