#!/usr/bin/env bash
# Image build (macOS): installs the Semaphore agent and toolbox, each verified against its SHA-256
# from recipes.json, and the agent user. The agent-scripts and agent-hooks components add the
# instance scripts and the launchd daemons.
#   install-agent.sh <agent-url> <agent-sha256> <toolbox-url> <toolbox-sha256>
set -euo pipefail

agent_url="$1" agent_sha256="$2" toolbox_url="$3" toolbox_sha256="$4"
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

chown -R "$user" "$agent_dir"
