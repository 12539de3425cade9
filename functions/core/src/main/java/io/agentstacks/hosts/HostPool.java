package io.agentstacks.hosts;

import java.util.List;
import java.util.Objects;

/**
 * Port: the account's EC2 dedicated hosts (AllocateHosts, DescribeHosts, CreateTags, ReleaseHosts).
 * Calls that fail as a whole (throttling past the retries, access denied, …) throw {@link HostPoolException}.
 */
public interface HostPool {

    /**
     * Allocates {@code request.quantity()} hosts, tagged {@code semaphore-agent-stack=<stack>}. Idempotent per
     * client token: the same token with the same parameters answers the hosts of the first call.
     */
    AllocationResult allocate(HostRequest request);

    /** Every host tagged {@code semaphore-agent-stack=<stack>}, released ones included while EC2 still lists them. */
    List<DedicatedHost> describeByStack(String stack);

    /** The hosts with these ids; ids EC2 does not know are left out of the answer. */
    List<DedicatedHost> describe(List<String> hostIds);

    /**
     * Puts the tag {@code key=value} on these hosts (CreateTags); {@code semaphore-agent-stack=<stack>} puts
     * the stack in charge of releasing them.
     */
    void tag(List<String> hostIds, String key, String value);

    /** ReleaseHosts: one outcome per host asked for, read from its {@code Successful} and {@code Unsuccessful} lists. */
    List<ReleaseOutcome> release(List<String> hostIds);

    /**
     * @param autoPlacement whether the host accepts untargeted host-tenancy launches (AutoPlacement on|off)
     */
    record HostRequest(String stack, String clientToken, String instanceType, String availabilityZone, int quantity,
                       boolean autoPlacement) {
        public HostRequest {
            Objects.requireNonNull(stack, "stack");
            Objects.requireNonNull(clientToken, "clientToken");
            Objects.requireNonNull(instanceType, "instanceType");
            Objects.requireNonNull(availabilityZone, "availabilityZone");
            if (quantity < 1) {
                throw new IllegalArgumentException("quantity must be at least 1");
            }
        }
    }

    sealed interface AllocationResult {
        record Allocated(List<String> hostIds) implements AllocationResult {
            public Allocated {
                hostIds = List.copyOf(hostIds);
            }
        }

        /** EC2 has no capacity for this instance type in this zone now (InsufficientHostCapacity). */
        record InsufficientCapacity(String availabilityZone, String message) implements AllocationResult {
        }
    }

    sealed interface ReleaseOutcome {
        String hostId();

        record Released(String hostId) implements ReleaseOutcome {
        }

        /** Listed in {@code Unsuccessful}: EC2 kept the host; {@code code} and {@code message} say why. */
        record Refused(String hostId, String code, String message) implements ReleaseOutcome {
        }

        /** EC2 does not know the host (any more): nothing is left to release. */
        record NotFound(String hostId) implements ReleaseOutcome {
        }
    }

    final class HostPoolException extends RuntimeException {
        public HostPoolException(String message, Throwable cause) {
            super(message, cause);
        }

        public HostPoolException(String message) {
            super(message);
        }
    }
}
