package io.agentstacks.it.aws;

import io.agentstacks.local.sfn.StateMachineFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * What the real-AWS suite ({@code -Paws}) needs from the person running it, from system properties
 * ({@code -Dname=value}) or environment variables. Reading them fails with one message that lists every missing
 * setting and how to give it, before anything is deployed.
 *
 * @param repository the project checkout (cdk.json, examples/)
 * @param region the region to deploy to and to test in
 * @param organization the Semaphore organization (the spec's {@code semaphoreOrganization})
 * @param tokenParameter an SSM SecureString parameter in that region holding a registration token of an agent type
 *                       of that organization (the agent type the jobs run on)
 * @param deploy deploy the control plane (and destroy it at the end) rather than test one already deployed
 * @param keepControlPlane leave the deployed control plane in place at the end
 * @param semaphoreApiToken a Semaphore API token (environment only, never a property: process lists show
 *                          properties) to start a workflow of {@code semaphoreProjectId} whose jobs use the agent type;
 *                          without it the suite waits for jobs started by hand
 */
public record AwsSettings(Path repository, String region, String organization, String tokenParameter, boolean deploy,
                   boolean keepControlPlane, Optional<String> semaphoreApiToken, Optional<String> semaphoreProjectId,
                   String semaphoreBranch, Duration jobWait) {

    static final String REGION = "aws.it.region";
    static final String ORGANIZATION = "aws.it.semaphoreOrganization";
    static final String TOKEN_PARAMETER = "aws.it.tokenParameter";
    static final String DEPLOY = "aws.it.deploy";
    static final String KEEP = "aws.it.keepControlPlane";
    static final String PROJECT = "aws.it.semaphoreProjectId";
    static final String BRANCH = "aws.it.semaphoreBranch";
    static final String JOB_WAIT = "aws.it.jobWaitMinutes";
    static final String API_TOKEN_ENV = "SEMAPHORE_API_TOKEN";
    static final String REPOSITORY = "agentstacks.it.repository";

    @Override
    public String toString() {
        return "AwsSettings[region=" + region + ", organization=" + organization + ", tokenParameter=" + tokenParameter
                + ", deploy=" + deploy + ", semaphoreApiToken=" + semaphoreApiToken.map(t -> "****").orElse("none") + "]";
    }

    /**
     * @param credentialsFound whether the AWS SDK's default chain finds credentials
     * @throws IllegalStateException listing every missing or wrong setting
     */
    public static AwsSettings read(Properties properties, Map<String, String> env, Supplier<Boolean> credentialsFound) {
        List<String> missing = new ArrayList<>();
        String region = value(properties, env, REGION, "AWS_REGION").orElse(null);
        if (region == null) {
            missing.add("-D" + REGION + "=REGION (or AWS_REGION): the region to deploy the control plane to");
        }
        String organization = value(properties, env, ORGANIZATION, "AGENT_STACKS_IT_SEMAPHORE_ORGANIZATION").orElse(null);
        if (organization == null) {
            missing.add("-D" + ORGANIZATION + "=ORG: your Semaphore organization (ORG.semaphoreci.com)");
        }
        String parameter = value(properties, env, TOKEN_PARAMETER, "AGENT_STACKS_IT_TOKEN_PARAMETER").orElse(null);
        if (parameter == null) {
            missing.add("-D" + TOKEN_PARAMETER + "=/NAME: an SSM SecureString parameter in that region holding the"
                    + " registration token of an agent type of that organization");
        }
        Optional<String> apiToken = Optional.ofNullable(env.get(API_TOKEN_ENV)).filter(s -> !s.isBlank());
        Optional<String> project = value(properties, env, PROJECT, "AGENT_STACKS_IT_SEMAPHORE_PROJECT_ID");
        if (apiToken.isPresent() && project.isEmpty()) {
            missing.add("-D" + PROJECT + "=ID: the Semaphore project whose pipeline runs jobs on that agent type ("
                    + API_TOKEN_ENV + " is set)");
        }
        int jobWait = 20;
        Optional<String> wait = value(properties, env, JOB_WAIT, "AGENT_STACKS_IT_JOB_WAIT_MINUTES");
        if (wait.isPresent()) {
            try {
                jobWait = Integer.parseInt(wait.get());
            } catch (NumberFormatException e) {
                jobWait = -1;
            }
            if (jobWait < 1) {
                missing.add("-D" + JOB_WAIT + ": a whole number of minutes, 1 or more (got " + wait.get() + ")");
            }
        }
        if (!credentialsFound.get()) {
            missing.add("AWS credentials for that account (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)");
        }
        Path repository = value(properties, env, REPOSITORY, "AGENT_STACKS_IT_REPOSITORY").map(Path::of)
                .orElseGet(() -> StateMachineFiles.locate().directory().getParent());
        if (!Files.isRegularFile(repository.resolve("examples/linux-small.json"))) {
            missing.add("-D" + REPOSITORY + "=DIR: the project checkout (not found at " + repository + ")");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the real-AWS suite (-Paws) is missing settings; see README.md, \"Integration"
                    + " tests against a real account\":\n  " + String.join("\n  ", missing));
        }
        return new AwsSettings(repository, region, organization, parameter,
                !"false".equals(value(properties, env, DEPLOY, "AGENT_STACKS_IT_DEPLOY").orElse("true")),
                "true".equals(value(properties, env, KEEP, "AGENT_STACKS_IT_KEEP_CONTROL_PLANE").orElse("false")),
                apiToken, project, value(properties, env, BRANCH, "AGENT_STACKS_IT_SEMAPHORE_BRANCH").orElse("main"),
                Duration.ofMinutes(jobWait));
    }

    private static Optional<String> value(Properties properties, Map<String, String> env, String property, String variable) {
        return Optional.ofNullable(properties.getProperty(property)).or(() -> Optional.ofNullable(env.get(variable)))
                .map(String::trim).filter(s -> !s.isEmpty());
    }
}
