package io.agentstacks.machostreleaser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.hosts.HostReleaseService;
import io.agentstacks.hosts.HostTasks;
import io.agentstacks.hosts.HostTasks.ReleaserTask;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Objects;

/**
 * The mac-host-releaser's tasks: the rounds and the end of {@code release-mac-hosts}, and the scheduled release
 * of live stacks' surplus hosts. Reads the task JSON, runs it through {@link HostReleaseService}, answers the
 * contract's JSON and writes one JSON log line.
 *
 * <pre>
 * {"action": "releaseEligible", "stack", "startedAt"[, "specVersion"]}
 *     → {"remaining", "nextCheckSeconds", "released", "failed", "giveUp", "handedBack"}
 * {"action": "deleteGroup", "stack"[, "specVersion"]} → {"deleted"}
 * {"action": "releaseSurplus"[, "stack"]}             → {"stacks": [{"stack", "released", "failed"}]}
 * </pre>
 *
 * Bad input fails the task with an {@link IllegalArgumentException} naming every bad field, before anything changes.
 */
public final class MacHostReleaserHandler {

    private final HostReleaseService service;

    private final PrintStream log;

    public MacHostReleaserHandler(HostReleaseService service) {
        this(service, System.out);
    }

    public MacHostReleaserHandler(HostReleaseService service, PrintStream log) {
        this.service = Objects.requireNonNull(service, "service");
        this.log = Objects.requireNonNull(log, "log");
    }

    /** The Lambda's stream: the task JSON in, the answer JSON out. */
    public void handle(InputStream input, OutputStream output) throws IOException {
        HostTasks.serve(input, output, this::handle);
    }

    public JsonNode handle(JsonNode input) {
        ReleaserTask task = HostTasks.releaserTask(input);
        if (task instanceof ReleaserTask.ReleaseEligible round) {
            var answer = service.releaseEligible(round.stack(), round.startedAt(), round.specVersion());
            log(line(round.stack(), "MacHostReleaseRound")
                    .put("remaining", answer.remaining())
                    .put("released", answer.released().size())
                    .put("failed", answer.failed().size())
                    .put("nextCheckSeconds", answer.nextCheckSeconds())
                    .put("giveUp", answer.giveUp()));
            return HostTasks.round(answer);
        }
        if (task instanceof ReleaserTask.DeleteGroup delete) {
            boolean deleted = service.deleteGroup(delete.stack(), delete.specVersion());
            log(line(delete.stack(), "MacHostGroupDeleted").put("deleted", deleted));
            return HostTasks.groupDeleted(deleted);
        }
        var surplus = (ReleaserTask.ReleaseSurplus) task;
        var answers = service.releaseSurplus(surplus.stack());
        for (var s : answers) {
            log(line(s.stack(), "MacSurplusHostsReleased").put("released", s.released().size()).put("failed", s.failed().size()));
        }
        return HostTasks.surplus(answers);
    }

    private static ObjectNode line(String stack, String event) {
        return JsonNodeFactory.instance.objectNode().put("stack", stack).put("event", event);
    }

    private void log(ObjectNode line) {
        log.println(line);
    }
}
