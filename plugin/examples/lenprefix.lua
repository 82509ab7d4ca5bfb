-- SPDX-License-Identifier: GPL-2.0-or-later
-- A dissector for the messages Sessions reassembles on TCP port 7000: magic
-- C0DE, a 2-byte big-endian body length at offset 2, then the body.  With
-- the `length` framer on port 7000 each call gets one whole message, however
-- TCP cut, reordered or resent it; with the default `raw` framer one call
-- gets a whole direction, so the loop reads every message in it.
local lenprefix = Proto("lenprefix", "Length-prefixed example protocol")
local f_magic = ProtoField.uint16("lenprefix.magic", "Magic", base.HEX)
local f_length = ProtoField.uint16("lenprefix.length", "Body length", base.DEC)
local f_body = ProtoField.bytes("lenprefix.body", "Body")
local e_short = ProtoExpert.new("lenprefix.short", "Message shorter than its length",
                                expert.group.MALFORMED, expert.severity.ERROR)
lenprefix.fields = { f_magic, f_length, f_body }
lenprefix.experts = { e_short }

function lenprefix.dissector(tvb, pinfo, tree)
    local offset = 0
    while offset + 4 <= tvb:len() and tvb(offset, 2):uint() == 0xC0DE do
        local body = tvb(offset + 2, 2):uint()
        local size = math.min(4 + body, tvb:len() - offset)
        local item = tree:add(lenprefix, tvb(offset, size))
        item:add(f_magic, tvb(offset, 2))
        item:add(f_length, tvb(offset + 2, 2))
        if size < 4 + body then
            item:add_proto_expert_info(e_short)
        elseif body > 0 then
            item:add(f_body, tvb(offset + 4, body))
        end
        offset = offset + size
    end
    if offset == 0 then
        return 0 -- not ours: Sessions tries the sessions.proto table next
    end
    pinfo.cols.protocol = "LENPREFIX"
    return offset
end

DissectorTable.get("sessions.port"):add(7000, lenprefix)
