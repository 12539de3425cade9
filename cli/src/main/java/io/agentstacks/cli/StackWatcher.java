package io.agentstacks.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentstacks.cli.api.ApiClient;
import io.agentstacks.cli.api.ApiException;
import io.agentstacks.cli.api.ApiResponse;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code --wait}: polls {@code GET /stacks/{name}} and prints a line whenever the stack's status, version
 * or group counts change, until the stack settles or the timeout passes.
 */
final class StackWatcher {

    /** Consecutive failed polls (network, 5xx, 429) tolerated before giving up. */
    static final int MAX_FAILED_POLLS = 3;

    private final ApiClient api;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Duration interval;
    private final Duration timeout;

    StackWatcher(ApiClient api, PrintWriter out, PrintWriter err, Duration interval, Duration timeout) {
        this.api = Objects.requireNonNull(api);
        this.out = Objects.requireNonNull(out);
        this.err = Objects.requireNonNull(err);
        this.interval = Objects.requireNonNull(interval);
        this.timeout = Objects.requireNonNull(timeout);
    }

    /** Waits until spec version {@code version} (or a newer one) is ACTIVE; exit 0, or 1 when it failed. */
    int untilApplied(String name, long version) throws ApiException {
        return watch(name, false, version);
    }

    /** Waits until the stack is DELETED; exit 0, or 1 when the deletion failed. */
    int untilDeleted(String name) throws ApiException {
        return watch(name, true, 0);
    }

    private int watch(String name, boolean deleting, long version) throws ApiException {
        long start = System.nanoTime();
        String last = "";
        int failedPolls = 0;
        while (true) {
            ApiResponse response;
            try {
                response = api.get(name);
            } catch (ApiException e) {
                if (++failedPolls >= MAX_FAILED_POLLS) {
                    throw e;
                }
                err.println("agent-stacks: " + e.getMessage() + "; polling again");
                err.flush();
                pause();
                continue;
            }
            if (deleting && response.status() == 404) {
                out.println(stamp(start) + name + " DELETED");
                out.flush();
                return 0;
            }
            if (response.status() >= 500 || response.status() == 429) {
                if (++failedPolls >= MAX_FAILED_POLLS) {
                    return ApiReplies.printFailure(response, err);
                }
                pause();
                continue;
            }
            if (!response.successful()) {
                return ApiReplies.printFailure(response, err);
            }
            failedPolls = 0;
            JsonNode stack = response.json();
            String line = progress(stack);
            if (!line.equals(last)) {
                out.println(stamp(start) + line);
                out.flush();
                last = line;
            }
            String status = stack.path("status").asText();
            long current = stack.path("specVersion").asLong();
            String reason = stack.path("reason").asText("");
            if (deleting) {
                if (status.equals("DELETED")) {
                    return 0;
                }
                if (status.equals("FAILED")) {
                    return failed(name + ": deletion failed" + (reason.isBlank() ? "" : ": " + reason));
                }
            } else if (current >= version) {
                switch (status) {
                    case "ACTIVE":
                        return 0;
                    case "FAILED":
                        return failed(name + ": spec version " + current + " failed" + (reason.isBlank() ? "" : ": " + reason));
                    case "DEGRADED":
                        return failed(name + ": the group is up but cannot scale" + (reason.isBlank() ? "" : ": " + reason));
                    case "DELETING":
                    case "DELETED":
                        return failed(name + ": the stack is being deleted");
                    default:
                        break;
                }
            }
            if (System.nanoTime() - start >= timeout.toNanos()) {
                return failed("agent-stacks: timed out after " + human(timeout) + " waiting for " + name + " (still " + status + ")");
            }
            pause();
        }
    }

    private int failed(String message) {
        err.println(message);
        err.flush();
        return 1;
    }

    private void pause() throws ApiException {
        try {
            Thread.sleep(interval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException("interrupted while waiting", e);
        }
    }

    /** {@code ci v2 UPDATING · group ci-asg: desired 2, in service 1, warm 0 · reason}. */
    static String progress(JsonNode stack) {
        StringBuilder line = new StringBuilder()
                .append(stack.path("name").asText())
                .append(" v").append(stack.path("specVersion").asLong())
                .append(' ').append(stack.path("status").asText());
        JsonNode group = stack.path("group");
        if (group.has("desired")) {
            line.append(" · group ").append(group.path("name").asText()).append(": desired ").append(group.path("desired").asInt())
                    .append(", in service ").append(group.path("inService").asInt())
                    .append(", warm ").append(group.path("warm").asInt());
        }
        if (stack.path("reason").isTextual()) {
            line.append(" · ").append(stack.path("reason").asText());
        }
        return line.toString();
    }

    private static String stamp(long start) {
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        return String.format("[%02d:%02d] ", seconds / 60, seconds % 60);
    }

    static String human(Duration d) {
        return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }
}
