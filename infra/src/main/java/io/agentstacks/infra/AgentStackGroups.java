package io.agentstacks.infra;

import io.agentstacks.stacks.AgentStackNames;
import software.amazon.awscdk.Aws;

import java.util.Map;

/**
 * The Auto Scaling groups of agent stacks, as IAM sees them: their names are CloudFormation's, known only
 * once a stack exists, so policies match any group whose {@code aws:cloudformation:stack-name} tag (set by
 * CloudFormation, changeable by nobody) names an agent stack ({@value AgentStackNames#CLOUDFORMATION_PREFIX}*).
 */
final class AgentStackGroups {

    static final String WILDCARD_REASON = "Agent stack groups are named by CloudFormation when a spec is applied: any "
            + "group, but only those whose aws:cloudformation:stack-name tag (CloudFormation's own, unchangeable) names an "
            + AgentStackNames.CLOUDFORMATION_PREFIX + "* stack. Describe calls have no resource-level permissions.";

    private AgentStackGroups() {
    }

    static String arns() {
        return "arn:" + Aws.PARTITION + ":autoscaling:" + Aws.REGION + ":" + Aws.ACCOUNT_ID + ":autoScalingGroup:*:autoScalingGroupName/*";
    }

    static Map<String, Object> ofAgentStacks() {
        return Ordered.map("StringLike", Ordered.map("aws:ResourceTag/aws:cloudformation:stack-name",
                AgentStackNames.CLOUDFORMATION_PREFIX + "*"));
    }
}
