package io.agentstacks.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentstacks.inmemory.InMemoryFleetControl;
import io.agentstacks.inmemory.InMemoryStackDeployments;
import io.agentstacks.local.SimulatedTime;
import io.agentstacks.local.semaphore.FakeSemaphore;
import io.agentstacks.scaling.GroupState;
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.stacks.AgentStackNames;
import io.agentstacks.stacks.StackDeployments;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * CloudFormation of the local control plane: {@link InMemoryStackDeployments} (stacks moving through their
 * states as the simulated clock passes) plus what an agent stack's template makes, the Auto Scaling group:
 *
 * <ul>
 *   <li>when a create completes, the group named in the stack's outputs exists in {@link InMemoryFleetControl}
 *       with the parameters' sizes (DesiredCapacity, or MinSize when it is empty), warm pool, scale-in
 *       protection of new instances, OS family (boot times) and terminate lifecycle hook (its heartbeat);</li>
 *   <li>when an update completes, the group takes the new sizes (desired capacity kept within them when
 *       DesiredCapacity is empty, as CloudFormation leaves it to the scaler), warm pool and launch template
 *       (instance type, agent configuration): instances launched from then on use it;</li>
 *   <li>when a delete completes, the group is deleted with every instance left.</li>
 * </ul>
 *
 * {@link #template(String)} answers what an instance of a group boots with: the launch template's instance
 * type and the agent configuration parameter ({@code <stack>-config}: endpoint, token parameter, disconnect
 * settings) and, for macOS, the host resource group.
 */
public final class LocalCloudFormation implements StackDeployments {

    /** What an instance of an agent group launches and boots with. */
    public record LaunchTemplate(String stackName, String groupName, OperatingSystem.Family family, String instanceType,
                                 String tokenParameterName, FakeSemaphore.AgentConfig agentConfig,
                                 Optional<String> hostResourceGroupName) {
    }

    /** The group as the stack's template defines it (for views of the local server). */
    public record GroupView(String stackName, String groupName, int minSize, int maxSize, int desiredCapacity,
                            int inService, int pending, int warm, String instanceType) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final InMemoryStackDeployments cfn;
    private final InMemoryFleetControl fleet;
    private final SimulatedTime time;
    private final Consumer<String> log;
    private final Map<String, Map<String, String>> appliedToGroup = new HashMap<>();
    private final Map<String, String> groupOfStack = new HashMap<>();
    private final Map<String, LaunchTemplate> templates = new HashMap<>();

    public LocalCloudFormation(InMemoryStackDeployments cfn, InMemoryFleetControl fleet, SimulatedTime time,
                               Consumer<String> log) {
        this.cfn = Objects.requireNonNull(cfn, "cfn");
        this.fleet = Objects.requireNonNull(fleet, "fleet");
        this.time = Objects.requireNonNull(time, "time");
        this.log = Objects.requireNonNull(log, "log");
    }

    public InMemoryStackDeployments stacks() {
        return cfn;
    }

    // ---- the port ----------------------------------------------------------------------------------

    @Override
    public void create(DeploymentRequest request) {
        cfn.create(request);
        settleAt(request.cloudFormationStackName(), cfn.durations().create());
    }

    @Override
    public UpdateResult update(DeploymentRequest request) {
        reconcile(request.cloudFormationStackName());
        UpdateResult r = cfn.update(request);
        if (r == UpdateResult.STARTED) {
            settleAt(request.cloudFormationStackName(), cfn.durations().update());
        }
        return r;
    }

    @Override
    public void delete(String cloudFormationStackName, String clientRequestToken) {
        reconcile(cloudFormationStackName);
        cfn.delete(cloudFormationStackName, clientRequestToken);
        settleAt(cloudFormationStackName, cfn.durations().delete());
    }

    @Override
    public DeploymentStatus describe(String cloudFormationStackName) {
        reconcile(cloudFormationStackName);
        return cfn.describe(cloudFormationStackName);
    }

    @Override
    public Optional<StackOutputs> outputs(String cloudFormationStackName) {
        reconcile(cloudFormationStackName);
        return cfn.outputs(cloudFormationStackName);
    }

    // ---- views ---------------------------------------------------------------------------------------

    /** What instances of the group launch and boot with, while its stack exists. */
    public synchronized Optional<LaunchTemplate> template(String groupName) {
        return Optional.ofNullable(templates.get(groupName));
    }

    /** The agent stack's group now (sizes from Auto Scaling, instance type from the launch template). */
    public Optional<GroupView> group(String stackName) {
        String cfnName = AgentStackNames.cloudFormationStackName(stackName);
        reconcile(cfnName);
        String groupName;
        LaunchTemplate template;
        synchronized (this) {
            groupName = groupOfStack.get(cfnName);
            template = groupName == null ? null : templates.get(groupName);
        }
        if (groupName == null) {
            return Optional.empty();
        }
        Optional<GroupState> g = fleet.exists(groupName) ? fleet.describe(groupName) : Optional.empty();
        return g.map(s -> new GroupView(stackName, groupName, s.minSize(), s.maxSize(), s.desiredCapacity(),
                (int) s.inServiceCount(), (int) (s.instances().size() - s.inServiceCount()), s.warmInstances(),
                template == null ? "" : template.instanceType()));
    }

    // ---- internals -----------------------------------------------------------------------------------

    private void settleAt(String cfnName, Duration operation) {
        time.after(operation, "CloudFormation " + cfnName + " finishes", () -> reconcile(cfnName));
        time.after(operation.plus(cfn.durations().rollback()), "CloudFormation " + cfnName + " rolls back",
                () -> reconcile(cfnName));
    }

    /** Brings the group in line with the stack as it is now. */
    private synchronized void reconcile(String cfnName) {
        Optional<StackOutputs> outputs = cfn.outputs(cfnName);
        String known = groupOfStack.get(cfnName);
        if (outputs.isEmpty()) {
            if (known != null) {
                if (fleet.exists(known)) {
                    fleet.deleteGroup(known);
                }
                groupOfStack.remove(cfnName);
                appliedToGroup.remove(cfnName);
                templates.remove(known);
                log.accept("{\"at\":\"" + time.now() + "\",\"event\":\"cloudformation.group-deleted\",\"stack\":\""
                        + cfnName + "\",\"group\":\"" + known + "\"}");
            }
            return;
        }
        Optional<DeploymentRequest> applied = cfn.applied(cfnName);
        Optional<String> groupName = outputs.get().output(AgentStackNames.OUTPUT_AUTO_SCALING_GROUP_NAME);
        if (applied.isEmpty() || groupName.isEmpty()) {
            return;
        }
        Map<String, String> p = applied.get().parameters();
        if (p.equals(appliedToGroup.get(cfnName)) && fleet.exists(groupName.get())) {
            return;
        }
        String group = groupName.get();
        OperatingSystem.Family family = switch (p.getOrDefault("OsFamily", "linux")) {
            case "windows" -> OperatingSystem.Family.WINDOWS;
            case "macos" -> OperatingSystem.Family.MACOS;
            default -> OperatingSystem.Family.LINUX;
        };
        int min = Integer.parseInt(p.get("MinSize"));
        int max = Integer.parseInt(p.get("MaxSize"));
        String desiredParameter = p.getOrDefault("DesiredCapacity", "");
        int warm = p.getOrDefault("WarmPoolSize", "").isEmpty() ? 0 : Integer.parseInt(p.get("WarmPoolSize"));
        boolean protectNew = "true".equals(p.get("NewInstancesProtectedFromScaleIn"));
        String heartbeat = p.getOrDefault("TerminateHookHeartbeatSeconds", "");
        Duration hook = heartbeat.isEmpty() ? Duration.ZERO : Duration.ofSeconds(Long.parseLong(heartbeat));
        templates.put(group, template(cfnName, group, family, p));
        if (!fleet.exists(group)) {
            int desired = desiredParameter.isEmpty() ? min : Integer.parseInt(desiredParameter);
            fleet.createGroup(new InMemoryFleetControl.GroupConfig(group, family, min, max, desired, warm, protectNew, hook));
            log.accept("{\"at\":\"" + time.now() + "\",\"event\":\"cloudformation.group-created\",\"stack\":\"" + cfnName
                    + "\",\"group\":\"" + group + "\",\"min\":" + min + ",\"max\":" + max + ",\"desired\":" + desired + "}");
        } else {
            int current = fleet.desiredCapacity(group);
            int desired = desiredParameter.isEmpty() ? Math.max(min, Math.min(max, current)) : Integer.parseInt(desiredParameter);
            fleet.updateSizes(group, min, max, desired);
            fleet.configureGroup(group, warm, protectNew);
            log.accept("{\"at\":\"" + time.now() + "\",\"event\":\"cloudformation.group-updated\",\"stack\":\"" + cfnName
                    + "\",\"group\":\"" + group + "\",\"min\":" + min + ",\"max\":" + max + ",\"desired\":" + desired
                    + ",\"instanceType\":\"" + p.get("InstanceType") + "\"}");
        }
        groupOfStack.put(cfnName, group);
        appliedToGroup.put(cfnName, p);
    }

    private static LaunchTemplate template(String cfnName, String group, OperatingSystem.Family family, Map<String, String> p) {
        JsonNode config;
        try {
            config = JSON.readTree(p.get("AgentConfigJson"));
        } catch (IOException e) {
            throw new IllegalStateException(cfnName + ": AgentConfigJson is not JSON", e);
        }
        String idle = config.path("disconnectAfterIdleTimeout").asText("0");
        FakeSemaphore.AgentConfig agent = new FakeSemaphore.AgentConfig(config.path("endpoint").asText(""),
                "true".equals(config.path("disconnectAfterJob").asText()),
                idle.isEmpty() ? 0 : Integer.parseInt(idle));
        String hostGroupArn = p.getOrDefault("HostResourceGroupArn", "");
        Optional<String> hostGroup = hostGroupArn.isEmpty() ? Optional.empty()
                : Optional.of(hostGroupArn.substring(hostGroupArn.lastIndexOf('/') + 1));
        return new LaunchTemplate(p.get("AgentStackName"), group, family, p.get("InstanceType"),
                p.get("AgentTokenParameterName"), agent, hostGroup);
    }
}
