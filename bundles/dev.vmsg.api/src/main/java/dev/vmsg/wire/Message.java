package dev.vmsg.wire;

/**
 * A virtio-msg message without its header: the header's dev_num and token are supplied at encode time and returned
 * in the {@link Header} at decode time. Every field holds the unsigned wire value in an {@code int} or {@code long}.
 */
public sealed interface Message permits TransportMessage, BusMessage {

    /** The msg_id this message is sent with (see {@link MessageIds}). */
    int msgId();

    /** Request, response or event. */
    MessageKind kind();

    /** The header type field this message is sent with (see {@link MessageType}). */
    int type();
}
