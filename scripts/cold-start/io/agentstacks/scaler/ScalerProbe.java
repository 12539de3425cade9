package io.agentstacks.scaler;

import io.agentstacks.aws.AutoScalingFleetControl;
import io.agentstacks.aws.AwsSdkClients;
import io.agentstacks.aws.LambdaEnvironment;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackTransitions;

import io.micronaut.context.ApplicationContext;

import software.amazon.awssdk.services.autoscaling.AutoScalingClient;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * One cold start of the scaler: build the handler, handle one DemandObserved event as EventBridge
 * delivers it (DescribeAutoScalingGroups, SetDesiredCapacity, one decision event), print the answer.
 * {@code micronaut}: the Lambda entry's own context; {@code plain}: the same objects built by hand. The
 * registry and the bus are in memory in both. Args: micronaut|plain STAND_IN_URL
 */
public final class ScalerProbe {

    public static void main(String[] args) throws Exception {
        System.setProperty("aws.region", "us-east-1");
        System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
        System.setProperty("aws.secretAccessKey", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        System.setProperty("aws.endpointUrl", args[1]);
        Instant at = Instant.now();
        InMemoryStackRegistry registry = new InMemoryStackRegistry();
        InMemoryEventSink sink = new InMemoryEventSink();
        StackSpec spec = StackSpec.builder("probe", "/semaphore/probe/token").semaphoreOrganization("acme").maxSize(20)
                .build();
        StackRecord r = ((StackRegistry.PutResult.Stored) registry.put(StackTransitions.specAccepted(Optional.empty(),
                spec, at))).stored();
        r = ((StackRegistry.PutResult.Stored) registry.put(StackTransitions.provisioningStarted(r, at))).stored();
        registry.put(StackTransitions.ready(r, "probe-asg", "arn:aws:cloudformation:us-east-1:123456789012:stack/probe/1", at));
        byte[] input = ("{\"version\":\"0\",\"id\":\"6a7e8feb-b491-4cf7-a9f1-bf3703467718\",\"detail-type\":\"DemandObserved\","
                + "\"source\":\"semaphore.agent-stacks\",\"account\":\"123456789012\",\"time\":\"" + at.truncatedTo(
                java.time.temporal.ChronoUnit.SECONDS) + "\",\"region\":\"us-east-1\",\"resources\":[],\"detail\":{"
                + "\"stack\":\"probe\",\"groupName\":\"probe-asg\",\"queuedJobs\":3,\"runningJobs\":1,\"idleAgents\":0,"
                + "\"occupiedAgents\":1,\"at\":\"" + at + "\"}}").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (args[0].equals("micronaut")) {
            ApplicationContext context = ApplicationContext.builder()
                    .deduceEnvironment(false).deduceCloudEnvironment(false).banner(false)
                    .environmentPropertySource(false).enableDefaultPropertySources(false)
                    .singletons(registry, sink)
                    .start();
            new ScalerFunction(context).handleRequest(new ByteArrayInputStream(input), out, null);
        } else {
            AutoScalingClient autoScaling = AutoScalingClient.builder().region(LambdaEnvironment.region())
                    .credentialsProvider(LambdaEnvironment.credentials()).httpClient(AwsSdkClients.httpClient())
                    .overrideConfiguration(AwsSdkClients.overrides()).build();
            Scaler scaler = new Scaler(registry, new AutoScalingFleetControl(autoScaling), sink, Clock.systemUTC(),
                    System.out::println);
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            json.writeValue(out, scaler.handle(json.readTree(input)).toJson());
        }
        System.out.println("ANSWER " + out.toString(StandardCharsets.UTF_8));
        System.exit(0);
    }
}
