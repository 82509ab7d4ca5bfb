#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs a command of this project inside a Debian chroot that ships another
# Wireshark release, building and caching the chroot first when needed.
#   tools/ws-versions.sh RELEASE [COMMAND...]      (default COMMAND: ./test.sh)
#   tools/ws-versions.sh --prepare RELEASE...      (only build the chroots)
# RELEASE is a Wireshark release or a Debian suite: 4.4 (trixie), 4.6 (sid).
#
# Chroots live in SESSIONS_WS_CACHE (default /var/cache/sessions-ws), one
# folder per suite, shared by every checkout on the machine.  A chroot is
# built into <suite>.tmp with debootstrap from the archive the host's apt
# sources name (SESSIONS_WS_MIRROR overrides), given the packages
# tools/deps.sh lists, and renamed to <suite> only once complete; one that is
# missing or broken (no working tshark, packages missing) is rebuilt or
# completed.  The project is copied (without build trees) to /srv/sessions in
# the chroot and COMMAND runs there as root, in a private mount namespace with
# proc, sys and devpts mounted (unmounted on exit).  One run per suite at a
# time (a lock), so parallel checkouts wait instead of sharing a chroot.
# Needs root.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
cache="${SESSIONS_WS_CACHE:-/var/cache/sessions-ws}"

suite_of() {
  case "$1" in
    4.4|trixie) echo trixie ;;
    4.6|sid|unstable) echo sid ;;
    *) echo "unknown release '$1' (known: 4.4 = trixie, 4.6 = sid)" >&2; return 1 ;;
  esac
}

# The Debian archive of the host's apt sources (deb822 or one-line format).
host_mirror() {
  [ -n "${SESSIONS_WS_MIRROR:-}" ] && { echo "$SESSIONS_WS_MIRROR"; return; }
  local uri
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
        awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' |
        grep -v -e security -e '^cdrom:' | head -1 || true)
  [ -n "$uri" ] || uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' |
        grep -v security | head -1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

packages() { "$top/tools/deps.sh" --list; }

# chroot_run DIR COMMAND...: COMMAND inside DIR with proc/sys/devpts mounted
# in a mount namespace of its own (nothing stays mounted if we are killed).
chroot_run() {
  local dir="$1"; shift
  cp -L /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
  unshare --mount --propagation private bash -c '
    set -e
    dir=$1; shift
    mounted=()
    cleanup() { for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" || true; done; }
    trap cleanup EXIT
    mkdir -p "$dir/proc" "$dir/sys" "$dir/dev/pts" "$dir/dev/shm"
    mount -t proc proc "$dir/proc" && mounted+=("$dir/proc")
    mount -t sysfs sysfs "$dir/sys" && mounted+=("$dir/sys")
    mount -t devpts -o newinstance,ptmxmode=0666 devpts "$dir/dev/pts" && mounted+=("$dir/dev/pts")
    mount -t tmpfs tmpfs "$dir/dev/shm" && mounted+=("$dir/dev/shm")
    chroot "$dir" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-}" \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
  ' chroot-run "$dir" "$@"
}

# Installs the packages into DIR (a debootstrapped tree) and checks them.
provision() {
  local dir="$1" wanted
  wanted=$(packages)
  mkdir -p "$dir/etc/apt/apt.conf.d" "$dir/usr/sbin"
  # Unstable's Release file may be past its Valid-Until date.
  echo 'Acquire::Check-Valid-Until "false";' > "$dir/etc/apt/apt.conf.d/99sessions"
  printf '#!/bin/sh\nexit 101\n' > "$dir/usr/sbin/policy-rc.d"
  chmod 0755 "$dir/usr/sbin/policy-rc.d"
  # shellcheck disable=SC2086 # the list is words
  chroot_run "$dir" sh -c "export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq &&
    apt-get install -y -qq --no-install-recommends $wanted >/dev/null &&
    apt-get clean"
  echo "$wanted" > "$dir/.sessions-packages"
}

# A chroot is usable when it has every wanted package and tshark runs.
healthy() {
  local dir="$1"
  [ -x "$dir/usr/bin/tshark" ] && [ -f "$dir/.sessions-packages" ] &&
    [ "$(cat "$dir/.sessions-packages")" = "$(packages)" ] &&
    chroot_run "$dir" tshark --version >/dev/null 2>&1
}

# Makes $cache/SUITE usable, building or completing it as needed.
ensure() {
  local suite="$1" dir="$cache/$1" tmp="$cache/$1.tmp" t0
  if [ -d "$dir" ]; then
    healthy "$dir" && return 0
    echo "== $suite chroot incomplete or broken: completing it"
    # A tree with apt can be completed in place; otherwise start again.
    if [ -x "$dir/usr/bin/apt-get" ] && provision "$dir" && healthy "$dir"; then
      return 0
    fi
    rm -rf --one-file-system "$dir"
  fi
  t0=$(date +%s)
  # A finished debootstrap leaves no debootstrap/ folder behind and has apt.
  if [ ! -x "$tmp/usr/bin/apt-get" ] || [ -d "$tmp/debootstrap" ]; then
    rm -rf --one-file-system "$tmp"
    local mirror; mirror=$(host_mirror)
    echo "== $suite chroot: debootstrap from $mirror into $tmp"
    mkdir -p "$cache"
    debootstrap --variant=minbase "$suite" "$tmp" "$mirror" > "$tmp.log" 2>&1 ||
      { tail -20 "$tmp.log" >&2; echo "debootstrap $suite failed (log: $tmp.log)" >&2; return 1; }
  fi
  echo "== $suite chroot: installing $(packages)"
  provision "$tmp"
  healthy "$tmp" || { echo "$suite chroot: tshark does not run after install" >&2; return 1; }
  mv "$tmp" "$dir"
  echo "== $suite chroot built in $(( $(date +%s) - t0 )) s"
}

# Copies the project, without build trees, to /srv/sessions in DIR.
copy_project() {
  local dir="$1"
  rm -rf --one-file-system "$dir/srv/sessions"
  mkdir -p "$dir/srv/sessions"
  tar -C "$top" --exclude=./.git --exclude='./build*' -cf - . | tar -C "$dir/srv/sessions" -xf -
}

[ "$(id -u)" -eq 0 ] || { echo "ws-versions.sh needs root (debootstrap, chroot, mount)" >&2; exit 1; }
command -v debootstrap >/dev/null || "$top/tools/deps.sh" debootstrap

if [ "${1:-}" = "--prepare" ]; then
  shift
  for r in "$@"; do
    s=$(suite_of "$r")
    mkdir -p "$cache"
    ( flock 9; ensure "$s" ) 9> "$cache/$s.lock"
  done
  exit 0
fi

[ $# -ge 1 ] || { sed -n '3,7p' "$0" >&2; exit 2; }
suite=$(suite_of "$1"); shift
[ $# -gt 0 ] || set -- ./test.sh
mkdir -p "$cache"
exec 9> "$cache/$suite.lock"
flock 9
ensure "$suite"
copy_project "$cache/$suite"
chroot_run "$cache/$suite" bash -c 'cd /srv/sessions && "$@"' run "$@"
