package dev.vmsg.wire;

/** A decoded message together with the header it arrived with. */
public record Frame(Header header, Message message) {
}
