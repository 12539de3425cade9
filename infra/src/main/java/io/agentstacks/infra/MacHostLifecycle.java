package io.agentstacks.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.constructs.Construct;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Mac dedicated hosts: the mac-host-allocator Lambda (a step of provision-stack and destroy-stack), and
 * release-mac-hosts (Standard; may run for days) with its mac-host-releaser Lambda. Both may touch only hosts
 * tagged {@value #HOST_TAG} (their own), and host resource groups, which are named after stacks.
 */
public final class MacHostLifecycle extends Construct {

    /** The tag the allocator puts on every host it allocates (io.agentstacks.hosts.HostTags.STACK). */
    public static final String HOST_TAG = io.agentstacks.hosts.HostTags.STACK;
    /** The tag it puts on a spec's own dedicated hosts it adopts, which are never released (HostTags.ADOPTED). */
    public static final String ADOPTED_TAG = io.agentstacks.hosts.HostTags.ADOPTED;

    public record Props(AgentFunction allocator, AgentFunction releaser, Path releaseDefinition, Registry registry,
                        EventBus events, boolean tracing) {
    }

    private final StateMachine releaseMacHosts;

    public MacHostLifecycle(Construct scope, String id, Props props) {
        super(scope, id);
        String hosts = "arn:" + Aws.PARTITION + ":ec2:" + Aws.REGION + ":" + Aws.ACCOUNT_ID + ":dedicated-host/*";
        String groups = "arn:" + Aws.PARTITION + ":resource-groups:" + Aws.REGION + ":" + Aws.ACCOUNT_ID + ":group/" + io.agentstacks.stacks.AgentStackNames.hostGroupName("*");

        AgentFunction allocator = props.allocator();
        props.registry().grantReadWrite(allocator);
        props.events().grantPut(allocator);
        allocator.allow(PolicyStatement.Builder.create()
                .sid("DescribeHosts")
                .actions(List.of("ec2:DescribeHosts"))
                .resources(List.of("*"))
                .build());
        // The stack's zones (its subnets, or the default VPC's) decide where its hosts are allocated.
        allocator.allow(PolicyStatement.Builder.create()
                .sid("ResolveNetworks")
                .actions(List.of("ec2:DescribeVpcs", "ec2:DescribeSubnets"))
                .resources(List.of("*"))
                .build());
        allocator.allow(PolicyStatement.Builder.create()
                .sid("AllocateTaggedHosts")
                .actions(List.of("ec2:AllocateHosts"))
                .resources(List.of(hosts))
                .conditions(Ordered.map("Null", Ordered.map("aws:RequestTag/" + HOST_TAG, "false")))
                .build());
        allocator.allow(PolicyStatement.Builder.create()
                .sid("TagHostsForTheirStack")
                .actions(List.of("ec2:CreateTags"))
                .resources(List.of(hosts))
                .conditions(Ordered.map("ForAllValues:StringEquals", Ordered.map("aws:TagKeys", List.of(HOST_TAG, ADOPTED_TAG))))
                .build());
        allocator.allow(PolicyStatement.Builder.create()
                .sid("HostResourceGroups")
                .actions(List.of("resource-groups:CreateGroup", "resource-groups:GetGroup",
                        "resource-groups:GetGroupConfiguration", "resource-groups:PutGroupConfiguration",
                        "resource-groups:ListGroupResources", "resource-groups:GroupResources",
                        "resource-groups:UngroupResources", "resource-groups:Tag", "resource-groups:GetTags",
                        "resource-groups:DeleteGroup"))
                .resources(List.of(groups))
                .build());

        AgentFunction releaser = props.releaser();
        props.registry().grantReadWrite(releaser);
        props.events().grantPut(releaser);
        releaser.allow(PolicyStatement.Builder.create()
                .sid("DescribeHosts")
                .actions(List.of("ec2:DescribeHosts"))
                .resources(List.of("*"))
                .build());
        releaser.allow(PolicyStatement.Builder.create()
                .sid("ReleaseOwnHosts")
                .actions(List.of("ec2:ReleaseHosts"))
                .resources(List.of(hosts))
                .conditions(Ordered.map("Null", Ordered.map("aws:ResourceTag/" + HOST_TAG, "false")))
                .build());
        // Hosts the host resource group allocated itself (auto-allocate) are claimed for their stack before release.
        releaser.allow(PolicyStatement.Builder.create()
                .sid("ClaimGroupAllocatedHosts")
                .actions(List.of("ec2:CreateTags"))
                .resources(List.of(hosts))
                .conditions(Ordered.map("ForAllValues:StringEquals", Ordered.map("aws:TagKeys", List.of(HOST_TAG))))
                .build());
        releaser.allow(PolicyStatement.Builder.create()
                .sid("EmptyAndDeleteHostResourceGroups")
                .actions(List.of("resource-groups:GetGroup", "resource-groups:GetGroupConfiguration",
                        "resource-groups:GetTags", "resource-groups:ListGroupResources",
                        "resource-groups:UngroupResources", "resource-groups:DeleteGroup"))
                .resources(List.of(groups))
                .build());
        for (AgentFunction f : List.of(allocator, releaser)) {
            NagSuppressions.addResourceSuppressions(f.role(), List.of(NagPackSuppression.builder().id("AwsSolutions-IAM5")
                    .reason("Hosts are allocated at run time: any dedicated host, but allocation only with the stack tag "
                            + HOST_TAG + ", tagging only with it or " + ADOPTED_TAG + " (the releaser: only with " + HOST_TAG + "), release only of hosts that carry "
                            + HOST_TAG + " (adopted hosts never are). Host resource groups "
                            + "are named agent-stack-<stack> after stacks, which specs name at run time (the functions also check each group's "
                            + "ownership tag before changing it). DescribeHosts, DescribeVpcs and DescribeSubnets have no resource-level permissions.")
                    .build()), true);
        }

        releaseMacHosts = ProvisioningWorkflows.stateMachine(this, "ReleaseMacHosts", "release-mac-hosts",
                props.releaseDefinition(), Ordered.map("MacHostReleaserFunctionArn", releaser.alias().getFunctionArn()),
                StateMachineType.STANDARD, LogLevel.ALL, props.tracing());
        releaser.alias().grantInvoke(releaseMacHosts);
    }

    public StateMachine releaseMacHosts() {
        return releaseMacHosts;
    }
}
