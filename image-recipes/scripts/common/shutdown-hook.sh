#!/usr/bin/env bash
# The agent's shutdown hook (shutdown-hook-path). The agent runs it when it disconnects, with
# SEMAPHORE_AGENT_SHUTDOWN_REASON set to IDLE, JOB_FINISHED, UNABLE_TO_SYNC, REQUESTED or INTERRUPTED.
# IDLE: the fleet is larger than the demand, so the instance goes and desired capacity shrinks with it.
# Any other reason: the instance goes and Auto Scaling replaces it with a fresh one.
# When the instance is already terminating through its lifecycle hook, lifecycle-watch.sh finishes.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=agent-lib.sh
. "$HERE/agent-lib.sh"

reason="${SEMAPHORE_AGENT_SHUTDOWN_REASON:-}"
log "Agent shut down (reason: ${reason:-unknown})."

if [ "$(read_state)" = "terminating" ]; then
  log "The instance is already terminating: nothing to do."
  exit 0
fi

load_identity_from_cache

if [ "$reason" = "IDLE" ]; then
  decrement="--should-decrement-desired-capacity"
else
  decrement="--no-should-decrement-desired-capacity"
fi

retry aws_cli autoscaling terminate-instance-in-auto-scaling-group \
  --instance-id "$INSTANCE_ID" "$decrement"
