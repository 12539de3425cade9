#!/usr/bin/env bash
# Starts the Semaphore agent on a new instance. The launch template's user data runs
#   start.sh <stack>-config
# It reads the stack's config parameter and the registration token from SSM, writes the agent's
# config (mode 600, the token never printed), and starts the agent as a service. If the instance is
# on its way into a warm pool it only prepares, and a helper registers it once it leaves the pool:
#   start.sh --wait-in-service    (run by the warm-wait helper)
# Any failure marks the instance unhealthy, so that Auto Scaling replaces it.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=agent-lib.sh
. "$HERE/agent-lib.sh"
# shellcheck source=/dev/null
. "$HERE/platform.sh"

on_exit() {
  local code="$1" line="$2"
  if [ "$code" -eq 0 ]; then
    return
  fi
  log "start failed (exit $code, line $line): marking the instance unhealthy"
  if [ -z "$INSTANCE_ID" ]; then
    load_identity_from_imds || true
  fi
  if [ -n "$INSTANCE_ID" ]; then
    aws_cli autoscaling set-instance-health --instance-id "$INSTANCE_ID" --health-status Unhealthy || true
  fi
}
trap 'on_exit $? $LINENO' EXIT

mode="start"
parameter=""
case "${1:-}" in
  --wait-in-service) mode="wait" ;;
  "") ;;
  -*) log "unknown option: $1"; exit 1 ;;
  *) parameter="$1" ;;
esac

if [ -z "$parameter" ] && [ -r "$CONFIG_PARAMETER_FILE" ]; then
  parameter="$(cat "$CONFIG_PARAMETER_FILE")"
fi
if [ -z "$parameter" ]; then
  log "No agent config parameter name given (usage: start.sh <stack>-config)."
  exit 1
fi
if ! printf '%s' "$parameter" | grep -Eq '^[A-Za-z0-9_./-]{1,2048}$'; then
  log "The agent config parameter name is not a valid SSM parameter name."
  exit 1
fi
printf '%s\n' "$parameter" > "$CONFIG_PARAMETER_FILE"

load_identity_from_imds

fetch_stack_config() {
  local json
  json="$(retry aws_cli ssm get-parameter --name "$parameter" --query Parameter.Value --output text)"
  if ! printf '%s' "$json" | jq -e 'type == "object"' >/dev/null 2>&1; then
    log "The config parameter $parameter does not hold a JSON object."
    exit 1
  fi
  local key
  for key in endpoint agentTokenParameterName; do
    if ! printf '%s' "$json" | jq -e --arg k "$key" '(.[$k] // "") | tostring | length > 0' >/dev/null; then
      log "The config parameter $parameter has no '$key'."
      exit 1
    fi
  done
  # No secret in it: the token lives in its own SecureString parameter.
  printf '%s\n' "$json" > "$STACK_CONFIG_FILE.tmp"
  chmod 644 "$STACK_CONFIG_FILE.tmp"
  mv "$STACK_CONFIG_FILE.tmp" "$STACK_CONFIG_FILE"
}

# GitHub's SSH host keys, so that jobs can clone without a prompt.
install_known_hosts() {
  local keys_parameter home
  keys_parameter="$(stack_config sshKeysParameterName "")"
  if [ -z "$keys_parameter" ]; then
    return
  fi
  home="$(agent_home)"
  mkdir -p "$home/.ssh"
  touch "$home/.ssh/known_hosts"
  # Runs again when the instance leaves a warm pool: keep each key once.
  retry aws_cli ssm get-parameter --name "$keys_parameter" --query Parameter.Value --output text \
    | jq -r '.[] | "github.com " + .' | cat "$home/.ssh/known_hosts" - | awk '!seen[$0]++' > "$home/.ssh/known_hosts.tmp"
  mv "$home/.ssh/known_hosts.tmp" "$home/.ssh/known_hosts"
  chown -R "$AGENT_USER" "$home/.ssh"
}

# The image's CloudWatch agent config ships to /semaphore/<group>. This stack's template made its groups as
# <logGroupPrefix>/<group>, with their retention, and the instance role may write there only: restart the
# CloudWatch agent with the image's config rewritten to those names, without retention_in_days (the agent
# would set retention, which is the template's job and not the role's). Always from the image's file, so
# that a second run (leaving a warm pool) gives the same config. Logs are not worth an unhealthy instance:
# a failure here is logged, and the agent starts anyway.
configure_log_shipping() {
  local prefix image_config stack_config_file
  prefix="$(stack_config logGroupPrefix "")"
  if [ -z "$prefix" ]; then
    log "The config parameter has no logGroupPrefix: the CloudWatch agent keeps the image's log groups."
    return 0
  fi
  if ! printf '%s' "$prefix" | grep -Eq '^/[A-Za-z0-9_./#-]{1,400}$'; then
    log "The config parameter's logGroupPrefix is not a log group name: the CloudWatch agent keeps the image's log groups."
    return 0
  fi
  image_config="$CLOUDWATCH_AGENT_DIR/etc/amazon-cloudwatch-agent.json"
  stack_config_file="$CLOUDWATCH_AGENT_DIR/etc/semaphore-agent-stack.json"
  if ! jq --arg prefix "$prefix" 'walk(if type == "object" and has("log_group_name")
        then (.log_group_name |= sub("^/semaphore/"; $prefix + "/")) | del(.retention_in_days) else . end)' \
      "$image_config" > "$stack_config_file.tmp"; then
    log "Could not rewrite $image_config: the CloudWatch agent keeps the image's log groups."
    rm -f "$stack_config_file.tmp"
    return 0
  fi
  mv "$stack_config_file.tmp" "$stack_config_file"
  if ! "$CLOUDWATCH_AGENT_DIR/bin/amazon-cloudwatch-agent-ctl" -a fetch-config -m ec2 -c "file:$stack_config_file" -s; then
    log "The CloudWatch agent did not restart with the stack's log groups."
  fi
}

prepare() {
  fetch_stack_config
  configure_log_shipping
  lookup_group_name
  save_identity
  install_known_hosts
}

agent_name() {
  if [ "$(stack_config usePreSignedURL false)" = "true" ]; then
    # The agent type verifies the name: a pre-signed STS GetCallerIdentity URL.
    "$AGENT_DIR/gen-pre-signed-url.py"
  else
    printf '%s__%s' "$INSTANCE_ID" "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  fi
}

write_agent_config() {
  local token_parameter token name idle grace disconnect config
  token_parameter="$(stack_config agentTokenParameterName "")"
  token="$(retry aws_cli ssm get-parameter --with-decryption --name "$token_parameter" \
    --query Parameter.Value --output text)"
  if [ -z "$token" ] || [ "$token" = "None" ]; then
    log "The token parameter $token_parameter is empty."
    exit 1
  fi
  name="$(agent_name)"
  disconnect="$(stack_config disconnectAfterJob true)"
  idle="$(stack_config disconnectAfterIdleTimeout 300)"
  grace="$(stack_config interruptionGracePeriodSeconds 0)"
  config="$AGENT_DIR/config.yaml"

  # JSON is YAML. The token reaches jq through its environment, never through its arguments.
  (
    umask 077
    SEMAPHORE_REGISTRATION_TOKEN="$token" jq -n \
      --arg endpoint "$(stack_config endpoint "")" \
      --arg name "$name" \
      --arg dir "$AGENT_DIR" \
      --argjson disconnect "$([ "$disconnect" = "true" ] && echo true || echo false)" \
      --argjson idle "$idle" \
      --argjson grace "$grace" \
      --slurpfile stack "$STACK_CONFIG_FILE" \
      '{
        endpoint: $endpoint,
        token: $ENV.SEMAPHORE_REGISTRATION_TOKEN,
        name: $name,
        "no-https": false,
        "shutdown-hook-path": ($dir + "/shutdown-hook.sh"),
        "pre-job-hook-path": ($dir + "/pre-job-hook.sh"),
        "post-job-hook-path": ($dir + "/post-job-hook.sh"),
        "fail-on-pre-job-hook-error": false,
        "disconnect-after-job": $disconnect,
        "disconnect-after-idle-timeout": $idle,
        "interruption-grace-period": $grace,
        "env-vars": ($stack[0].envVars // []),
        files: [],
        "fail-on-missing-files": false,
        "upload-job-logs": "when-trimmed"
      }' > "$config.tmp"
  )
  chmod 600 "$config.tmp"
  chown "$AGENT_USER" "$config.tmp"
  mv "$config.tmp" "$config"
}

register_and_start() {
  local grace hook
  prepare
  write_agent_config
  grace="$(stack_config interruptionGracePeriodSeconds 0)"
  platform_set_stop_timeout "$((grace + 30))"
  platform_agent_start
  write_state started
  platform_health_check_start
  hook="$(stack_config lifecycleHookName "")"
  if [ -n "$hook" ]; then
    platform_helper_start lifecycle-watch
  fi
  log "Agent started on $INSTANCE_ID (group ${GROUP_NAME:-none})."
}

state="$(target_lifecycle_state)"
if [ "$mode" = "start" ]; then
  case "$state" in
    Warmed:*)
      prepare
      write_state warmed
      platform_helper_enable warm-wait
      log "Instance is entering the warm pool ($state): prepared, the agent is not registered."
      exit 0
      ;;
  esac
else
  while [ "$state" != "InService" ]; do
    sleep "$POLL_SECONDS"
    state="$(target_lifecycle_state)"
  done
  platform_helper_disable warm-wait
  log "Instance left the warm pool: registering the agent."
fi

register_and_start
