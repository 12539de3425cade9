package io.agentstacks.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.CloudFormationValidatePlugin;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Validations;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The CDK app ({@code cdk.json} runs it): the control plane ({@value ControlPlaneStack#NAME}), with the
 * agent-stack template synthesized first in its own app and published as an asset, and the image pipelines.
 * Synthesizes without AWS credentials or network: no lookups. Output goes to {@code CDK_OUTDIR} when the
 * CDK CLI sets it, else to {@code cdk.out} under the project root.
 *
 * <p>Context: {@value ControlPlaneProps#ALARM_EMAIL_CONTEXT} (subscribe an address to the alarms),
 * {@value ControlPlaneProps#XRAY_CONTEXT}=true (X-Ray tracing), and the image pipelines' own
 * ({@link ImagePipelinesProps}).
 */
public final class InfraApp {

    public static final String IMAGE_PIPELINES_STACK = "AgentStacksImagePipelines";

    private InfraApp() {
    }

    public static void main(String[] args) {
        if (!"false".equals(System.getenv("CDK_VALIDATION"))) {
            System.err.println("Note: CDK's built-in template linter is on; it takes minutes on the agent-stack template. "
                    + "cdk.json turns it off (CDK_VALIDATION=false) and registers it for the deployable stacks.");
        }
        Path root = Path.of(System.getProperty("agentstacks.root", ".")).toAbsolutePath().normalize();
        try {
            App app = build(root, Optional.ofNullable(System.getenv("CDK_OUTDIR")).orElse(root.resolve("cdk.out").toString()));
            app.synth();
        } catch (IllegalStateException | IllegalArgumentException e) {
            System.err.println("ERROR: " + e.getMessage());
            System.exit(1);
        }
    }

    /** The app with every stack, the real jars and definitions under {@code root}; cdk-nag's AwsSolutions checks run on synth. */
    public static App build(Path root, String outdir) {
        return build(root, outdir, (app, template) -> ControlPlaneProps.fromProject(root, template, alarmEmail(app), tracing(app)));
    }

    /** @param controlPlane the control plane's settings, given the app and the synthesized agent-stack template */
    static App build(Path root, String outdir, java.util.function.BiFunction<App, Path, ControlPlaneProps> controlPlane) {
        App app = app(outdir);
        Path recipes = root.resolve("image-recipes");
        if (!Files.isRegularFile(recipes.resolve("recipes.json"))) {
            throw new IllegalArgumentException("no image-recipes/recipes.json under " + root + ": run from the project root or set -Dagentstacks.root");
        }
        Path template = AgentStackTemplate.synthesize(tempDir());
        new ControlPlaneStack(app, ControlPlaneStack.NAME, StackProps.builder()
                .description("Semaphore agent stacks control plane: API, registry, workflows, scaling, token rotation, Mac host clean-up")
                .build(), controlPlane.apply(app, template));
        new ImagePipelinesStack(app, IMAGE_PIPELINES_STACK, StackProps.builder()
                .description("Semaphore agent AMIs: EC2 Image Builder pipelines per OS and architecture")
                .build(), imagePipelinesProps(app, recipes));
        Aspects.of(app).add(new AwsSolutionsChecks());
        return app;
    }

    /** An app whose stacks CDK's CloudFormation linter checks (the agent-stack template is checked by its own tests). */
    static App app(String outdir) {
        App app = new App(AppProps.builder().outdir(outdir).build());
        Validations.of(app).addPlugins(new CloudFormationValidatePlugin());
        return app;
    }

    static Optional<String> alarmEmail(App app) {
        return Optional.ofNullable(app.getNode().tryGetContext(ControlPlaneProps.ALARM_EMAIL_CONTEXT)).map(String::valueOf)
                .filter(s -> !s.isBlank());
    }

    static boolean tracing(App app) {
        return "true".equals(String.valueOf(app.getNode().tryGetContext(ControlPlaneProps.XRAY_CONTEXT)));
    }

    static ImagePipelinesProps imagePipelinesProps(App app, Path recipes) {
        boolean macos = "true".equals(String.valueOf(app.getNode().tryGetContext(ImagePipelinesProps.MACOS_CONTEXT)));
        Optional<String> license = Optional.ofNullable(app.getNode().tryGetContext(ImagePipelinesProps.MACOS_LICENSE_CONTEXT)).map(String::valueOf);
        return new ImagePipelinesProps(recipes, macos, license);
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("agent-stack-template");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
