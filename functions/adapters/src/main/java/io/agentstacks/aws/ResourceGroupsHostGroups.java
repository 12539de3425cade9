package io.agentstacks.aws;

import io.agentstacks.hosts.HostGroupConfiguration;
import io.agentstacks.hosts.HostGroups;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.resourcegroups.ResourceGroupsClient;
import software.amazon.awssdk.services.resourcegroups.model.BadRequestException;
import software.amazon.awssdk.services.resourcegroups.model.FailedResource;
import software.amazon.awssdk.services.resourcegroups.model.GroupConfigurationItem;
import software.amazon.awssdk.services.resourcegroups.model.GroupConfigurationParameter;
import software.amazon.awssdk.services.resourcegroups.model.NotFoundException;
import software.amazon.awssdk.services.resourcegroups.model.PendingResource;
import software.amazon.awssdk.services.resourcegroups.model.ResourceGroupsException;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link HostGroups} on AWS Resource Groups: CreateGroup with the host-management configuration the older tool
 * used, GetGroup + GetGroupConfiguration, GetTags, PutGroupConfiguration, ListGroupResources (through the SDK's
 * paginator), GroupResources / UngroupResources (by the hosts' ARNs, built from the group's own ARN) and
 * DeleteGroup. Throttling is retried by the client's retry strategy; what remains is thrown as a
 * {@link HostGroupException} naming the call and the group.
 */
public final class ResourceGroupsHostGroups implements HostGroups {

    private static final String HOST_ARN_MARK = ":dedicated-host/";

    private final ResourceGroupsClient groups;

    public ResourceGroupsHostGroups(ResourceGroupsClient groups) {
        this.groups = Objects.requireNonNull(groups, "groups");
    }

    @Override
    public Optional<HostGroup> describe(String name) {
        try {
            String arn = groups.getGroup(b -> b.group(name)).group().groupArn();
            var configuration = groups.getGroupConfiguration(b -> b.group(name)).groupConfiguration();
            List<GroupConfigurationItem> items = configuration == null ? List.of() : configuration.configuration();
            return Optional.of(new HostGroup(name, arn, HostGroupConfiguration.fromItems(fromSdk(items))));
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw failure("GetGroup " + name, e);
        }
    }

    @Override
    public HostGroup create(String name, HostGroupConfiguration configuration, Map<String, String> tags) {
        var response = call("CreateGroup " + name, () -> groups.createGroup(b -> b
                .name(name)
                .description("Mac dedicated hosts of agent stack " + name)
                .configuration(toSdk(configuration))
                .tags(tags)));
        return new HostGroup(name, response.group().groupArn(), configuration);
    }

    @Override
    public Map<String, String> tags(HostGroup group) {
        return Map.copyOf(call("GetTags " + group.name(), () -> groups.getTags(b -> b.arn(group.arn())).tags()));
    }

    @Override
    public void configure(String name, HostGroupConfiguration configuration) {
        call("PutGroupConfiguration " + name,
                () -> groups.putGroupConfiguration(b -> b.group(name).configuration(toSdk(configuration))));
    }

    @Override
    public List<String> hostIds(String name) {
        try {
            return groups.listGroupResourcesPaginator(b -> b.group(name)).resources().stream()
                    .map(r -> r.identifier().resourceArn())
                    .filter(arn -> arn.contains(HOST_ARN_MARK))
                    .map(ResourceGroupsHostGroups::hostId)
                    .toList();
        } catch (NotFoundException e) {
            return List.of();
        } catch (SdkException e) {
            throw failure("ListGroupResources " + name, e);
        }
    }

    @Override
    public Membership group(String name, List<String> hostIds) {
        List<String> arns = hostArns(name, hostIds);
        var r = call("GroupResources " + name, () -> groups.groupResources(b -> b.group(name).resourceArns(arns)));
        return membership(r.succeeded(), r.failed(), r.pending());
    }

    @Override
    public Membership ungroup(String name, List<String> hostIds) {
        List<String> arns = hostArns(name, hostIds);
        var r = call("UngroupResources " + name, () -> groups.ungroupResources(b -> b.group(name).resourceArns(arns)));
        return membership(r.succeeded(), r.failed(), r.pending());
    }

    @Override
    public DeleteResult delete(String name) {
        if (describe(name).isEmpty()) {
            return new DeleteResult.NotFound();
        }
        List<String> members = hostIds(name);
        if (!members.isEmpty()) {
            return new DeleteResult.NotEmpty(members);
        }
        try {
            groups.deleteGroup(b -> b.group(name));
            return new DeleteResult.Deleted();
        } catch (NotFoundException e) {
            return new DeleteResult.NotFound();
        } catch (BadRequestException e) {
            // UNLESS_EMPTY: a host joined since the look above.
            List<String> now = hostIds(name);
            if (!now.isEmpty()) {
                return new DeleteResult.NotEmpty(now);
            }
            throw failure("DeleteGroup " + name, e);
        } catch (SdkException e) {
            throw failure("DeleteGroup " + name, e);
        }
    }

    // ---- mapping ----

    private List<String> hostArns(String name, List<String> hostIds) {
        String groupArn = describe(name)
                .orElseThrow(() -> new HostGroupException("no host resource group named " + name))
                .arn();
        // arn:<partition>:resource-groups:<region>:<account>:group/<name> -> arn:<partition>:ec2:<region>:<account>:dedicated-host/<id>
        String[] parts = groupArn.split(":", 6);
        if (parts.length < 6) {
            throw new HostGroupException("group " + name + " has an unexpected ARN " + groupArn);
        }
        String prefix = "arn:" + parts[1] + ":ec2:" + parts[3] + ":" + parts[4] + HOST_ARN_MARK;
        return hostIds.stream().map(id -> prefix + id).toList();
    }

    private static String hostId(String arn) {
        return arn.substring(arn.indexOf(HOST_ARN_MARK) + HOST_ARN_MARK.length());
    }

    private static Membership membership(List<String> succeeded, List<FailedResource> failed, List<PendingResource> pending) {
        return new Membership(
                succeeded.stream().map(ResourceGroupsHostGroups::hostId).toList(),
                failed.stream().map(f -> new Membership.Failure(hostId(f.resourceArn()),
                        Optional.ofNullable(f.errorCode()).orElse("Unknown"),
                        Optional.ofNullable(f.errorMessage()).orElse(""))).toList(),
                pending.stream().map(p -> hostId(p.resourceArn())).toList());
    }

    static List<GroupConfigurationItem> toSdk(HostGroupConfiguration configuration) {
        return configuration.items().stream()
                .map(item -> GroupConfigurationItem.builder()
                        .type(item.type())
                        .parameters(item.parameters().stream()
                                .map(p -> GroupConfigurationParameter.builder().name(p.name()).values(p.values()).build())
                                .toList())
                        .build())
                .toList();
    }

    private static List<HostGroupConfiguration.Item> fromSdk(List<GroupConfigurationItem> items) {
        return items.stream()
                .map(i -> new HostGroupConfiguration.Item(i.type(), i.parameters().stream()
                        .map(p -> new HostGroupConfiguration.Parameter(p.name(), p.values()))
                        .toList()))
                .toList();
    }

    private static <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkException e) {
            throw failure(what, e);
        }
    }

    private static HostGroupException failure(String what, SdkException e) {
        String detail = e instanceof ResourceGroupsException rg && rg.awsErrorDetails() != null
                ? rg.awsErrorDetails().errorCode() + ": " + rg.awsErrorDetails().errorMessage()
                : e.getMessage();
        return new HostGroupException(what + " failed: " + detail, e);
    }
}
