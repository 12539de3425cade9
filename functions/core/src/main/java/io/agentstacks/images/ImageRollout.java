package io.agentstacks.images;

import io.agentstacks.scaling.FleetControl;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackStatus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Rolls a new agent AMI out to the fleets that run it: on an {@code AVAILABLE} image of one (os, arch),
 * starts an instance refresh of every ACTIVE stack of that os and arch that has {@code imageRollout} on
 * and takes its AMI from the image pipeline (no fixed {@code ami} in its spec).
 *
 * <p>The launch templates read the AMI through {@code resolve:ssm:}, so a refresh that replaces every
 * instance is what brings the new AMI in (a refresh that skips matching instances would replace none);
 * instances protected from scale-in, i.e. running a job, are waited for by the refresh (for one hour: Auto Scaling
 * then fails the refresh, and nothing here notices; the record keeps naming the image). UPDATING stacks
 * are left to their update, and DEGRADED ones (Semaphore rejects their token) keep the agents they
 * have: their new instances could not register.
 *
 * <p>Once per image and stack: before it starts a stack's refresh, the roll-out records the image's ARN in the
 * stack's record ({@link StackRecord#rolledOutImage()}, a conditional write through {@link StackRegistry#update}),
 * and a stack that already holds the ARN is skipped. A retried or duplicated event therefore starts no second
 * refresh, even after the first one has finished; nor does a late or retried event for an image older than the one the
 * stack holds (images compare by Image Builder version, then build number, {@link ImageStateChange.ImageVersion}).
 * One stack's failure (Auto Scaling refuses, the registry is
 * busy) is caught and reported with the others' outcomes; its record is put back as it was, so that a later
 * delivery of the event tries that stack again.
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

        /**
         * The image's roll-out over the stacks of its os and arch: each such stack is in exactly one list.
         *
         * @param refreshes refreshes started now
         * @param skipped   stacks left alone: the image was rolled out to them already, or they stopped qualifying
         * @param failed    stacks whose refresh could not be started; a later delivery of the event tries them again
         */
        record Refreshed(ImageStateChange image, List<Refresh> refreshes, List<Skipped> skipped, List<Failed> failed)
                implements Outcome {
            public Refreshed {
                refreshes = List.copyOf(refreshes);
                skipped = List.copyOf(skipped);
                failed = List.copyOf(failed);
            }
        }
    }

    public record Refresh(String stack, String groupName, String instanceRefreshId) {
    }

    public record Skipped(String stack, String reason) {
    }

    /** @param reason which call failed and why (an AWS error message; never a secret) */
    public record Failed(String stack, String groupName, String reason) {
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
                .filter(r -> qualifies(r, image))
                .sorted(Comparator.comparing(StackRecord::name))
                .toList();
        List<Refresh> refreshes = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        List<Failed> failed = new ArrayList<>();
        for (StackRecord stack : targets) {
            String group = stack.groupName().orElseThrow();
            Optional<String> covered = covered(stack.rolledOutImage(), image);
            if (covered.isPresent()) {
                skipped.add(new Skipped(stack.name(), covered.get()));
                continue;
            }
            StackRegistry.Update claim;
            try {
                claim = registry.update(stack, r -> qualifies(r, image) && r.groupName().equals(stack.groupName())
                        && covered(r.rolledOutImage(), image).isEmpty()
                        ? r.toBuilder().rolledOutImage(Optional.of(image.imageArn())).build() : r);
            } catch (RuntimeException e) {
                failed.add(new Failed(stack.name(), group, "recording the roll-out in the registry failed: " + describe(e)));
                continue;
            }
            if (claim instanceof StackRegistry.Update.Done done && done.written()) {
                try {
                    refreshes.add(new Refresh(stack.name(), group, fleets.startInstanceRefresh(group)));
                } catch (RuntimeException e) {
                    failed.add(new Failed(stack.name(), group, "StartInstanceRefresh failed: " + describe(e)
                            + release(stack.name(), image, stack.rolledOutImage())));
                }
            } else if (claim instanceof StackRegistry.Update.Done done) {
                skipped.add(new Skipped(stack.name(), covered(done.record().rolledOutImage(), image)
                        .orElse("no longer an ACTIVE stack of the image's os and arch")));
            } else if (claim instanceof StackRegistry.Update.Gone) {
                skipped.add(new Skipped(stack.name(), "deleted meanwhile"));
            } else {
                failed.add(new Failed(stack.name(), group, "recording the roll-out in the registry lost "
                        + StackRegistry.UPDATE_ATTEMPTS + " races to other writers"));
            }
        }
        return new Outcome.Refreshed(image, refreshes, skipped, failed);
    }

    static final String ALREADY_ROLLED_OUT = "image already rolled out";
    static final String NEWER_ROLLED_OUT = "a newer image was rolled out already: ";

    /**
     * Why the image needs no roll-out to a stack that last rolled out {@code previous}: the same image, or a newer one
     * of the same recipe (a late or retried event for an older image must not replace the fleet with it). Empty when
     * the image is newer, or {@code previous} is of another recipe or not an Image Builder ARN.
     */
    private static Optional<String> covered(Optional<String> previous, ImageStateChange image) {
        if (previous.isEmpty()) {
            return Optional.empty();
        }
        if (previous.get().equals(image.imageArn())) {
            return Optional.of(ALREADY_ROLLED_OUT);
        }
        ImageStateChange.ImageVersion incoming = image.version();
        return ImageStateChange.versionOf(previous.get())
                .filter(p -> p.recipe().equals(incoming.recipe()) && p.compareTo(incoming) >= 0)
                .map(p -> p.compareTo(incoming) == 0 ? ALREADY_ROLLED_OUT : NEWER_ROLLED_OUT + previous.get());
    }

    private static boolean qualifies(StackRecord r, ImageStateChange image) {
        return r.status() == StackStatus.ACTIVE
                && r.spec().os() == image.os() && r.spec().arch() == image.arch()
                && r.spec().imageRollout()
                && r.spec().ami().isEmpty()
                && r.groupName().isPresent();
    }

    /**
     * Puts the stack's record back as it was before the claim, so that a later delivery tries it again; answers
     * what to add to the failure's reason.
     */
    private String release(String stack, ImageStateChange image, Optional<String> previous) {
        try {
            StackRegistry.Update undone = registry.update(stack, r -> r.rolledOutImage().filter(image.imageArn()::equals).isPresent()
                    ? r.toBuilder().rolledOutImage(previous).build() : r);
            return undone instanceof StackRegistry.Update.Busy
                    ? "; the record still names the image (the registry was busy): a retry skips this stack" : "";
        } catch (RuntimeException e) {
            return "; the record still names the image (" + describe(e) + "): a retry skips this stack";
        }
    }

    private static String describe(RuntimeException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
