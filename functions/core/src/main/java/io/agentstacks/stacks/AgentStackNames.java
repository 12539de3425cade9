package io.agentstacks.stacks;

import io.agentstacks.spec.Arch;
import io.agentstacks.spec.OperatingSystem;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Every name the control plane derives from an agent stack's {@code stackName}, in one place, so that the
 * deployer, the agent-stack template's parameters, IAM policies (infra) and the AMI's scripts agree.
 *
 * <ul>
 *   <li>CloudFormation stack: {@code agent-stack-<stackName>}. The prefix keeps agent stacks apart from
 *       every other stack of the account (including one the older tool made under the bare name), and
 *       lets the deployer's IAM policy name {@code stack/agent-stack-*} instead of every stack.</li>
 *   <li>Agent configuration (SSM String parameter, read by the instance at boot): {@code <stackName>-config},
 *       as the older tool named it.</li>
 *   <li>GitHub SSH known-hosts keys (SSM String parameter): {@code <stackName>-ssh-public-keys}, as the older tool.</li>
 *   <li>Host resource group of a macOS stack: {@code agent-stack-<stackName>}, tagged
 *       {@code semaphore-agent-stack=<stackName>} when the mac-host-allocator creates it. The prefix keeps it apart
 *       from the account's other groups (the older tool used the bare name) and lets IAM name
 *       {@code group/agent-stack-*}; the tag is checked before the group is configured, its hosts claimed or it is
 *       deleted.</li>
 *   <li>Log groups of the instances: under {@code /semaphore-agent-stacks/<stackName>/} (agent, cloud-init,
 *       system...), so that each stack's logs are its own and are deleted with it.</li>
 *   <li>AMI id (SSM parameter written by the Image Builder distribution):
 *       {@code /semaphore-agent/ami/<os>/<arch>}.</li>
 * </ul>
 */
public final class AgentStackNames {

    /** Prefix of every agent stack's CloudFormation stack name. */
    public static final String CLOUDFORMATION_PREFIX = "agent-stack-";

    /** Prefix of every macOS stack's host resource group. */
    public static final String HOST_GROUP_PREFIX = "agent-stack-";

    /** CloudFormation allows 128 characters; the prefix takes some. */
    public static final int MAX_STACK_NAME_LENGTH = 128 - CLOUDFORMATION_PREFIX.length();

    /** The agent-stack template's output that names its Auto Scaling group. */
    public static final String OUTPUT_AUTO_SCALING_GROUP_NAME = "AutoScalingGroupName";

    /** Stack tag (propagated to the group and its instances) naming the agent stack. */
    public static final String TAG_STACK_NAME = "agent-stacks:stack-name";

    /** Stack tag marking what the control plane manages. */
    public static final String TAG_MANAGED_BY = "agent-stacks:managed-by";
    public static final String MANAGED_BY_VALUE = "semaphore-agent-stacks";

    /**
     * Name of the agent stack's terminate lifecycle hook (one per group, so one name serves every stack);
     * the agent config names it ({@code lifecycleHookName}) so that an instance can complete its action.
     */
    public static final String TERMINATE_LIFECYCLE_HOOK_NAME = "semaphore-agent-graceful-shutdown";

    public static final String LOG_GROUP_ROOT = "/semaphore-agent-stacks/";
    public static final String AMI_PARAMETER_ROOT = "/semaphore-agent/ami/";

    /** CloudFormation's limit on ClientRequestToken. */
    private static final int MAX_TOKEN_LENGTH = 128;

    private AgentStackNames() {
    }

    public static String cloudFormationStackName(String stackName) {
        return CLOUDFORMATION_PREFIX + requireName(stackName);
    }

    /** The host resource group the mac-host-allocator creates for a macOS stack. */
    public static String hostGroupName(String stackName) {
        return HOST_GROUP_PREFIX + requireName(stackName);
    }

    public static String agentConfigParameterName(String stackName) {
        return requireName(stackName) + "-config";
    }

    public static String sshKeysParameterName(String stackName) {
        return requireName(stackName) + "-ssh-public-keys";
    }

    /** {@code /semaphore-agent-stacks/<stackName>}; log group names are this plus {@code /agent} and so on. */
    public static String logGroupPrefix(String stackName) {
        return LOG_GROUP_ROOT + requireName(stackName);
    }

    /** The SSM parameter that holds the newest AMI id for an OS and architecture. */
    public static String amiParameterName(OperatingSystem os, Arch arch) {
        return AMI_PARAMETER_ROOT + os.value() + "/" + arch.value();
    }

    /**
     * The ClientRequestToken of one CloudFormation operation of one spec version, e.g.
     * {@code my-stack-v3-create}: a redelivered task repeats the same token, and CloudFormation then does
     * the work once. Names too long for CloudFormation's 128 characters are shortened with a hash, so
     * that tokens stay unique per stack.
     *
     * @param operation {@code create}, {@code update}, {@code recreate} or {@code delete}
     */
    public static String clientRequestToken(String stackName, long specVersion, String operation) {
        requireName(stackName);
        String suffix = "-v" + specVersion + "-" + operation;
        String token = stackName + suffix;
        if (token.length() <= MAX_TOKEN_LENGTH) {
            return token;
        }
        String hash = sha256Hex(stackName).substring(0, 8);
        int keep = MAX_TOKEN_LENGTH - suffix.length() - hash.length() - 1;
        return stackName.substring(0, keep) + "-" + hash + suffix;
    }

    private static String requireName(String stackName) {
        Objects.requireNonNull(stackName, "stackName");
        if (stackName.isBlank()) {
            throw new IllegalArgumentException("stackName must not be blank");
        }
        return stackName;
    }

    private static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
