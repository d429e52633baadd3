#!/usr/bin/env bash
# Installs the Debian packages openlis needs to build, test and run, when any
# is missing. Needs root (or sudo) only when something must be installed.
#   deploy/deps.sh          build and run
#   deploy/deps.sh --test   also what the test suite uses (valgrind)
set -euo pipefail
pkgs=(build-essential cmake pkg-config libevent-dev libxml2-dev libxml2-utils libssl-dev
      liblmdb-dev lmdb-utils libyaml-dev libcriterion-dev openssl curl)
[ "${1:-}" = --test ] && pkgs+=(valgrind)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
