#!/usr/bin/env bash
# Runs every minute once the agent has started: an agent that is gone retires its instance,
# so that a broken machine never sits in the fleet taking capacity.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=agent-lib.sh
. "$HERE/agent-lib.sh"
# shellcheck source=/dev/null
. "$HERE/platform.sh"

state="$(read_state)"
if [ "$state" != "started" ]; then
  # Warming, terminating through the lifecycle hook, or not started yet: not this check's business.
  exit 0
fi

if platform_agent_running; then
  log "Agent is running."
  exit 0
fi

log "Agent is not running - retiring the instance."
load_identity_from_cache || true
platform_retire_instance
