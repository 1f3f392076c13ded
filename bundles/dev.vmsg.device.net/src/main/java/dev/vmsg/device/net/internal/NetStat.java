package dev.vmsg.device.net.internal;

/** The counters of one virtio-net device model; every rejection has its own. */
enum NetStat {
    TX_FRAMES("frames taken from the transmit queue and passed on"),
    TX_BYTES("their bytes"),
    TX_SHORT("transmit chains shorter than the 12-byte header plus an Ethernet header"),
    TX_BAD_HEADER("transmit headers with flags, gso_type or num_buffers the negotiated features rule out"),
    TX_OVERSIZE("transmitted frames longer than the MTU allows"),
    TX_BAD_LAYOUT("transmit chains with device-writable descriptors"),
    TX_LINK_DOWN("transmitted frames dropped while the link was down"),
    RX_FRAMES("frames written into the receive queue"),
    RX_BYTES("their bytes"),
    RX_BUFFERS("receive buffers used"),
    RX_OVERSIZE("frames for this device longer than its MTU allows"),
    RX_SHORT_BUFFER("receive buffers too short for the header, or frames that did not fit the buffers"),
    RX_BACKLOG_FULL("frames dropped because the device's backlog was full"),
    RX_LINK_DOWN("frames for this device dropped while the link was down"),
    RX_NOT_RUNNING("frames for this device dropped while no driver ran it"),
    CTRL_OK("control commands acknowledged"),
    CTRL_ERR("control commands refused");

    final String meaning;

    NetStat(String meaning) {
        this.meaning = meaning;
    }
}
