# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by run.sh and differential.sh: stages the build's plugin and the
# captures in a world-readable folder and defines ts(), tshark with exactly
# that plugin.  As root, tshark runs as nobody: root ignores
# WIRESHARK_PLUGIN_DIR, and for anyone else it replaces the global folder.
#   here=... build=... . stage.sh     (sets stage, caps; removes it on exit)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/home" "$stage/caps" "$stage/out"
# build/plugins/<major.minor>/epan/sessions.so, the release's folder name.
cp -R "$build/plugins" "$stage/"
cp "$here"/*.pcap "$here"/*.pcapng "$stage/caps/" 2>/dev/null
chmod -R a+rwX "$stage"
caps="$stage/caps"
as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
ts() {
  "${as_user[@]}" env HOME="$stage/home" XDG_CONFIG_HOME="$stage/home/.config" \
    WIRESHARK_PLUGIN_DIR="$stage/plugins" tshark "$@"
}

# Failures counted by fail(); check_golden GOLDEN OUT compares OUT with the
# golden file, or rewrites it under SESSIONS_REGEN=1.
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check_golden() {
  if [ "${SESSIONS_REGEN:-}" = 1 ]; then
    cp "$2" "$1"
  elif ! diff -u "$1" "$2" > "$2.diff"; then
    fail "differs from ${1#"$here"/}"; head -20 "$2.diff"
  fi
}
