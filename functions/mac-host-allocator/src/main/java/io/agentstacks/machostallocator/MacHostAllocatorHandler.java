package io.agentstacks.machostallocator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.hosts.HostAllocationService;
import io.agentstacks.hosts.HostTasks;
import io.agentstacks.hosts.HostTasks.AllocatorTask;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Objects;

/**
 * The mac-host-allocator's tasks in provision-stack and destroy-stack: reads the task JSON, runs it through
 * {@link HostAllocationService}, answers the contract's JSON and writes one JSON log line.
 *
 * <pre>
 * {"action": "ensureHosts", "stack": "...", "specVersion": N} → {"hostGroupName", "hostGroupArn", "hostIds"}
 * {"action": "detachHosts", "stack": "...", "specVersion": N} → {"hostIds"}
 * </pre>
 *
 * Bad input fails the task with an {@link IllegalArgumentException} naming every bad field, before anything changes.
 */
public final class MacHostAllocatorHandler {

    private final HostAllocationService service;

    private final PrintStream log;

    public MacHostAllocatorHandler(HostAllocationService service) {
        this(service, System.out);
    }

    public MacHostAllocatorHandler(HostAllocationService service, PrintStream log) {
        this.service = Objects.requireNonNull(service, "service");
        this.log = Objects.requireNonNull(log, "log");
    }

    /** The Lambda's stream: the task JSON in, the answer JSON out. */
    public void handle(InputStream input, OutputStream output) throws IOException {
        HostTasks.serve(input, output, this::handle);
    }

    public JsonNode handle(JsonNode input) {
        AllocatorTask task = HostTasks.allocatorTask(input);
        if (task instanceof AllocatorTask.EnsureHosts ensure) {
            var ensured = service.ensureHosts(ensure.stack(), ensure.specVersion());
            log(ensure.stack(), "MacHostsEnsured", ensure.specVersion(), ensured.hostIds().size());
            return HostTasks.ensured(ensured);
        }
        var detach = (AllocatorTask.DetachHosts) task;
        var detached = service.detachHosts(detach.stack(), detach.specVersion());
        log(detach.stack(), "MacHostsDetached", detach.specVersion(), detached.hostIds().size());
        return HostTasks.detached(detached);
    }

    private void log(String stack, String event, long specVersion, int hosts) {
        ObjectNode line = JsonNodeFactory.instance.objectNode()
                .put("stack", stack).put("event", event).put("specVersion", specVersion).put("hosts", hosts);
        log.println(line);
    }
}
