#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the Debian packages Sessions needs to build and test, when missing.
# Usage: tools/deps.sh [extra packages...]
#        tools/deps.sh --list      (prints the list; tools/ws-versions.sh uses it)
set -euo pipefail

packages=(build-essential cmake pkg-config libglib2.0-dev libwireshark-dev
          tshark libpcap-dev python3 python3-scapy)
if [ "${1:-}" = "--list" ]; then echo "${packages[*]}"; exit 0; fi
packages+=("$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
