package io.agentstacks.imagerecipes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code image-recipes/recipes.json}: one image per (os, arch), with its parent image, components,
 * build instance, schedule, and the pinned downloads (with SHA-256) its components install.
 */
public record RecipeMatrix(Path recipesDir, Release agent, Release toolbox, Download awsCliMacos,
                           Download cloudWatchAgentMacos, List<Image> images) {

    /** Written in place of a checksum that recipes.json does not have yet: the build refuses it. */
    public static final String MISSING_CHECKSUM = "none";
    static final String AWS_MANAGED_PREFIX = "aws:";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> PLATFORMS = Set.of("Linux", "Windows", "macOS");

    public RecipeMatrix {
        images = List.copyOf(images);
    }

    /** A release of the agent or the toolbox: one asset per {@code <family>-<arch>}. */
    public record Release(String version, String downloadUrl, Map<String, Asset> assets) {
        public String url(String assetKey) {
            return downloadUrl.replace("{version}", version).replace("{asset}", asset(assetKey).asset());
        }

        public Asset asset(String assetKey) {
            return Objects.requireNonNull(assets.get(assetKey), () -> "no asset for " + assetKey);
        }
    }

    public record Asset(String asset, Optional<String> sha256) {
    }

    public record Download(String url, Optional<String> sha256) {
    }

    /** One row of the matrix: one Image Builder pipeline. */
    public record Image(String os, String arch, String platform, String parentImageSsmParameter,
                        String buildInstanceType, int rootVolumeGiB, String schedule, List<String> components) {
        public Image {
            components = List.copyOf(components);
        }

        /** {@code linux} for every Ubuntu, else the os: the family of the scripts and release assets. */
        public String family() {
            return os.startsWith("ubuntu-") ? "linux" : os;
        }

        public String assetKey() {
            return family() + "-" + arch;
        }

        /** A name that Image Builder and CloudFormation accept: {@code ubuntu-noble-arm64}. */
        public String id() {
            return os + "-" + arch.replace('_', '-');
        }
    }

    public static boolean isAwsManaged(String component) {
        return component.startsWith(AWS_MANAGED_PREFIX);
    }

    public static String awsManagedName(String component) {
        return component.substring(AWS_MANAGED_PREFIX.length());
    }

    /** Reads and checks recipes.json; every problem is reported with the field it is in. */
    public static RecipeMatrix load(Path recipesDir) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(recipesDir.resolve("recipes.json")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + recipesDir.resolve("recipes.json"), e);
        }
        List<String> problems = new ArrayList<>();
        Release agent = release(root, "semaphoreAgent", problems);
        Release toolbox = release(root, "toolbox", problems);
        Download awsCli = download(root, "awsCliMacos", problems);
        Download cloudWatch = download(root, "cloudWatchAgentMacos", problems);
        List<Image> images = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        JsonNode rows = root.path("images");
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = rows.get(i);
            String at = "images[" + i + "]";
            Image image = new Image(text(row, "os", at, problems), text(row, "arch", at, problems),
                    text(row, "platform", at, problems), text(row, "parentImageSsmParameter", at, problems),
                    text(row, "buildInstanceType", at, problems), row.path("rootVolumeGiB").asInt(0),
                    text(row, "schedule", at, problems), strings(row.path("components")));
            if (!seen.add(image.os() + "/" + image.arch())) {
                problems.add(at + ": " + image.os() + "/" + image.arch() + " appears twice");
            }
            if (!PLATFORMS.contains(image.platform())) {
                problems.add(at + ".platform: one of " + PLATFORMS);
            }
            if (!image.parentImageSsmParameter().startsWith("/aws/service/")) {
                problems.add(at + ".parentImageSsmParameter: an AWS public parameter (/aws/service/...)");
            }
            if (image.rootVolumeGiB() < 8) {
                problems.add(at + ".rootVolumeGiB: at least 8");
            }
            if (!image.schedule().startsWith("cron(")) {
                problems.add(at + ".schedule: a cron(...) expression");
            }
            if (image.components().isEmpty()) {
                problems.add(at + ".components: at least one");
            }
            for (String component : image.components()) {
                if (!isAwsManaged(component) && !Files.isRegularFile(recipesDir.resolve("components/" + component + ".yml"))) {
                    problems.add(at + ".components: " + component + " is neither aws:<name> nor a file components/" + component + ".yml");
                }
            }
            if (agent != null && !agent.assets().containsKey(image.assetKey())) {
                problems.add("semaphoreAgent.assets: no asset for " + image.assetKey());
            }
            if (toolbox != null && !toolbox.assets().containsKey(image.assetKey())) {
                problems.add("toolbox.assets: no asset for " + image.assetKey());
            }
            images.add(image);
        }
        if (images.isEmpty()) {
            problems.add("images: at least one");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("recipes.json is not valid: " + String.join("; ", problems));
        }
        return new RecipeMatrix(recipesDir, agent, toolbox, awsCli, cloudWatch, images);
    }

    /**
     * The values of the parameters a component of this image declares. A checksum recipes.json does
     * not have is passed as {@value #MISSING_CHECKSUM}: the component then stops the build, naming it.
     */
    public Map<String, String> componentParameters(Image image, List<String> declared) {
        Map<String, String> known = new LinkedHashMap<>();
        String key = image.assetKey();
        known.put("AgentUrl", agent.url(key));
        known.put("AgentSha256", agent.asset(key).sha256().orElse(MISSING_CHECKSUM));
        known.put("ToolboxUrl", toolbox.url(key));
        known.put("ToolboxSha256", toolbox.asset(key).sha256().orElse(MISSING_CHECKSUM));
        known.put("AwsCliUrl", awsCliMacos.url());
        known.put("AwsCliSha256", awsCliMacos.sha256().orElse(MISSING_CHECKSUM));
        known.put("CloudWatchAgentUrl", cloudWatchAgentMacos.url());
        known.put("CloudWatchAgentSha256", cloudWatchAgentMacos.sha256().orElse(MISSING_CHECKSUM));
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : declared) {
            String value = known.get(name);
            if (value == null) {
                throw new IllegalArgumentException("no value in recipes.json for component parameter " + name);
            }
            values.put(name, value);
        }
        return values;
    }

    /** The downloads an image installs whose SHA-256 recipes.json does not have yet. */
    public List<String> missingChecksums(Image image) {
        List<String> missing = new ArrayList<>();
        for (String component : image.components()) {
            if (isAwsManaged(component)) {
                continue;
            }
            ComponentDocuments documents = new ComponentDocuments(recipesDir);
            componentParameters(image, documents.declaredParameters(component)).forEach((name, value) -> {
                if (name.endsWith("Sha256") && value.equals(MISSING_CHECKSUM)) {
                    missing.add(component + " " + name);
                }
            });
        }
        return missing;
    }

    private static Release release(JsonNode root, String field, List<String> problems) {
        JsonNode node = root.path(field);
        String version = text(node, "version", field, problems);
        String url = text(node, "downloadUrl", field, problems);
        Map<String, Asset> assets = new LinkedHashMap<>();
        node.path("assets").fields().forEachRemaining(e -> {
            Optional<String> sha = checksum(e.getValue().path("sha256"), field + ".assets." + e.getKey() + ".sha256", problems);
            assets.put(e.getKey(), new Asset(text(e.getValue(), "asset", field + ".assets." + e.getKey(), problems), sha));
        });
        return new Release(version, url, assets);
    }

    private static Download download(JsonNode root, String field, List<String> problems) {
        JsonNode node = root.path(field);
        String url = text(node, "downloadUrl", field, problems);
        if (node.has("version")) {
            url = url.replace("{version}", node.path("version").asText());
        }
        return new Download(url, checksum(node.path("sha256"), field + ".sha256", problems));
    }

    private static Optional<String> checksum(JsonNode node, String at, List<String> problems) {
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        if (!SHA256.matcher(node.asText()).matches()) {
            problems.add(at + ": a SHA-256 (64 lower-case hex digits) or null");
            return Optional.empty();
        }
        return Optional.of(node.asText());
    }

    private static String text(JsonNode node, String field, String at, List<String> problems) {
        JsonNode value = node.path(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            problems.add(at + "." + field + ": required");
            return "";
        }
        return value.asText();
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
