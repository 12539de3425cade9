#!/usr/bin/env bash
# Image build: Docker CE from Docker's apt repository, for the machine's own architecture.
set -euo pipefail

# Docker's release signing key (https://download.docker.com/linux/ubuntu/gpg).
docker_key_fingerprint="9DC858229FC7DD38854AE2D88D81803C0EBFCD88"

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q ca-certificates curl gnupg

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
curl -fsSL --retry 5 -o "$work/docker.asc" https://download.docker.com/linux/ubuntu/gpg
fingerprint="$(gpg --show-keys --with-colons "$work/docker.asc" | awk -F: '$1 == "fpr" { print $10; exit }')"
if [ "$fingerprint" != "$docker_key_fingerprint" ]; then
  echo "ERROR: Docker's apt key has fingerprint '$fingerprint', expected $docker_key_fingerprint." >&2
  exit 1
fi
install -m 0755 -d /etc/apt/keyrings
gpg --dearmor --yes -o /etc/apt/keyrings/docker.gpg "$work/docker.asc"
chmod a+r /etc/apt/keyrings/docker.gpg

arch="$(dpkg --print-architecture)"
# shellcheck source=/dev/null
codename="$(. /etc/os-release && echo "$VERSION_CODENAME")"
echo "deb [arch=$arch signed-by=/etc/apt/keyrings/docker.gpg] https://download.docker.com/linux/ubuntu $codename stable" \
  > /etc/apt/sources.list.d/docker.list
apt-get update -q
apt-get install -y -q docker-ce docker-ce-cli containerd.io docker-compose-plugin
systemctl enable --now docker
