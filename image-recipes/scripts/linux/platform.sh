#!/usr/bin/env bash
# Linux (systemd) side of the agent's instance scripts. Sourced after agent-lib.sh.
# Units: semaphore-agent.service (the agent), semaphore-agent-health.timer (every minute),
# semaphore-agent-lifecycle-watch.service, semaphore-agent-warm-wait.service.

SYSTEMD_DIR="${SEMAPHORE_SYSTEMD_DIR:-/etc/systemd/system}"

# systemd sends SIGTERM on stop and SIGKILL after TimeoutStopSec: give the agent its grace period.
platform_set_stop_timeout() {
  mkdir -p "$SYSTEMD_DIR/semaphore-agent.service.d"
  printf '[Service]\nTimeoutStopSec=%s\n' "$1" > "$SYSTEMD_DIR/semaphore-agent.service.d/10-stop-timeout.conf"
  systemctl daemon-reload
}

platform_agent_start() {
  systemctl start semaphore-agent.service
}

# Blocks until the agent has exited (or TimeoutStopSec has passed).
platform_agent_stop() {
  systemctl stop semaphore-agent.service
}

platform_agent_running() {
  systemctl is-active --quiet semaphore-agent.service
}

platform_health_check_start() {
  systemctl start semaphore-agent-health.timer
}

# Background helpers (lifecycle-watch, warm-wait): start without waiting for them.
platform_helper_start() {
  systemctl start --no-block "semaphore-agent-$1.service"
}

# Helpers that must run again at the next boot (warm-wait, for a warm pool of stopped instances).
platform_helper_enable() {
  systemctl enable "semaphore-agent-$1.service"
}

platform_helper_disable() {
  systemctl disable "semaphore-agent-$1.service"
}

# The launch template's shutdown behaviour is terminate: powering off ends the instance, even
# when a job has broken the network path to the Auto Scaling API.
platform_retire_instance() {
  poweroff
}
