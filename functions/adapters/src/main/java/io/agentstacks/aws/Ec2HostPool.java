package io.agentstacks.aws;

import io.agentstacks.hosts.DedicatedHost;
import io.agentstacks.hosts.HostPool;
import io.agentstacks.hosts.HostState;
import io.agentstacks.hosts.HostTags;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AutoPlacement;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Host;
import software.amazon.awssdk.services.ec2.model.HostInstance;
import software.amazon.awssdk.services.ec2.model.ReleaseHostsResponse;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.UnsuccessfulItem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link HostPool} on EC2: AllocateHosts (by InstanceType, as Mac hosts require, with a ClientToken and the
 * stack's tag), DescribeHosts (by tag, through the SDK's paginator), CreateTags, ReleaseHosts (read from its
 * {@code Successful} and {@code Unsuccessful} lists). Throttling and transient errors are retried by the
 * client's retry strategy; what remains is thrown as a {@link HostPoolException} naming the call.
 */
public final class Ec2HostPool implements HostPool {

    /** The AllocateHosts error code when EC2 has no host of the type in the zone now. */
    static final String INSUFFICIENT_HOST_CAPACITY = "InsufficientHostCapacity";

    private final Ec2Client ec2;

    public Ec2HostPool(Ec2Client ec2) {
        this.ec2 = Objects.requireNonNull(ec2, "ec2");
    }

    @Override
    public AllocationResult allocate(HostRequest request) {
        try {
            var response = ec2.allocateHosts(b -> b
                    .clientToken(request.clientToken())
                    .instanceType(request.instanceType())
                    .availabilityZone(request.availabilityZone())
                    .quantity(request.quantity())
                    .autoPlacement(request.autoPlacement() ? AutoPlacement.ON : AutoPlacement.OFF)
                    .tagSpecifications(TagSpecification.builder()
                            .resourceType(ResourceType.DEDICATED_HOST)
                            .tags(Tag.builder().key(HostTags.STACK).value(request.stack()).build())
                            .build()));
            return new AllocationResult.Allocated(response.hostIds());
        } catch (Ec2Exception e) {
            if (INSUFFICIENT_HOST_CAPACITY.equals(code(e))) {
                return new AllocationResult.InsufficientCapacity(request.availabilityZone(), message(e));
            }
            throw failure("AllocateHosts of " + request.instanceType() + " in " + request.availabilityZone()
                    + " for stack " + request.stack(), e);
        } catch (SdkException e) {
            throw failure("AllocateHosts of " + request.instanceType() + " in " + request.availabilityZone()
                    + " for stack " + request.stack(), e);
        }
    }

    @Override
    public List<DedicatedHost> describeByStack(String stack) {
        return call("DescribeHosts for stack " + stack, () -> ec2
                .describeHostsPaginator(b -> b.filter(Filter.builder().name("tag:" + HostTags.STACK).values(stack).build()))
                .hosts().stream().map(Ec2HostPool::toHost).toList());
    }

    @Override
    public List<DedicatedHost> describe(List<String> hostIds) {
        List<String> ids = hostIds.stream().distinct().toList();
        if (ids.isEmpty()) {
            return List.of();
        }
        try {
            return ec2.describeHosts(b -> b.hostIds(ids)).hosts().stream().map(Ec2HostPool::toHost).toList();
        } catch (Ec2Exception e) {
            if (!isNotFound(e)) {
                throw failure("DescribeHosts of " + ids, e);
            }
        } catch (SdkException e) {
            throw failure("DescribeHosts of " + ids, e);
        }
        // EC2 refuses the whole call when one id is unknown: ask host by host, leaving out the unknown ones.
        List<DedicatedHost> known = new ArrayList<>();
        for (String id : ids) {
            try {
                ec2.describeHosts(b -> b.hostIds(id)).hosts().forEach(h -> known.add(toHost(h)));
            } catch (Ec2Exception e) {
                if (!isNotFound(e)) {
                    throw failure("DescribeHosts of " + id, e);
                }
            } catch (SdkException e) {
                throw failure("DescribeHosts of " + id, e);
            }
        }
        return known;
    }

    @Override
    public void tag(List<String> hostIds, String key, String value) {
        if (hostIds.isEmpty()) {
            return;
        }
        call("CreateTags " + key + " on " + hostIds, () -> ec2.createTags(b -> b
                .resources(hostIds)
                .tags(Tag.builder().key(key).value(value).build())));
    }

    @Override
    public List<ReleaseOutcome> release(List<String> hostIds) {
        List<String> ids = hostIds.stream().distinct().toList();
        if (ids.isEmpty()) {
            return List.of();
        }
        ReleaseHostsResponse response = call("ReleaseHosts of " + ids, () -> ec2.releaseHosts(b -> b.hostIds(ids)));
        Map<String, ReleaseOutcome> outcomes = new LinkedHashMap<>();
        response.successful().forEach(id -> outcomes.put(id, new ReleaseOutcome.Released(id)));
        for (UnsuccessfulItem item : response.unsuccessful()) {
            String code = item.error() == null ? "Unknown" : Optional.ofNullable(item.error().code()).orElse("Unknown");
            String message = item.error() == null ? "" : Optional.ofNullable(item.error().message()).orElse("");
            outcomes.put(item.resourceId(), code.contains("NotFound")
                    ? new ReleaseOutcome.NotFound(item.resourceId())
                    : new ReleaseOutcome.Refused(item.resourceId(), code, message));
        }
        return ids.stream()
                .map(id -> outcomes.getOrDefault(id,
                        new ReleaseOutcome.Refused(id, "Unanswered", "ReleaseHosts listed the host neither as successful nor as unsuccessful")))
                .toList();
    }

    static DedicatedHost toHost(Host h) {
        String instanceType = h.hostProperties() == null ? "" : Optional.ofNullable(h.hostProperties().instanceType())
                .orElseGet(() -> Optional.ofNullable(h.hostProperties().instanceFamily()).map(f -> f + ".metal").orElse(""));
        Map<String, String> tags = new LinkedHashMap<>();
        h.tags().forEach(t -> tags.put(t.key(), t.value()));
        if (h.allocationTime() == null) {
            throw new HostPoolException("DescribeHosts: host " + h.hostId() + " has no AllocationTime");
        }
        return new DedicatedHost(h.hostId(), h.availabilityZone(), instanceType, HostState.fromWire(h.stateAsString()),
                h.instances().stream().map(HostInstance::instanceId).toList(), h.allocationTime(), tags, Optional.empty(),
                Boolean.TRUE.equals(h.memberOfServiceLinkedResourceGroup()));
    }

    private static <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkException e) {
            throw failure(what, e);
        }
    }

    private static boolean isNotFound(Ec2Exception e) {
        String code = code(e);
        return code != null && code.contains("NotFound");
    }

    private static String code(Ec2Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    private static String message(Ec2Exception e) {
        return e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
    }

    private static HostPoolException failure(String what, SdkException e) {
        String detail = e instanceof Ec2Exception ec2e && ec2e.awsErrorDetails() != null
                ? ec2e.awsErrorDetails().errorCode() + ": " + ec2e.awsErrorDetails().errorMessage()
                : e.getMessage();
        return new HostPoolException(what + " failed: " + detail, e);
    }
}
