#!/usr/bin/env bash
# macOS (launchd) side of the agent's instance scripts. Sourced after agent-lib.sh; bash 3.2.
# Daemons (installed by the image build, loaded by launchd at boot): com.semaphoreci.agent,
# com.semaphoreci.health-check (every minute), com.semaphoreci.lifecycle-watch, and
# com.semaphoreci.warm-wait (disabled until enabled).

LAUNCHD_DIR="${SEMAPHORE_LAUNCHD_DIR:-/Library/LaunchDaemons}"
AGENT_LABEL="com.semaphoreci.agent"

# Homebrew's tools (jq, coreutils) are not on launchd's PATH.
PATH="/opt/homebrew/bin:/usr/local/bin:$PATH"

# launchd sends SIGTERM on bootout and SIGKILL after ExitTimeOut: give the agent its grace period.
# The loaded job keeps the value it was loaded with: load it again.
platform_set_stop_timeout() {
  plutil -replace ExitTimeOut -integer "$1" "$LAUNCHD_DIR/$AGENT_LABEL.plist"
  launchctl bootout "system/$AGENT_LABEL" 2>/dev/null || true
  launchctl bootstrap system "$LAUNCHD_DIR/$AGENT_LABEL.plist"
}

platform_agent_start() {
  launchctl kickstart "system/$AGENT_LABEL"
}

# Blocks until the agent has exited (or ExitTimeOut has passed).
platform_agent_stop() {
  launchctl bootout "system/$AGENT_LABEL"
}

platform_agent_running() {
  case "$(launchctl print "system/$AGENT_LABEL" 2>/dev/null)" in
    *"state = running"*) return 0 ;;
    *) return 1 ;;
  esac
}

platform_health_check_start() {
  launchctl kickstart system/com.semaphoreci.health-check
}

platform_helper_start() {
  launchctl kickstart "system/com.semaphoreci.$1"
}

platform_helper_enable() {
  launchctl enable "system/com.semaphoreci.$1"
}

platform_helper_disable() {
  launchctl disable "system/com.semaphoreci.$1"
}

# A Mac instance cannot end itself from the OS (the host keeps it): let Auto Scaling replace it.
platform_retire_instance() {
  aws_cli autoscaling set-instance-health --instance-id "$INSTANCE_ID" --health-status Unhealthy
}
