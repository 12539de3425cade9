package io.agentstacks.stacks;

import io.agentstacks.spec.StackSpec;

import java.util.List;
import java.util.Objects;

/** Port: the VPC and subnets an agent stack runs in. */
public interface Network {

    /**
     * The spec's own VPC and subnets when it names them, with the spec's availability zones or, when it names
     * none, its subnets' zones; otherwise the account's default VPC and its
     * default subnets (in the spec's availability zones, when it names some). Throws
     * {@link NetworkException} when there is no default VPC.
     */
    ResolvedNetwork resolve(StackSpec spec);

    record ResolvedNetwork(String vpcId, List<String> subnetIds, List<String> availabilityZones) {
        public ResolvedNetwork {
            Objects.requireNonNull(vpcId, "vpcId");
            subnetIds = List.copyOf(subnetIds);
            availabilityZones = List.copyOf(availabilityZones);
        }
    }

    final class NetworkException extends RuntimeException {
        public NetworkException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
