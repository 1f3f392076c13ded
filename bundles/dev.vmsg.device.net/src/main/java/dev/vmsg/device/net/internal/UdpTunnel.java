package dev.vmsg.device.net.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The UDP tunnel backend: every frame the device transmits is one datagram to the remote address,
 * and every datagram arriving at the local address is one frame for the device: the raw Ethernet
 * frame, no header, the framing of QEMU's {@code -netdev udp}. Frames leave from the device thread;
 * one receive thread per tunnel ({@code vmsg-net-udp-<port>}) feeds the device's backlog.
 */
public final class UdpTunnel implements NetLink {

    private static final long JOIN_MILLIS = 5_000;

    private final DatagramChannel channel;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final NetReceiver receiver;
    private final int maxFrame;
    private final Thread reader;
    private volatile boolean closed;

    final AtomicLong sent = new AtomicLong();
    final AtomicLong sendErrors = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    final AtomicLong receivedDropped = new AtomicLong();

    /**
     * Binds {@code local} and starts the receive thread.
     *
     * @param maxFrame the longest frame taken from the network; longer datagrams are dropped and counted
     * @throws IOException when the local address cannot be bound
     */
    public static UdpTunnel open(InetSocketAddress local, InetSocketAddress remote, NetReceiver receiver, int maxFrame)
            throws IOException {
        DatagramChannel ch = DatagramChannel.open(local.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            ch.bind(local);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new UdpTunnel(ch, remote, receiver, maxFrame);
    }

    private UdpTunnel(DatagramChannel channel, InetSocketAddress remote, NetReceiver receiver, int maxFrame)
            throws IOException {
        this.channel = channel;
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.remote = remote;
        this.receiver = receiver;
        this.maxFrame = maxFrame;
        this.reader = new Thread(this::readLoop, "vmsg-net-udp-" + local.getPort());
        reader.setDaemon(true);
        reader.start();
    }

    /** The bound local address (the port is the real one when 0 was asked for). */
    public InetSocketAddress localAddress() {
        return local;
    }

    private void readLoop() {
        // One byte more than a frame may have: a datagram that fills it is too long.
        ByteBuffer buf = ByteBuffer.allocate(maxFrame + 1);
        while (!closed) {
            buf.clear();
            try {
                channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                receivedDropped.incrementAndGet();
                continue;
            }
            buf.flip();
            if (buf.remaining() < VirtioNet.ETH_HEADER || buf.remaining() > maxFrame) {
                receivedDropped.incrementAndGet();
                continue;
            }
            if (receiver.deliver(buf)) {
                received.incrementAndGet();
                receiver.wake();
            } else {
                receivedDropped.incrementAndGet();
            }
        }
    }

    @Override
    public void transmit(ByteBuffer frame) {
        try {
            channel.send(frame, remote);
            sent.incrementAndGet();
        } catch (IOException e) {
            sendErrors.incrementAndGet();
        }
    }

    @Override
    public void flush() {
        // Every frame left as its own datagram already.
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            // Closing a datagram channel has nothing to flush; the reader ends either way.
        }
        if (Thread.currentThread() != reader) {
            try {
                reader.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String describe() {
        return "udp:" + local.getHostString() + ":" + local.getPort() + "->" + remote.getHostString() + ":"
                + remote.getPort();
    }
}
