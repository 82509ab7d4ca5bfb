#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs Wireshark's own source checks on plugin/: tools/checkAPIs.pl
# (prohibited and deprecated APIs, shadowed variables, hf_ definitions),
# tools/checkhf.pl (every hf_/ei_ declared, registered and used) and
# tools/checkfiltername.pl (filter names).  They must report nothing.
#
# The scripts are Wireshark's (GPL-2.0-or-later, see COPYING beside them)
# and are not kept in this repository: they are taken from Debian's source
# package of the Wireshark installed here, so they match its release, with
# apt-get and a private package list (the system's apt setup is untouched),
# and cached in CACHE_DIR.
#   tools/wireshark-checks/run.sh [CACHE_DIR]
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
cache="$(mkdir -p "${1:-$top/build/wireshark-checks}" && cd "${1:-$top/build/wireshark-checks}" && pwd)"
version=$(dpkg-query -W -f '${source:Version}' libwireshark-dev)  # binNMUs: +bN
upstream=${version%%-*}
tools="$cache/wireshark-$upstream/tools"

if [ ! -f "$tools/checkAPIs.pl" ]; then
  apt="$cache/apt"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
  suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
  key="[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]"
  # Unstable (its os-release names the next testing) has no -updates or
  # -security suite.
  if grep -q /sid /etc/debian_version; then
    echo "deb-src $key http://deb.debian.org/debian sid main" > "$apt/sources"
  else
    cat > "$apt/sources" <<SRC
deb-src $key http://deb.debian.org/debian $suite main
deb-src $key http://deb.debian.org/debian $suite-updates main
deb-src $key http://deb.debian.org/debian-security $suite-security main
SRC
  fi
  opts=(-o Dir::Etc::SourceList="$apt/sources" -o Dir::Etc::SourceParts=/dev/null
        -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache"
        -o APT::Sandbox::User=root -qq)
  apt-get "${opts[@]}" update
  (cd "$apt" && apt-get "${opts[@]}" source --download-only "wireshark=$version")
  tarball=$(ls "$apt"/wireshark_"$upstream".orig.tar.*)
  mkdir -p "$tools"
  tar -xf "$tarball" -C "$cache/wireshark-$upstream" --strip-components=1 \
    --wildcards '*/tools/checkAPIs.pl' '*/tools/checkhf.pl' \
    '*/tools/checkfiltername.pl' '*/COPYING'
  rm -rf "$apt"
fi

cd "$top"
report="$cache/report.txt"
{
  perl "$tools/checkAPIs.pl" plugin/*.c || echo "checkAPIs.pl exited $?"
  perl "$tools/checkhf.pl" plugin/*.c || echo "checkhf.pl exited $?"
  perl "$tools/checkfiltername.pl" plugin/*.c || echo "checkfiltername.pl exited $?"
} > "$report" 2>&1
if [ -s "$report" ]; then
  echo "Wireshark $upstream's checks report on plugin/:"
  cat "$report"
  exit 1
fi
echo "checkAPIs.pl, checkhf.pl, checkfiltername.pl (Wireshark $upstream): nothing to report on plugin/"
