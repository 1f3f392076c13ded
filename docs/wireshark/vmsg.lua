-- Wireshark dissector for vmsg traces (vmsg:trace <bus> save <file>): link type LINKTYPE_USER0 (147),
-- a 4-byte vmsg pseudo-header, then one virtio-msg frame. Layout: docs/ADMIN.md, "pcapng".
--   wireshark -X lua_script:docs/wireshark/vmsg.lua trace.pcapng
--   tshark -X lua_script:docs/wireshark/vmsg.lua -r trace.pcapng -Y 'vmsg.msg_id == 3'
-- or copy this file into Wireshark's personal plugins folder (Help > About > Folders).

local vmsg = Proto("vmsg", "virtio-msg (vmsg trace)")

local profiles = { [1] = "REV1", [2] = "RFC3", [3] = "RFC2" }
local transport_ids = {
    [0x02] = "GET_DEVICE_INFO", [0x03] = "GET_DEVICE_FEATURES", [0x04] = "SET_DRIVER_FEATURES",
    [0x05] = "GET_CONFIG", [0x06] = "SET_CONFIG", [0x07] = "GET_DEVICE_STATUS", [0x08] = "SET_DEVICE_STATUS",
    [0x09] = "GET_VQUEUE", [0x0A] = "SET_VQUEUE", [0x0B] = "RESET_VQUEUE", [0x0C] = "GET_SHM",
    [0x40] = "EVENT_CONFIG", [0x41] = "EVENT_AVAIL", [0x42] = "EVENT_USED",
}
local bus_ids = { [0x02] = "BUS_GET_DEVICES", [0x03] = "BUS_PING", [0x40] = "BUS_EVENT_DEVICE" }

local f = vmsg.fields
f.version = ProtoField.uint8("vmsg.pseudo.version", "Pseudo-header version")
f.flags = ProtoField.uint8("vmsg.pseudo.flags", "Flags", base.HEX)
f.outbound = ProtoField.bool("vmsg.pseudo.outbound", "Sent by the capturing side", 8, nil, 0x01)
f.device_side = ProtoField.bool("vmsg.pseudo.device_side", "Captured on the device side", 8, nil, 0x02)
f.to_device = ProtoField.bool("vmsg.pseudo.to_device", "Driver to device", 8, nil, 0x04)
f.profile = ProtoField.uint8("vmsg.pseudo.profile", "Wire profile", base.DEC, profiles)
f.type = ProtoField.uint8("vmsg.type", "Type", base.HEX)
f.response = ProtoField.bool("vmsg.type.response", "Response", 8, nil, 0x01)
f.bus = ProtoField.bool("vmsg.type.bus", "Bus message", 8, nil, 0x02)
f.msg_id = ProtoField.uint8("vmsg.msg_id", "msg_id", base.HEX)
f.dev_num = ProtoField.uint16("vmsg.dev_num", "dev_num")
f.token = ProtoField.uint16("vmsg.token", "token", base.HEX)
f.msg_size = ProtoField.uint16("vmsg.msg_size", "msg_size")
f.payload = ProtoField.bytes("vmsg.payload", "Payload")

function vmsg.dissector(tvb, pinfo, tree)
    if tvb:len() < 4 then
        return 0
    end
    pinfo.cols.protocol = "VMSG"
    local root = tree:add(vmsg, tvb(), "virtio-msg")
    local pseudo = root:add(tvb(0, 4), "vmsg pseudo-header")
    pseudo:add(f.version, tvb(0, 1))
    local flags = pseudo:add(f.flags, tvb(1, 1))
    flags:add(f.outbound, tvb(1, 1))
    flags:add(f.device_side, tvb(1, 1))
    flags:add(f.to_device, tvb(1, 1))
    pseudo:add(f.profile, tvb(2, 1))
    local profile = tvb(2, 1):uint()
    local header = (profile == 3) and 6 or 8
    if tvb:len() < 4 + header then
        pinfo.cols.info = "truncated frame"
        return tvb:len()
    end
    local h = tvb(4)
    local type = h(0, 1):uint()
    local id = h(1, 1):uint()
    local is_bus = bit.band(type, 2) ~= 0
    local is_response = bit.band(type, 1) ~= 0
    local t = root:add(f.type, h(0, 1))
    t:add(f.response, h(0, 1))
    t:add(f.bus, h(0, 1))
    root:add(f.msg_id, h(1, 1))
    root:add_le(f.dev_num, h(2, 2))
    local size_at = 4
    if profile ~= 3 then
        root:add_le(f.token, h(4, 2))
        size_at = 6
    end
    root:add_le(f.msg_size, h(size_at, 2))
    if h:len() > header then
        root:add(f.payload, h(header))
    end
    local names = is_bus and bus_ids or transport_ids
    local name = names[id] or string.format("0x%02x", id)
    local direction = bit.band(tvb(1, 1):uint(), 4) ~= 0 and "driver > device" or "device > driver"
    pinfo.cols.info = string.format("%s %s%s dev %d (%s)", direction, name, is_response and " response" or "",
        h(2, 2):le_uint(), profiles[profile] or "?")
    return tvb:len()
end

local encap = (wtap_encaps and wtap_encaps.USER0) or wtap.USER0
DissectorTable.get("wtap_encap"):add(encap, vmsg)
