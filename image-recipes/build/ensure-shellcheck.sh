#!/usr/bin/env bash
# Makes sure shellcheck is on PATH before the script tests run.
# CI runs as root on a fresh Debian machine: install it there; anywhere else, say what to do.
set -euo pipefail

if command -v shellcheck >/dev/null 2>&1; then
  exit 0
fi

if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
  echo "shellcheck not found: installing it with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq shellcheck >/dev/null
  command -v shellcheck >/dev/null 2>&1 && exit 0
fi

echo "ERROR: shellcheck is required by the image-recipes tests and is not installed." >&2
echo "       Install it (Debian/Ubuntu: 'sudo apt-get install shellcheck', macOS: 'brew install shellcheck') and run the build again." >&2
exit 1
