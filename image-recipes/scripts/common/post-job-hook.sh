#!/usr/bin/env bash
# The agent's post-job hook (post-job-hook-path): the job is over, so the instance may be scaled in
# again. Runs inside the job's environment: never fail the job for it.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=agent-lib.sh
. "$HERE/agent-lib.sh"
RETRY_ATTEMPTS=3 # a job waits for this hook: do not hold it long

unprotect() {
  load_identity_from_cache || return 0
  if [ -z "$GROUP_NAME" ]; then
    return 0
  fi
  retry aws_cli autoscaling set-instance-protection --instance-ids "$INSTANCE_ID" \
    --auto-scaling-group-name "$GROUP_NAME" --no-protected-from-scale-in >/dev/null
}

if unprotect; then
  log "Scale-in protection removed."
else
  log "Could not remove the scale-in protection."
fi
exit 0
