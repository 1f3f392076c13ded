package dev.vmsg.wire;

/** GET_SHM response (0x0C): length 0 means the region does not exist. REV1 carries u64 length and address; RFC3 and RFC2 carry u32 (encoding a larger value fails with {@link WireException.Reason#FIELD_OUT_OF_RANGE}). Spec §1.3. */
public record GetShmResponse(int shmId, long length, long address) implements TransportMessage {

    @Override
    public int msgId() {
        return MessageIds.GET_SHM;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.RESPONSE;
    }
}
