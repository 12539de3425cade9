package io.agentstacks.lambdatesting;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code EC2 Image Builder Image State Change} events as EventBridge delivers them to a rule's target: the JSON of
 * {@code events/image-builder-image-state-change.json} (an AVAILABLE ubuntu-noble x86_64 agent image) with the
 * image and status set per test.
 */
public final class ImageBuilderEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ImageBuilderEvents() {
    }

    /** The event for the image of recipe {@code semaphore-agent-<osAndArch>}, e.g. {@code ubuntu-noble-x86_64}, now in {@code status}. */
    public static String stateChange(String osAndArch, String status) {
        ObjectNode event;
        try (InputStream in = ImageBuilderEvents.class.getResourceAsStream("/events/image-builder-image-state-change.json")) {
            event = (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        event.putArray("resources").add("arn:aws:imagebuilder:us-east-1:123456789012:image/semaphore-agent-" + osAndArch + "/1.0.4/1");
        ((ObjectNode) event.get("detail").get("state")).put("status", status);
        return event.toString();
    }
}
