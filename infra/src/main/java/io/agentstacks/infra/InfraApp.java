package io.agentstacks.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.StackProps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The CDK app ({@code cdk.json} runs it). Synthesizes without AWS credentials or network: no lookups.
 * Output goes to {@code CDK_OUTDIR} when the CDK CLI sets it, else to {@code cdk.out} under the project root.
 */
public final class InfraApp {

    private InfraApp() {
    }

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("agentstacks.root", ".")).toAbsolutePath().normalize();
        App app = build(root, Optional.ofNullable(System.getenv("CDK_OUTDIR")).orElse(root.resolve("cdk.out").toString()));
        app.synth();
    }

    /** The app with every stack; cdk-nag's AwsSolutions checks run on synth. */
    public static App build(Path root, String outdir) {
        App app = new App(AppProps.builder().outdir(outdir).build());
        Path recipes = root.resolve("image-recipes");
        if (!Files.isRegularFile(recipes.resolve("recipes.json"))) {
            throw new IllegalArgumentException("no image-recipes/recipes.json under " + root + ": run from the project root or set -Dagentstacks.root");
        }
        new ImagePipelinesStack(app, "AgentStacksImagePipelines", StackProps.builder()
                .description("Semaphore agent AMIs: EC2 Image Builder pipelines per OS and architecture")
                .build(), imagePipelinesProps(app, recipes));
        Aspects.of(app).add(new AwsSolutionsChecks());
        return app;
    }

    static ImagePipelinesProps imagePipelinesProps(App app, Path recipes) {
        boolean macos = "true".equals(String.valueOf(app.getNode().tryGetContext(ImagePipelinesProps.MACOS_CONTEXT)));
        Optional<String> license = Optional.ofNullable(app.getNode().tryGetContext(ImagePipelinesProps.MACOS_LICENSE_CONTEXT)).map(String::valueOf);
        return new ImagePipelinesProps(recipes, macos, license);
    }
}
