package dev.vmsg.wire;

/** Whether a message is a request (answered by exactly one response), a response, or an event (never answered). Spec §2.5. */
public enum MessageKind {
    REQUEST, RESPONSE, EVENT
}
