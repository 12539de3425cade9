#!/usr/bin/env bash
# Watches for the instance being told to terminate (its target lifecycle state becomes Terminated,
# held in Terminating:Wait by the group's terminate lifecycle hook). It then stops the agent
# gracefully: the agent gets interruption-grace-period seconds to finish or hand back its job. Once
# the agent has stopped, it completes the lifecycle action so that the termination goes ahead.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=agent-lib.sh
. "$HERE/agent-lib.sh"
# shellcheck source=/dev/null
. "$HERE/platform.sh"

if [ "$(read_state)" != "started" ]; then
  # launchd loads this at boot too: there is nothing to watch before the agent has started.
  log "The agent has not started: nothing to watch."
  exit 0
fi
load_identity_from_cache
hook="$(stack_config lifecycleHookName "")"
grace="$(stack_config interruptionGracePeriodSeconds 0)"
if [ -z "$hook" ] || [ -z "$GROUP_NAME" ]; then
  log "No terminate lifecycle hook configured for this instance: nothing to watch."
  exit 0
fi

while [ "$(target_lifecycle_state)" != "Terminated" ]; do
  sleep "$POLL_SECONDS"
done

write_state terminating
log "The instance is terminating: stopping the agent (grace period ${grace}s)."
platform_agent_stop || log "The agent service did not stop cleanly."

retry aws_cli autoscaling complete-lifecycle-action \
  --lifecycle-hook-name "$hook" \
  --auto-scaling-group-name "$GROUP_NAME" \
  --instance-id "$INSTANCE_ID" \
  --lifecycle-action-result CONTINUE
log "Lifecycle action completed: the instance may terminate."
