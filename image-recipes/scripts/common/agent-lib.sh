#!/usr/bin/env bash
# Shared helpers of the agent's instance scripts (Linux and macOS; keep it bash 3.2 compatible).
# Sourced, never run. Every path and endpoint can be overridden by the environment so that tests
# can point the scripts at stand-ins: SEMAPHORE_AGENT_DIR, SEMAPHORE_IMDS_ENDPOINT, SEMAPHORE_AWS_CLI,
# SEMAPHORE_AGENT_USER, SEMAPHORE_AGENT_HOME, SEMAPHORE_POLL_SECONDS, SEMAPHORE_RETRY_ATTEMPTS,
# SEMAPHORE_RETRY_DELAY_SECONDS, SEMAPHORE_CLOUDWATCH_AGENT_DIR.
# shellcheck disable=SC2034 # the variables below are used by the scripts that source this file

AGENT_DIR="${SEMAPHORE_AGENT_DIR:-/opt/semaphore/agent}"
IMDS_ENDPOINT="${SEMAPHORE_IMDS_ENDPOINT:-http://169.254.169.254}"
AWS_BIN="${SEMAPHORE_AWS_CLI:-aws}"
AGENT_USER="${SEMAPHORE_AGENT_USER:-semaphore}"
AGENT_HOME="${SEMAPHORE_AGENT_HOME:-}"
POLL_SECONDS="${SEMAPHORE_POLL_SECONDS:-5}"
RETRY_ATTEMPTS="${SEMAPHORE_RETRY_ATTEMPTS:-10}"
RETRY_DELAY_SECONDS="${SEMAPHORE_RETRY_DELAY_SECONDS:-}"
CLOUDWATCH_AGENT_DIR="${SEMAPHORE_CLOUDWATCH_AGENT_DIR:-/opt/aws/amazon-cloudwatch-agent}"

STATE_FILE="$AGENT_DIR/state"
IDENTITY_FILE="$AGENT_DIR/instance.json"
STACK_CONFIG_FILE="$AGENT_DIR/stack-config.json"
CONFIG_PARAMETER_FILE="$AGENT_DIR/config-parameter"

INSTANCE_ID=""
REGION=""
GROUP_NAME=""

log() {
  printf '[%s] %s\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" "$*" >&2
}

# Runs a command until it succeeds, with a short random pause between attempts.
retry() {
  local attempt=1
  while true; do
    if "$@"; then
      return 0
    fi
    if [ "$attempt" -ge "$RETRY_ATTEMPTS" ]; then
      log "giving up after $attempt attempts: $1 $2 $3"
      return 1
    fi
    attempt=$((attempt + 1))
    sleep "${RETRY_DELAY_SECONDS:-$((RANDOM % 5 + 1))}"
  done
}

# IMDSv2: every read takes a fresh session token.
imds_token() {
  curl -sf --max-time 5 -X PUT "$IMDS_ENDPOINT/latest/api/token" \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 300'
}

imds_get() {
  local token
  token="$(imds_token)" || return 1
  curl -sf --max-time 5 -H "X-aws-ec2-metadata-token: $token" "$IMDS_ENDPOINT/latest/$1"
}

# The Auto Scaling state the instance is heading to: InService, Warmed:Stopped, Terminated...
# Instances outside a group have no such entry: they count as InService.
target_lifecycle_state() {
  imds_get meta-data/autoscaling/target-lifecycle-state || echo "InService"
}

# The AWS CLI with the instance profile's credentials only: jobs may leave keys or profiles behind.
aws_cli() {
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE \
    AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null \
    "$AWS_BIN" --region "$REGION" "$@"
}

load_identity_from_imds() {
  INSTANCE_ID="$(retry imds_get meta-data/instance-id)"
  REGION="$(retry imds_get meta-data/placement/region)"
}

# Instance id, region and group name as start.sh cached them; hooks run inside jobs, which may
# have changed the network, so they do not depend on IMDS.
load_identity_from_cache() {
  if [ ! -r "$IDENTITY_FILE" ]; then
    log "no cached identity at $IDENTITY_FILE: the agent was not started by start.sh"
    return 1
  fi
  INSTANCE_ID="$(jq -r '.instanceId' "$IDENTITY_FILE")"
  REGION="$(jq -r '.region' "$IDENTITY_FILE")"
  GROUP_NAME="$(jq -r '.groupName // ""' "$IDENTITY_FILE")"
}

save_identity() {
  jq -n --arg i "$INSTANCE_ID" --arg r "$REGION" --arg g "$GROUP_NAME" \
    '{instanceId: $i, region: $r, groupName: $g}' > "$IDENTITY_FILE.tmp"
  chmod 644 "$IDENTITY_FILE.tmp"
  mv "$IDENTITY_FILE.tmp" "$IDENTITY_FILE"
}

lookup_group_name() {
  local name
  name="$(retry aws_cli autoscaling describe-auto-scaling-instances --instance-ids "$INSTANCE_ID" \
    --query 'AutoScalingInstances[0].AutoScalingGroupName' --output text)"
  if [ "$name" = "None" ]; then
    name=""
  fi
  GROUP_NAME="$name"
}

agent_home() {
  if [ -n "$AGENT_HOME" ]; then
    echo "$AGENT_HOME"
  elif printf '%s' "$AGENT_USER" | grep -Eq '^[a-z_][a-z0-9_-]*$'; then
    eval echo "~$AGENT_USER"
  else
    log "invalid agent user name"
    return 1
  fi
}

read_state() {
  if [ -r "$STATE_FILE" ]; then
    cat "$STATE_FILE"
  else
    echo "none"
  fi
}

write_state() {
  printf '%s\n' "$1" > "$STATE_FILE.tmp"
  chmod 644 "$STATE_FILE.tmp"
  mv "$STATE_FILE.tmp" "$STATE_FILE"
}

# A key of the stack's config parameter (cached by start.sh), or the default when absent or null.
# Booleans may be JSON booleans or the strings "true"/"false" (the older tool wrote both).
stack_config() {
  jq -r --arg k "$1" --arg d "$2" 'if (has($k) and .[$k] != null) then (.[$k] | tostring) else $d end' \
    "$STACK_CONFIG_FILE"
}
