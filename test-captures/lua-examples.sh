#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the README's Lua examples (plugin/examples/*.lua) in tshark with
# exactly the build tree's plugin, and compares what they print with
# golden/lua/<case>.txt:
#   lenprefix.framer  the dissector on sessions.port 7000, one message a call
#                     (the `length` framer on port 7000)
#   lenprefix.raw     the same with the default raw framer (a direction a call)
#   flow-report.*     the listener reading sessions.msg and sessions.flow.*
# and that a dissector on sessions.proto gets the messages of its framer
# unless the sessions.port entry of their flow took them.
#   lua-examples.sh BUILD_DIR     SESSIONS_REGEN=1 lua-examples.sh BUILD_DIR rewrites goldens
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "$1" && pwd)"
# shellcheck source=stage.sh
. "$here/stage.sh"

# 4.0 and 4.4 say "with Lua 5.x", 4.6 lists "+Lua 5.x" among its features.
tshark -v 2>/dev/null | grep -qiE '(with |\+)Lua\b' ||
  { echo "FAIL: this tshark has no Lua"; exit 1; }
mkdir -p "$stage/lua" "$here/golden/lua"
cp "$here/../plugin/examples/"*.lua "$stage/lua/"
chmod -R a+rX "$stage/lua"
lua="$stage/lua"
framer='uat:sessions_framers:"7000","length","2","2","big","0",""'
# Not the Protocol column: from 4.4 on Wireshark's own port-7000 dissector
# (UCI) writes it after the example's message dissector has run.
lenprefix_fields=(-Y lenprefix -T fields -E occurrence=a -e frame.number
                  -e lenprefix.length -e lenprefix.body -e lenprefix.short)

check() {
  local name=$1; shift
  local out="$stage/out/$name"
  ts "$@" > "$out.txt" 2> "$out.err" ||
    { fail "$name: tshark failed: $(head -3 "$out.err")"; return; }
  if grep -qi 'lua.*error\|error.*lua' "$out.err"; then
    fail "$name: Lua error: $(head -3 "$out.err")"; return
  fi
  check_golden "$here/golden/lua/$name.txt" "$out.txt"
}

check lenprefix.framer -X "lua_script:$lua/lenprefix.lua" -o "$framer" \
  -r "$caps/custom-lenprefix.pcap" "${lenprefix_fields[@]}"
check lenprefix.raw -X "lua_script:$lua/lenprefix.lua" \
  -r "$caps/custom-lenprefix.pcap" "${lenprefix_fields[@]}"
for cap in custom-lenprefix real-http-impaired link-null; do
  check "flow-report.$cap" -r "$caps/$cap.pcap" -2 -q \
    -X "lua_script:$lua/flow-report.lua"
done

# sessions.proto: a dissector for the `length` framer's messages sees the
# frames lenprefix.lua shows; with lenprefix.lua on port 7000 it sees none.
cat > "$lua/by-framer.lua" <<'LUA'
local by_framer = Proto("by_framer", "Messages of the length framer")
function by_framer.dissector(tvb, pinfo, tree)
    tree:add(by_framer, tvb())
    return tvb:len()
end
DissectorTable.get("sessions.proto"):add("length", by_framer)
LUA
chmod a+r "$lua/by-framer.lua"
frames() { ts -r "$caps/custom-lenprefix.pcap" -o "$framer" "$@" -Y "$filter" \
             -T fields -e frame.number 2>/dev/null | tr '\n' ' '; }
filter=lenprefix want=$(frames -X "lua_script:$lua/lenprefix.lua")
filter=by_framer got=$(frames -X "lua_script:$lua/by-framer.lua")
[ -n "$want" ] && [ "$got" = "$want" ] ||
  fail "sessions.proto entry saw frames '$got', the port entry '$want'"
filter=by_framer got=$(frames -X "lua_script:$lua/by-framer.lua" -X "lua_script:$lua/lenprefix.lua")
[ -z "$got" ] || fail "sessions.proto entry saw frames '$got' that the port entry took"

echo "$failures failures"
[ "$failures" -eq 0 ]
