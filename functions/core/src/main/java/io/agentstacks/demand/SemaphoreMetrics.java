package io.agentstacks.demand;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.time.Instant;

/**
 * What an answer of Semaphore's {@code GET /api/v1/self_hosted_agents/metrics} means: the one reading of it, shared by
 * the production adapter (over HTTPS) and the local control plane's loopback source, so that the end-to-end tests
 * exercise the interpretation that ships. Only the transport differs between them.
 *
 * <ul>
 *   <li>401 and 404: Semaphore refuses the agent type's registration token ({@link Observation.TokenRejected});</li>
 *   <li>any other status but 200, and a body that is not {@code {"jobs":{...},"agents":{...}}} with non-negative
 *       integer counts: {@link Observation.Unavailable}, whose reason never quotes the body;</li>
 *   <li>a count Semaphore leaves out (or sends as null) is 0: a state with no jobs or agents in it.</li>
 * </ul>
 */
public final class SemaphoreMetrics {

    /** The metrics resource, relative to the organization's endpoint. */
    public static final String PATH = "/api/v1/self_hosted_agents/metrics";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SemaphoreMetrics() {
    }

    /** The observation that an answer with {@code status} and {@code body} (any size the caller accepted) makes at {@code at}. */
    public static Observation read(int status, byte[] body, Instant at) {
        if (status == 401 || status == 404) {
            return new Observation.TokenRejected(status, at);
        }
        if (status != 200) {
            return new Observation.Unavailable("HTTP " + status, at);
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            return new Observation.Unavailable("malformed response: not JSON", at);
        }
        if (root == null || !root.isObject()) {
            return new Observation.Unavailable("malformed response: not a JSON object", at);
        }
        try {
            return new Observation.Observed(new Demand(count(root, "jobs", "queued"), count(root, "jobs", "running"),
                    count(root, "agents", "idle"), count(root, "agents", "occupied")), at);
        } catch (IllegalArgumentException e) {
            return new Observation.Unavailable("malformed response: " + e.getMessage(), at);
        }
    }

    /** A count under {@code group}; a state Semaphore leaves out has no jobs or agents in it. */
    private static int count(JsonNode root, String group, String state) {
        JsonNode g = root.get(group);
        if (g == null || !g.isObject()) {
            throw new IllegalArgumentException("no \"" + group + "\" object");
        }
        JsonNode n = g.get(state);
        if (n == null || n.isNull()) {
            return 0;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.intValue() < 0) {
            throw new IllegalArgumentException(group + "." + state + " is not a count");
        }
        return n.intValue();
    }
}
