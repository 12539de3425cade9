package io.agentstacks.stacks;

import io.agentstacks.spec.StackSpec;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One item of the registry: the newest spec of a stack and everything the control plane knows of it.
 *
 * @param specVersion  N of the newest accepted spec; the provisioning execution is named {@code <name>-v<N>}
 * @param revision     bumped by every write; each write is conditional on the revision it read
 * @param tokenRotation the newest token rotation, in progress or done (see {@link TokenRotationMark})
 * @param lastDemand   the newest demand observed by the poller, if any
 * @param lastDecision the scaler's newest decision, if any
 * @param hosts        Mac dedicated hosts of the stack, until they are released
 * @param rolledOutImage the Image Builder image (ARN) whose roll-out (an instance refresh) was last started on the
 *                     group, written before the refresh starts, so that a second delivery of its event starts none
 */
public record StackRecord(
        String name,
        StackSpec spec,
        long specVersion,
        StackStatus status,
        Optional<String> reason,
        Optional<String> groupName,
        Optional<String> cloudFormationStackId,
        Optional<String> hostGroupName,
        OptionalLong tokenParameterVersion,
        Optional<Instant> tokenRotatedAt,
        Optional<TokenRotationMark> tokenRotation,
        Optional<DemandSnapshot> lastDemand,
        Optional<DecisionSnapshot> lastDecision,
        List<HostSnapshot> hosts,
        Optional<String> rolledOutImage,
        Instant createdAt,
        Instant updatedAt,
        long revision) {

    public StackRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(groupName, "groupName");
        Objects.requireNonNull(cloudFormationStackId, "cloudFormationStackId");
        Objects.requireNonNull(hostGroupName, "hostGroupName");
        Objects.requireNonNull(tokenParameterVersion, "tokenParameterVersion");
        Objects.requireNonNull(tokenRotatedAt, "tokenRotatedAt");
        Objects.requireNonNull(tokenRotation, "tokenRotation");
        Objects.requireNonNull(lastDemand, "lastDemand");
        Objects.requireNonNull(lastDecision, "lastDecision");
        hosts = List.copyOf(hosts);
        Objects.requireNonNull(rolledOutImage, "rolledOutImage");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** A new record for a stack's first spec: version 1, PENDING, revision 0 (not stored yet). */
    public static StackRecord first(StackSpec spec, Instant now) {
        return new StackRecord(spec.stackName(), spec, 1, StackStatus.PENDING, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), List.of(), Optional.empty(), now, now, 0);
    }

    /** The execution name of this record's provisioning run: {@code <name>-v<specVersion>}. */
    public String provisionExecutionName() {
        return name + "-v" + specVersion;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Copy-with builder: every change to a record goes through one. */
    public static final class Builder {
        private final String name;
        private StackSpec spec;
        private long specVersion;
        private StackStatus status;
        private Optional<String> reason;
        private Optional<String> groupName;
        private Optional<String> cloudFormationStackId;
        private Optional<String> hostGroupName;
        private OptionalLong tokenParameterVersion;
        private Optional<Instant> tokenRotatedAt;
        private Optional<TokenRotationMark> tokenRotation;
        private Optional<DemandSnapshot> lastDemand;
        private Optional<DecisionSnapshot> lastDecision;
        private List<HostSnapshot> hosts;
        private Optional<String> rolledOutImage;
        private final Instant createdAt;
        private Instant updatedAt;
        private long revision;

        private Builder(StackRecord r) {
            name = r.name;
            spec = r.spec;
            specVersion = r.specVersion;
            status = r.status;
            reason = r.reason;
            groupName = r.groupName;
            cloudFormationStackId = r.cloudFormationStackId;
            hostGroupName = r.hostGroupName;
            tokenParameterVersion = r.tokenParameterVersion;
            tokenRotatedAt = r.tokenRotatedAt;
            tokenRotation = r.tokenRotation;
            lastDemand = r.lastDemand;
            lastDecision = r.lastDecision;
            hosts = r.hosts;
            rolledOutImage = r.rolledOutImage;
            createdAt = r.createdAt;
            updatedAt = r.updatedAt;
            revision = r.revision;
        }

        public Builder spec(StackSpec v) { spec = v; return this; }
        public Builder specVersion(long v) { specVersion = v; return this; }
        public Builder status(StackStatus v) { status = v; return this; }
        public Builder reason(Optional<String> v) { reason = v; return this; }
        public Builder groupName(Optional<String> v) { groupName = v; return this; }
        public Builder cloudFormationStackId(Optional<String> v) { cloudFormationStackId = v; return this; }
        public Builder hostGroupName(Optional<String> v) { hostGroupName = v; return this; }
        public Builder tokenParameterVersion(OptionalLong v) { tokenParameterVersion = v; return this; }
        public Builder tokenRotatedAt(Optional<Instant> v) { tokenRotatedAt = v; return this; }
        public Builder tokenRotation(Optional<TokenRotationMark> v) { tokenRotation = v; return this; }
        public Builder lastDemand(Optional<DemandSnapshot> v) { lastDemand = v; return this; }
        public Builder lastDecision(Optional<DecisionSnapshot> v) { lastDecision = v; return this; }
        public Builder hosts(List<HostSnapshot> v) { hosts = v; return this; }
        public Builder rolledOutImage(Optional<String> v) { rolledOutImage = v; return this; }
        public Builder updatedAt(Instant v) { updatedAt = v; return this; }
        public Builder revision(long v) { revision = v; return this; }

        public StackRecord build() {
            return new StackRecord(name, spec, specVersion, status, reason, groupName, cloudFormationStackId,
                    hostGroupName, tokenParameterVersion, tokenRotatedAt, tokenRotation, lastDemand, lastDecision, hosts,
                    rolledOutImage, createdAt,
                    updatedAt, revision);
        }
    }
}
