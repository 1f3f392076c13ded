package dev.vmsg.wire;

/** GET_SHM request (0x0C) for device-owned shared memory region {@code shmId}. Spec §1.3. */
public record GetShmRequest(int shmId) implements TransportMessage {

    @Override
    public int msgId() {
        return MessageIds.GET_SHM;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.REQUEST;
    }
}
