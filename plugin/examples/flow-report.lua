-- SPDX-License-Identifier: GPL-2.0-or-later
-- A listener that reads Sessions' fields: per flow, the messages and their
-- bytes, and the flow's totals.  The totals are known once the first pass
-- has ended, so run it with -2:
--   tshark -r x.pcap -2 -q -X lua_script:flow-report.lua
local f_flow = Field.new("sessions.flow")
local f_flow_id = Field.new("sessions.flow.id")
local f_flow_dir = Field.new("sessions.flow.dir")
local f_total_pkts = Field.new("sessions.flow.total_pkts")
local f_total_bytes = Field.new("sessions.flow.total_bytes")
local f_state = Field.new("sessions.flow.state")
local f_msg = Field.new("sessions.msg")
local f_msg_proto = Field.new("sessions.msg.proto")

local flows = {}
local tap = Listener.new("frame", "sessions.flow")

function tap.packet(pinfo, tvb)
    local id = f_flow_id().value
    local flow = flows[id]
    if not flow then
        flow = { msgs = 0, bytes = 0, protos = {} }
        flows[id] = flow
    end
    if f_flow_dir().value == 0 then
        flow.name = tostring(f_flow().value)
    end
    if f_total_pkts() then -- absent until the first pass has ended
        flow.pkts = string.format("%d", f_total_pkts().value)
        flow.total = tostring(f_total_bytes().value)
        flow.state = f_state() and f_state().value or "-"
    end
    local protos = { f_msg_proto() }
    for i, msg in ipairs({ f_msg() }) do
        flow.msgs = flow.msgs + 1
        flow.bytes = flow.bytes + msg.len
        flow.protos[tostring(protos[i].value)] = true
    end
end

function tap.draw()
    local ids = {}
    for id in pairs(flows) do
        ids[#ids + 1] = id
    end
    table.sort(ids)
    for _, id in ipairs(ids) do
        local flow = flows[id]
        local protos = {}
        for name in pairs(flow.protos) do
            protos[#protos + 1] = name
        end
        table.sort(protos)
        print(string.format("flow %d %s: %s packets, %s bytes, %s; %d messages (%s), %d bytes",
                            id, flow.name or "?", flow.pkts or "?", flow.total or "?",
                            flow.state or "?", flow.msgs, table.concat(protos, ","),
                            flow.bytes))
    end
end
