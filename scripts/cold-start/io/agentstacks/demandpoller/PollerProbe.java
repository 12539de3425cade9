package io.agentstacks.demandpoller;

import io.agentstacks.aws.AwsSdkClients;
import io.agentstacks.aws.LambdaEnvironment;
import io.agentstacks.aws.SsmTokenStore;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.semaphore.SemaphoreDemandSource;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackTransitions;

import io.micronaut.context.ApplicationContext;

import software.amazon.awssdk.services.ssm.SsmClient;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * One cold start of the demand-poller: build the handler, poll one live stack once (SSM GetParameter,
 * Semaphore metrics, one event), print the answer. {@code micronaut}: the Lambda entry's own context;
 * {@code plain}: the same objects built by hand. The registry and the bus are in memory in both.
 * Args: micronaut|plain STAND_IN_URL
 */
public final class PollerProbe {

    public static void main(String[] args) throws Exception {
        String standIn = args[1];
        System.setProperty("aws.region", "us-east-1");
        System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
        System.setProperty("aws.secretAccessKey", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        System.setProperty("aws.endpointUrl", standIn);
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        InMemoryStackRegistry registry = new InMemoryStackRegistry();
        InMemoryEventSink sink = new InMemoryEventSink();
        live(registry, standIn, minute);
        byte[] input = ("{\"scheduledTime\":\"" + minute + "\",\"offsetSeconds\":0}").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (args[0].equals("micronaut")) {
            ApplicationContext context = ApplicationContext.builder()
                    .deduceEnvironment(false).deduceCloudEnvironment(false).banner(false)
                    .environmentPropertySource(false).enableDefaultPropertySources(false)
                    .singletons(registry, sink)
                    .start();
            new DemandPollerFunction(context).handleRequest(new ByteArrayInputStream(input), out, null);
        } else {
            SsmClient ssm = SsmClient.builder().region(LambdaEnvironment.region())
                    .credentialsProvider(LambdaEnvironment.credentials()).httpClient(AwsSdkClients.httpClient())
                    .overrideConfiguration(AwsSdkClients.overrides()).build();
            DemandPoller poller = new DemandPoller(registry, new SsmTokenStore(ssm, Clock.systemUTC()),
                    new SemaphoreDemandSource(Clock.systemUTC()), sink, Clock.systemUTC(), System.out::println,
                    DemandPoller.Settings.defaults());
            PollResult r = poller.poll(PollRequest.from(new com.fasterxml.jackson.databind.ObjectMapper().readTree(input)));
            out.write(r.toJson().toString().getBytes(StandardCharsets.UTF_8));
        }
        System.out.println("ANSWER " + out.toString(StandardCharsets.UTF_8));
        System.exit(0);
    }

    private static void live(InMemoryStackRegistry registry, String endpoint, Instant at) {
        StackSpec spec = StackSpec.builder("probe", "/semaphore/probe/token").semaphoreEndpoint(endpoint).maxSize(20)
                .build();
        StackRecord r = ((StackRegistry.PutResult.Stored) registry.put(StackTransitions.specAccepted(Optional.empty(),
                spec, at))).stored();
        r = ((StackRegistry.PutResult.Stored) registry.put(StackTransitions.provisioningStarted(r, at))).stored();
        registry.put(StackTransitions.ready(r, "probe-asg", "arn:aws:cloudformation:us-east-1:123456789012:stack/probe/1", at));
    }
}
