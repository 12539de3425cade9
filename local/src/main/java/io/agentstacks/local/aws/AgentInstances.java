package io.agentstacks.local.aws;

import io.agentstacks.hosts.DedicatedHost;
import io.agentstacks.hosts.HostState;
import io.agentstacks.inmemory.InMemoryFleetControl;
import io.agentstacks.inmemory.InMemoryHostGroups;
import io.agentstacks.inmemory.InMemoryHostPool;
import io.agentstacks.local.SimulatedTime;
import io.agentstacks.local.semaphore.FakeSemaphore;
import io.agentstacks.scaling.FleetControlException;
import io.agentstacks.spec.OperatingSystem;
import io.agentstacks.token.StoredToken;
import io.agentstacks.token.TokenStore;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The EC2 instances of the agent groups, and what runs on them, as the instance scripts make it happen:
 *
 * <ul>
 *   <li>a launched instance takes its group's launch template (instance type); a macOS instance is placed on a
 *       free host of the stack's host resource group, or on a host the group allocates (auto-allocate), and its
 *       host is scrubbed when it ends;</li>
 *   <li>an instance in service starts its agent: it reads the agent configuration and, with it, the registration
 *       token from SSM (a missing parameter fails the start: the instance powers off) and registers with
 *       Semaphore ({@link FakeSemaphore#boot});</li>
 *   <li>the agent's hooks call Auto Scaling from the instance ({@link FakeSemaphore.InstanceHooks}).</li>
 * </ul>
 *
 * Listens to the fleet's instance changes; the work is done by timers at the change's instant, so that
 * nothing runs inside Auto Scaling's own call.
 */
public final class AgentInstances implements FakeSemaphore.InstanceHooks {

    private static final String DEFAULT_ZONE = "us-east-1a";

    private final InMemoryFleetControl fleet;
    private final LocalCloudFormation cloudFormation;
    private final TokenStore tokens;
    private final InMemoryHostGroups hostGroups;
    private final InMemoryHostPool hostPool;
    private final SimulatedTime time;
    private final Consumer<String> log;
    private final Map<String, String> instanceTypes = new HashMap<>();
    private final Map<String, String> hostOf = new HashMap<>();
    private FakeSemaphore semaphore;

    public AgentInstances(InMemoryFleetControl fleet, LocalCloudFormation cloudFormation, TokenStore tokens,
                          InMemoryHostGroups hostGroups, InMemoryHostPool hostPool, SimulatedTime time, Consumer<String> log) {
        this.fleet = Objects.requireNonNull(fleet, "fleet");
        this.cloudFormation = Objects.requireNonNull(cloudFormation, "cloudFormation");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.hostGroups = Objects.requireNonNull(hostGroups, "hostGroups");
        this.hostPool = Objects.requireNonNull(hostPool, "hostPool");
        this.time = Objects.requireNonNull(time, "time");
        this.log = Objects.requireNonNull(log, "log");
    }

    /** Starts following the fleet; agents register with {@code semaphore}. */
    public void attach(FakeSemaphore semaphore) {
        this.semaphore = Objects.requireNonNull(semaphore, "semaphore");
        fleet.onChange(this::changed);
    }

    /** The instance type an instance was launched with, while it exists. */
    public synchronized Optional<String> instanceType(String instanceId) {
        return Optional.ofNullable(instanceTypes.get(instanceId));
    }

    /** The dedicated host a macOS instance runs on. */
    public synchronized Optional<String> hostOf(String instanceId) {
        return Optional.ofNullable(hostOf.get(instanceId));
    }

    private void changed(InMemoryFleetControl.Change c) {
        InMemoryFleetControl.State from = c.from();
        InMemoryFleetControl.State to = c.to();
        if (to == InMemoryFleetControl.State.PENDING || to == InMemoryFleetControl.State.WARMED_PENDING) {
            if (from == InMemoryFleetControl.State.TERMINATED) {
                Optional<LocalCloudFormation.LaunchTemplate> template = cloudFormation.template(c.groupName());
                template.ifPresent(t -> {
                    synchronized (this) {
                        instanceTypes.put(c.instanceId(), t.instanceType());
                    }
                    if (t.family() == OperatingSystem.Family.MACOS) {
                        time.at(c.at(), "place " + c.instanceId() + " on a Mac host", () -> place(c, t));
                    }
                });
            }
        } else if (to == InMemoryFleetControl.State.TERMINATING_WAIT) {
            time.at(c.at(), "instance " + c.instanceId() + " terminating", () -> semaphore.terminating(c.instanceId(),
                    () -> completeLifecycleAction(c.groupName(), c.instanceId())));
        } else if (to == InMemoryFleetControl.State.IN_SERVICE) {
            time.at(c.at(), "agent starts on " + c.instanceId(), () -> boot(c));
        } else if (to == InMemoryFleetControl.State.TERMINATED) {
            time.at(c.at(), "instance " + c.instanceId() + " ends", () -> ended(c));
        }
    }

    private void place(InMemoryFleetControl.Change c, LocalCloudFormation.LaunchTemplate t) {
        if (!active(c.groupName(), c.instanceId())) {
            return;
        }
        if (t.hostResourceGroupName().isEmpty()) {
            line("instance.launch-failed", c.instanceId(), "a macOS instance needs a host resource group");
            powerOff(c.instanceId());
            return;
        }
        String group = t.hostResourceGroupName().get();
        try {
            List<DedicatedHost> members = hostPool.describe(hostGroups.hostIds(group));
            String zone = members.stream()
                    .filter(h -> h.state() == HostState.AVAILABLE && !h.occupied() && h.instanceType().equals(t.instanceType()))
                    .map(DedicatedHost::availabilityZone).findFirst()
                    .or(() -> members.stream().map(DedicatedHost::availabilityZone).findFirst())
                    .orElse(DEFAULT_ZONE);
            String host = hostGroups.launchInstance(group, zone, t.instanceType());
            synchronized (this) {
                hostOf.put(c.instanceId(), host);
            }
        } catch (RuntimeException e) {
            line("instance.launch-failed", c.instanceId(), "no Mac host: " + e.getMessage());
            powerOff(c.instanceId());
        }
    }

    private void boot(InMemoryFleetControl.Change c) {
        if (!active(c.groupName(), c.instanceId())) {
            return;
        }
        Optional<LocalCloudFormation.LaunchTemplate> template = cloudFormation.template(c.groupName());
        if (template.isEmpty()) {
            return;
        }
        StoredToken token;
        try {
            token = tokens.read(template.get().tokenParameterName());
        } catch (RuntimeException e) {
            line("agent.start-failed", c.instanceId(), "the token parameter cannot be read");
            powerOff(c.instanceId());
            return;
        }
        semaphore.boot(c.instanceId(), c.groupName(), template.get().agentConfig(), token.token());
    }

    private void ended(InMemoryFleetControl.Change c) {
        String host;
        synchronized (this) {
            instanceTypes.remove(c.instanceId());
            host = hostOf.remove(c.instanceId());
        }
        if (host != null) {
            hostPool.endInstance(host);
        }
        semaphore.instanceGone(c.instanceId());
    }

    private boolean active(String group, String instanceId) {
        try {
            return fleet.exists(group) && fleet.instances(group).stream()
                    .anyMatch(i -> i.instanceId().equals(instanceId) && i.state() != InMemoryFleetControl.State.TERMINATED);
        } catch (FleetControlException e) {
            return false;
        }
    }

    // ---- the agent's calls from its instance -------------------------------------------------------

    @Override
    public void protect(String groupName, String instanceId, boolean on) {
        try {
            fleet.setInstanceProtection(groupName, instanceId, on);
        } catch (FleetControlException e) {
            line("agent.hook-failed", instanceId, "SetInstanceProtection: " + e.getMessage());
        }
    }

    @Override
    public boolean terminate(String instanceId, boolean decrementDesired) {
        try {
            fleet.terminateInstanceInAutoScalingGroup(instanceId, decrementDesired);
            return true;
        } catch (FleetControlException e) {
            line("agent.hook-failed", instanceId, "TerminateInstanceInAutoScalingGroup: " + e.getMessage());
            // Refused below the group's minimum: the agent has exited anyway, and the health check powers off.
            return e.getMessage() == null || !e.getMessage().contains("min size");
        }
    }

    /** What the instance scripts do once the agent has stopped: CompleteLifecycleAction (CONTINUE). */
    private void completeLifecycleAction(String groupName, String instanceId) {
        try {
            fleet.completeLifecycleAction(groupName, instanceId);
        } catch (FleetControlException e) {
            // the hook timed out first, or the instance is gone
        }
    }

    @Override
    public void powerOff(String instanceId) {
        try {
            fleet.powerOff(instanceId);
        } catch (FleetControlException e) {
            // already gone
        }
    }

    private void line(String event, String instanceId, String detail) {
        log.accept("{\"at\":\"" + time.now() + "\",\"event\":\"" + event + "\",\"instanceId\":\"" + instanceId
                + "\",\"detail\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(detail) + "}");
    }
}
