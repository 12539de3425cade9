package io.agentstacks.stackapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentstacks.spec.SpecJson;
import io.agentstacks.spec.Violation;
import io.agentstacks.stacks.StackCommands.GroupInfo;
import io.agentstacks.stacks.StackCommands.StackView;
import io.agentstacks.stacks.SnapshotJson;
import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackStatus;

import java.util.List;
import java.util.Optional;

/** The JSON bodies the API answers with. Field names are the API's contract (README, API section). */
final class StackJson {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private StackJson() {
    }

    /** {@code 202} to a POST or DELETE: {@code {name, version, status}} (+ {@code warnings} for a POST). */
    static ObjectNode accepted(String name, long version, StackStatus status, List<Violation> warnings) {
        ObjectNode o = F.objectNode();
        o.put("name", name);
        o.put("version", version);
        o.put("status", status.name());
        if (!warnings.isEmpty()) {
            o.set("warnings", Problems.violations(warnings));
        }
        return o;
    }

    /** One item of {@code GET /stacks}. */
    static ObjectNode summary(StackRecord r) {
        ObjectNode o = F.objectNode();
        o.put("name", r.name());
        o.put("specVersion", r.specVersion());
        o.put("status", r.status().name());
        r.reason().ifPresent(v -> o.put("reason", v));
        r.groupName().ifPresent(v -> o.put("groupName", v));
        o.put("os", r.spec().os().value());
        o.put("arch", r.spec().arch().value());
        o.put("instanceType", r.spec().instanceType());
        o.put("createdAt", r.createdAt().toString());
        o.put("updatedAt", r.updatedAt().toString());
        return o;
    }

    static ObjectNode page(List<StackRecord> records, Optional<String> nextPageToken) {
        ObjectNode o = F.objectNode();
        ArrayNode stacks = o.putArray("stacks");
        records.forEach(r -> stacks.add(summary(r)));
        nextPageToken.ifPresent(t -> o.put("nextPageToken", t));
        return o;
    }

    /** {@code GET /stacks/{name}}. */
    static ObjectNode detail(StackView view) {
        StackRecord r = view.record();
        ObjectNode o = F.objectNode();
        o.put("name", r.name());
        o.put("specVersion", r.specVersion());
        o.put("status", r.status().name());
        r.reason().ifPresent(v -> o.put("reason", v));
        r.groupName().ifPresent(v -> o.put("groupName", v));
        r.cloudFormationStackId().ifPresent(v -> o.put("cloudFormationStackId", v));
        r.hostGroupName().ifPresent(v -> o.put("hostGroupName", v));
        r.tokenParameterVersion().ifPresent(v -> o.put("tokenParameterVersion", v));
        r.tokenRotatedAt().ifPresent(v -> o.put("tokenRotatedAt", v.toString()));
        r.rolledOutImage().ifPresent(v -> o.put("rolledOutImage", v));
        ObjectNode group = group(view.group());
        if (group != null) {
            o.set("group", group);
        }
        r.lastDemand().ifPresent(d -> o.set("lastDemand", SnapshotJson.write(d)));
        r.lastDecision().ifPresent(d -> o.set("lastDecision", SnapshotJson.write(d)));
        o.set("hosts", SnapshotJson.writeHosts(r.hosts()));
        o.put("createdAt", r.createdAt().toString());
        o.put("updatedAt", r.updatedAt().toString());
        o.set("spec", SpecJson.write(r.spec()));
        return o;
    }

    /** The group as read from Auto Scaling just now; null when the stack has none. */
    private static ObjectNode group(GroupInfo info) {
        ObjectNode g = F.objectNode();
        if (info instanceof GroupInfo.Counts c) {
            g.put("name", c.groupName());
            g.put("minSize", c.minSize());
            g.put("maxSize", c.maxSize());
            g.put("desired", c.desired());
            g.put("inService", c.inService());
            g.put("warm", c.warm());
        } else if (info instanceof GroupInfo.Missing m) {
            g.put("name", m.groupName());
            g.put("missing", true);
        } else if (info instanceof GroupInfo.Unreadable u) {
            g.put("name", u.groupName());
            g.put("error", u.reason());
        } else {
            return null;
        }
        return g;
    }
}
