package io.agentstacks.scaler;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;

import io.agentstacks.events.DomainEvent;
import io.agentstacks.inmemory.InMemoryEventSink;
import io.agentstacks.inmemory.InMemoryStackRegistry;
import io.agentstacks.spec.StackSpec;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;
import io.agentstacks.stacks.StackTransitions;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** The Lambda entry as the runtime builds it, with the real Auto Scaling adapter on a loopback stand-in. */
class LambdaWiringTest {

    @RegisterExtension
    static WireMockExtension aws = WireMockExtension.newInstance()
            .options(wireMockConfig().bindAddress("127.0.0.1").dynamicPort()).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> PROPERTIES = Map.of(
            "aws.region", "us-east-1",
            "aws.accessKeyId", "AKIDEXAMPLE",
            "aws.secretAccessKey", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static final String NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

    @BeforeEach
    void environment() {
        PROPERTIES.forEach(System::setProperty);
        System.setProperty("aws.endpointUrl", aws.baseUrl());
    }

    @AfterEach
    void clean() {
        PROPERTIES.keySet().forEach(System::clearProperty);
        System.clearProperty("aws.endpointUrl");
    }

    @Test
    void theEntryScalesAGroupThroughTheRealAdapter() throws Exception {
        aws.stubFor(post(urlEqualTo("/")).withFormParam("Action", equalTo("DescribeAutoScalingGroups"))
                .willReturn(aResponse().withStatus(200).withBody("<DescribeAutoScalingGroupsResponse xmlns=\"" + NS + "\">"
                        + "<DescribeAutoScalingGroupsResult><AutoScalingGroups><member>"
                        + "<AutoScalingGroupName>wired-asg</AutoScalingGroupName><MinSize>0</MinSize><MaxSize>10</MaxSize>"
                        + "<DesiredCapacity>1</DesiredCapacity><Instances/></member></AutoScalingGroups>"
                        + "</DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
                        + "</DescribeAutoScalingGroupsResponse>")));
        aws.stubFor(post(urlEqualTo("/")).withFormParam("Action", equalTo("SetDesiredCapacity"))
                .willReturn(aResponse().withStatus(200).withBody("<SetDesiredCapacityResponse xmlns=\"" + NS + "\">"
                        + "<ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></SetDesiredCapacityResponse>")));
        Instant at = Instant.now();

        try (ScalerFunction lambda = new ScalerFunction()) {
            InMemoryStackRegistry registry = lambda.context().getBean(InMemoryStackRegistry.class);
            StackSpec spec = StackSpec.builder("wired", "/semaphore/wired/token").semaphoreOrganization("acme").maxSize(10)
                    .build();
            StackRecord r = ((StackRegistry.PutResult.Stored) registry.put(StackTransitions.specAccepted(Optional.empty(),
                    spec, at))).stored();
            r = ((StackRegistry.PutResult.Stored) registry.put(StackTransitions.provisioningStarted(r, at))).stored();
            registry.put(StackTransitions.ready(r, "wired-asg", "arn:aws:cloudformation:us-east-1:123456789012:stack/wired/1", at));
            JsonNode event = DemandObservedEvents.envelope(
                    new DomainEvent.DemandObserved("wired", "wired-asg", 4, 0, 0, 0, at), "123456789012", "us-east-1");
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            lambda.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(event)), out, null);

            JsonNode answer = JSON.readTree(out.toByteArray());
            assertThat(answer.get("outcome").asText()).isEqualTo("scaled");
            assertThat(answer.get("desired").asInt()).isEqualTo(4);
            aws.verify(postRequestedFor(urlEqualTo("/")).withFormParam("Action", equalTo("SetDesiredCapacity"))
                    .withFormParam("AutoScalingGroupName", equalTo("wired-asg"))
                    .withFormParam("DesiredCapacity", equalTo("4")).withFormParam("HonorCooldown", equalTo("false")));
            assertThat(lambda.context().getBean(InMemoryEventSink.class).published(DomainEvent.ScalingDecision.class))
                    .singleElement().satisfies(d -> assertThat(d.action()).isEqualTo("scale"));
        }
    }

    @Test
    void aMalformedEventIsAnsweredRejectedWithoutAnyCall() throws Exception {
        try (ScalerFunction lambda = new ScalerFunction()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            lambda.handleRequest(new ByteArrayInputStream("{\"detail-type\":\"DemandObserved\"}".getBytes()), out, null);
            assertThat(JSON.readTree(out.toByteArray()).get("outcome").asText()).isEqualTo("rejected");
            assertThat(aws.findAll(postRequestedFor(urlEqualTo("/")))).isEmpty();
        }
    }
}
