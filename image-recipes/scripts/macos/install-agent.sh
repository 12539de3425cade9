#!/usr/bin/env bash
# Image build (macOS): installs the Semaphore agent and toolbox, each verified against its SHA-256
# from recipes.json, the agent user, and the agent's instance scripts and launchd daemons.
#   install-agent.sh <agent-url> <agent-sha256> <toolbox-url> <toolbox-sha256> <scripts-dir>
set -euo pipefail

agent_url="$1" agent_sha256="$2" toolbox_url="$3" toolbox_sha256="$4" scripts_dir="$5"
agent_dir="/opt/semaphore/agent"
user="semaphore"
home="/Users/$user"

require_checksum() {
  if ! printf '%s' "$2" | grep -Eq '^[0-9a-f]{64}$'; then
    echo "ERROR: no SHA-256 for $1 in image-recipes/recipes.json (got '$2'): fill it in before building." >&2
    exit 1
  fi
}

download_verified() {
  local url="$1" sha256="$2" target="$3"
  curl -fsSL --retry 5 -o "$target" "$url"
  if ! echo "$sha256  $target" | shasum -a 256 -c -s -; then
    echo "ERROR: $url does not match its SHA-256 from recipes.json." >&2
    exit 1
  fi
}

require_checksum "$agent_url" "$agent_sha256"
require_checksum "$toolbox_url" "$toolbox_sha256"

if ! id "$user" >/dev/null 2>&1; then
  uid=$(( $(dscl . -list /Users UniqueID | awk '{print $2}' | sort -n | tail -1) + 1 ))
  dscl . -create "/Users/$user"
  dscl . -create "/Users/$user" UserShell /bin/bash
  dscl . -create "/Users/$user" UniqueID "$uid"
  dscl . -create "/Users/$user" PrimaryGroupID 20
  dscl . -create "/Users/$user" NFSHomeDirectory "$home"
  mkdir -p "$home"
  chown "$user:staff" "$home"
fi
echo "$user ALL=(ALL) NOPASSWD: ALL" > /etc/sudoers.d/semaphore
chmod 440 /etc/sudoers.d/semaphore

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$agent_dir"
download_verified "$agent_url" "$agent_sha256" "$work/agent.tar.gz"
tar -xzf "$work/agent.tar.gz" -C "$agent_dir"

download_verified "$toolbox_url" "$toolbox_sha256" "$work/toolbox.tar"
rm -rf "$home/.toolbox"
tar -xf "$work/toolbox.tar" -C "$work"
mv "$work/toolbox" "$home/.toolbox"
chown -R "$user" "$home/.toolbox"
sudo -u "$user" -H bash "$home/.toolbox/install-toolbox"
grep -q 'source ~/.toolbox/toolbox' "$home/.bash_profile" 2>/dev/null \
  || echo 'source ~/.toolbox/toolbox' >> "$home/.bash_profile"
chown "$user" "$home/.bash_profile"

for script in agent-lib.sh platform.sh start.sh shutdown-hook.sh health-check.sh pre-job-hook.sh \
  post-job-hook.sh lifecycle-watch.sh gen-pre-signed-url.py; do
  install -m 0755 "$scripts_dir/$script" "$agent_dir/$script"
done
chown -R "$user" "$agent_dir"

for plist in com.semaphoreci.agent com.semaphoreci.health-check com.semaphoreci.lifecycle-watch \
  com.semaphoreci.warm-wait; do
  install -m 0644 "$scripts_dir/$plist.plist" "/Library/LaunchDaemons/$plist.plist"
  plutil -lint "/Library/LaunchDaemons/$plist.plist"
done
