#!/usr/bin/env bash
# The agent's pre-job hook (pre-job-hook-path): protects the instance from scale-in while a job
# runs, so that neither the scaler nor an instance refresh takes a busy agent away.
# It runs inside the job's environment: never fail the job for it, and ignore the job's AWS settings.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=agent-lib.sh
. "$HERE/agent-lib.sh"
RETRY_ATTEMPTS=3 # a job waits for this hook: do not hold it long

protect() {
  load_identity_from_cache || return 0
  if [ -z "$GROUP_NAME" ]; then
    log "The instance is not in an Auto Scaling group: no scale-in protection to set."
    return 0
  fi
  retry aws_cli autoscaling set-instance-protection --instance-ids "$INSTANCE_ID" \
    --auto-scaling-group-name "$GROUP_NAME" "$1" >/dev/null
}

if protect --protected-from-scale-in; then
  log "Instance protected from scale-in while the job runs."
else
  log "Could not protect the instance from scale-in."
fi
exit 0
