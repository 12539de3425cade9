package io.agentstacks.images;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.spec.Arch;
import io.agentstacks.spec.OperatingSystem;

import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An EventBridge {@code EC2 Image Builder Image State Change} event, reduced to what the roll-out needs.
 *
 * <p>Image Builder names an image after its recipe: {@code arn:aws:imagebuilder:<region>:<account>:image/<recipe>/<version>/<build>}.
 * The image pipelines name their recipes {@code semaphore-agent-<os>-<arch>} (see {@link #recipeName}),
 * which is how an event tells which fleets it concerns.
 *
 * @param imageArn the image's ARN, {@code resources[0]}
 * @param status   {@code detail.state.status}: AVAILABLE, FAILED, BUILDING...
 */
public record ImageStateChange(String eventId, String imageArn, String status, OperatingSystem os, Arch arch) {

    public static final String SOURCE = "aws.imagebuilder";
    public static final String DETAIL_TYPE = "EC2 Image Builder Image State Change";
    public static final String RECIPE_PREFIX = "semaphore-agent-";
    public static final String AVAILABLE = "AVAILABLE";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern IMAGE_ARN =
            Pattern.compile("arn:aws[a-z-]*:imagebuilder:[a-z0-9-]+:\\d{12}:image/([a-z0-9_-]+)/(\\d{1,18})\\.(\\d{1,18})\\.(\\d{1,18})/(\\d{1,18})");

    public ImageStateChange {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(imageArn, "imageArn");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(arch, "arch");
    }

    /** The recipe name the image pipelines give the image of one (os, arch): {@code semaphore-agent-ubuntu-noble-arm64}. */
    public static String recipeName(OperatingSystem os, Arch arch) {
        return RECIPE_PREFIX + os.value() + "-" + arch.value();
    }

    public boolean available() {
        return AVAILABLE.equals(status);
    }

    /**
     * An image's place in its recipe's line: Image Builder's semantic version ({@code x.y.z}) and then its build
     * number, compared as numbers ({@code 1.0.10/1} is newer than {@code 1.0.9/3}, {@code 1.0.0/8} than {@code 1.0.0/7}).
     */
    public record ImageVersion(String recipe, long major, long minor, long patch, long build) implements Comparable<ImageVersion> {
        private static final Comparator<ImageVersion> ORDER = Comparator.comparingLong(ImageVersion::major)
                .thenComparingLong(ImageVersion::minor).thenComparingLong(ImageVersion::patch).thenComparingLong(ImageVersion::build);

        /** Orders two images of one recipe; images of different recipes are not in one line. */
        @Override
        public int compareTo(ImageVersion other) {
            if (!recipe.equals(other.recipe)) {
                throw new IllegalArgumentException("images of recipes " + recipe + " and " + other.recipe + " are not comparable");
            }
            return ORDER.compare(this, other);
        }

        @Override
        public String toString() {
            return recipe + "/" + major + "." + minor + "." + patch + "/" + build;
        }
    }

    /** This event's image's version (its ARN was checked when the event was read). */
    public ImageVersion version() {
        return versionOf(imageArn).orElseThrow();
    }

    /** The recipe, version and build an Image Builder image ARN names, if it is one. */
    public static Optional<ImageVersion> versionOf(String imageArn) {
        Matcher m = IMAGE_ARN.matcher(imageArn == null ? "" : imageArn);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new ImageVersion(m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)), Long.parseLong(m.group(5))));
    }

    /**
     * Reads the event as EventBridge delivers it.
     *
     * @throws IllegalArgumentException naming the field when the JSON is not such an event, or its image
     *                                  is not one of the agent images
     */
    public static ImageStateChange parse(String eventJson) {
        JsonNode event;
        try {
            event = JSON.readTree(eventJson == null ? "" : eventJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the event is not JSON: " + e.getOriginalMessage());
        }
        if (event == null || !event.isObject()) {
            throw new IllegalArgumentException("the event is not a JSON object");
        }
        expect(event, "source", SOURCE);
        expect(event, "detail-type", DETAIL_TYPE);
        String id = required(event.path("id"), "id");
        String status = required(event.path("detail").path("state").path("status"), "detail.state.status");
        JsonNode resources = event.path("resources");
        if (!resources.isArray() || resources.size() != 1) {
            throw new IllegalArgumentException("resources: expected exactly one image ARN");
        }
        String arn = required(resources.get(0), "resources[0]");
        Matcher m = IMAGE_ARN.matcher(arn);
        if (!m.matches()) {
            throw new IllegalArgumentException("resources[0]: not an Image Builder image ARN: " + arn);
        }
        String recipe = m.group(1);
        if (!recipe.startsWith(RECIPE_PREFIX)) {
            throw new IllegalArgumentException("resources[0]: image " + recipe + " is not an agent image (" + RECIPE_PREFIX + "<os>-<arch>)");
        }
        String osAndArch = recipe.substring(RECIPE_PREFIX.length());
        for (Arch arch : Arch.values()) {
            String suffix = "-" + arch.value();
            if (osAndArch.endsWith(suffix)) {
                String osValue = osAndArch.substring(0, osAndArch.length() - suffix.length());
                OperatingSystem os = OperatingSystem.fromValue(osValue).orElseThrow(() -> new IllegalArgumentException(
                        "resources[0]: image " + recipe + " names an unknown os '" + osValue + "'; known: " + OperatingSystem.allValues()));
                if (!os.supports(arch)) {
                    throw new IllegalArgumentException("resources[0]: image " + recipe + " names " + os + " on " + arch + ", which agents do not run on");
                }
                return new ImageStateChange(id, arn, status, os, arch);
            }
        }
        throw new IllegalArgumentException("resources[0]: image " + recipe + " names no known arch; known: " + Arch.allValues());
    }

    private static void expect(JsonNode event, String field, String value) {
        String actual = required(event.path(field), field);
        if (!actual.equals(value)) {
            throw new IllegalArgumentException(field + ": expected '" + value + "', got '" + actual + "'");
        }
    }

    private static String required(JsonNode node, String field) {
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new IllegalArgumentException(field + ": required");
        }
        return node.asText();
    }
}
