package dev.vmsg.bus.ffa.firmware;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * An emulated FF-A v1.2 partition manager: partitions with 16-bit ids and UUIDs, partition
 * discovery, direct messaging (REQ2/RESP2), indirect messaging through RX/TX buffers, partition
 * and framework notifications, and memory sharing with handles. It enforces the ABI's rules so a
 * binding bug shows up as the FF-A error real firmware would return:
 *
 * <ul>
 *   <li>unknown endpoint id, or a message to oneself: INVALID_PARAMETERS;</li>
 *   <li>a direct payload that is not 14 registers, an indirect message that does not fit the
 *       buffers: INVALID_PARAMETERS;</li>
 *   <li>a partition already running a direct request, an RX buffer not yet released: BUSY;</li>
 *   <li>no RX/TX buffers mapped, a notification not bound to the sender, memory not shared with
 *       the caller, memory already shared, reclaim while a borrower holds the memory: DENIED;</li>
 *   <li>an unknown or reclaimed memory handle: INVALID_PARAMETERS (handles are never reused).</li>
 * </ul>
 *
 * <p>Calls may come from any thread. A direct request runs the receiver's handler on the caller's
 * thread (a partition switch on the caller's CPU); notifications raise the receiver's interrupt,
 * handled on that partition's own thread. An optional busy-wait per call mimics the cost of a
 * trap and partition switch.
 */
public final class FfaFirmware implements AutoCloseable {

    /** Partition ids at or above this are secure partitions (FF-A: bit 15 set). */
    public static final int MAX_ENDPOINT_ID = 0xFFFF;
    private static final int MAX_RXTX_PAGES = 64;

    private final long callDelayNanos;
    private final Consumer<String> warnings;
    private final Map<Integer, Partition> partitions = new HashMap<>();
    private final Map<Long, Share> shares = new HashMap<>();
    private long nextHandle = 1;
    private boolean closed;

    /**
     * @param callDelayNanos busy-wait added to every FF-A call (0: none)
     * @param warnings where failures of partition interrupt handlers are reported
     */
    public FfaFirmware(long callDelayNanos, Consumer<String> warnings) {
        if (callDelayNanos < 0) {
            throw new IllegalArgumentException("call delay must be >= 0 ns, got " + callDelayNanos);
        }
        this.callDelayNanos = callDelayNanos;
        this.warnings = Objects.requireNonNull(warnings, "warnings");
    }

    /**
     * Creates a partition and returns the conduit it calls the firmware through.
     *
     * @param memoryBytes the partition's own memory (multiple of 4096; may be 0)
     * @throws FfaException INVALID_PARAMETERS when the id is 0, out of range or taken
     */
    public synchronized FfaConduit addPartition(int id, UUID uuid, boolean receivesDirect, boolean receivesIndirect,
            int memoryBytes, PartitionHandler handler) {
        if (closed) {
            throw new FfaException(FfaError.ABORTED, "firmware is shut down");
        }
        if (id <= 0 || id > MAX_ENDPOINT_ID) {
            throw new FfaException(FfaError.INVALID_PARAMETERS, "endpoint id 0x" + Integer.toHexString(id)
                    + " outside 0x0001..0xffff");
        }
        if (partitions.containsKey(id)) {
            throw new FfaException(FfaError.INVALID_PARAMETERS, "endpoint id 0x" + Integer.toHexString(id)
                    + " is taken");
        }
        if (memoryBytes < 0 || memoryBytes % FfaConduit.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("partition memory must be a multiple of 4096 bytes: " + memoryBytes);
        }
        Partition p = new Partition(id, uuid, receivesDirect, receivesIndirect, memoryBytes,
                Objects.requireNonNull(handler, "handler"));
        partitions.put(id, p);
        return p.conduit;
    }

    /** Removes a partition: its interrupt thread stops; memory it lent or borrowed is forgotten. */
    public void removePartition(int id) {
        Partition p;
        synchronized (this) {
            p = partitions.remove(id);
            if (p == null) {
                return;
            }
            shares.values().removeIf(s -> s.owner == p || s.receiver == p);
        }
        p.stopInterrupts();
    }

    /** Live memory handles (for tests and diagnostics). */
    public synchronized int sharedHandles() {
        return shares.size();
    }

    @Override
    public void close() {
        List<Integer> ids;
        synchronized (this) {
            closed = true;
            ids = new ArrayList<>(partitions.keySet());
        }
        ids.forEach(this::removePartition);
    }

    private void trap() {
        if (callDelayNanos > 0) {
            long end = System.nanoTime() + callDelayNanos;
            while (System.nanoTime() - end < 0) {
                Thread.onSpinWait();
            }
        }
    }

    private Partition endpoint(int id, String call) {
        Partition p = partitions.get(id);
        if (p == null) {
            throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": no partition with endpoint id 0x"
                    + Integer.toHexString(id));
        }
        return p;
    }

    private static String hex(int id) {
        return "0x" + Integer.toHexString(id);
    }

    /** One memory handle's state. */
    private static final class Share {
        final long handle;
        final Partition owner;
        final Partition receiver;
        final int offset;
        final int length;
        Mapping mapping;

        Share(long handle, Partition owner, Partition receiver, int offset, int length) {
            this.handle = handle;
            this.owner = owner;
            this.receiver = receiver;
            this.offset = offset;
            this.length = length;
        }

        boolean overlaps(Partition o, int off, int len) {
            return owner == o && off < offset + length && offset < off + len;
        }
    }

    private final class Mapping implements MemoryMapping {
        final Share share;
        volatile boolean valid = true;

        Mapping(Share share) {
            this.share = share;
        }

        @Override
        public long handle() {
            return share.handle;
        }

        @Override
        public int size() {
            return share.length;
        }

        @Override
        public ByteBuffer slice(int offset, int length) {
            if (!valid) {
                throw new FfaException(FfaError.DENIED, "memory handle 0x" + Long.toHexString(share.handle)
                        + " is no longer mapped in partition " + hex(share.receiver.id));
            }
            if (offset < 0 || length < 0 || offset > share.length - length) {
                throw new FfaException(FfaError.DENIED, "access to [" + offset + ", +" + length
                        + ") outside the " + share.length + " bytes shared by handle 0x"
                        + Long.toHexString(share.handle));
            }
            return share.owner.memory.slice(share.offset + offset, length).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    private final class Partition {
        final int id;
        final UUID uuid;
        final boolean receivesDirect;
        final boolean receivesIndirect;
        final ByteBuffer memory;
        final PartitionHandler handler;
        final ReentrantLock running = new ReentrantLock();
        final Map<Integer, Long> bindings = new HashMap<>();
        final AtomicBoolean interruptQueued = new AtomicBoolean();
        final ExecutorService interrupts;
        final Conduit conduit = new Conduit(this);
        ByteBuffer rx;
        ByteBuffer tx;
        boolean rxHeldByPartition;
        long pending;
        boolean rxFullPending;

        Partition(int id, UUID uuid, boolean receivesDirect, boolean receivesIndirect, int memoryBytes,
                PartitionHandler handler) {
            this.id = id;
            this.uuid = uuid;
            this.receivesDirect = receivesDirect;
            this.receivesIndirect = receivesIndirect;
            this.memory = ByteBuffer.allocateDirect(memoryBytes).order(ByteOrder.LITTLE_ENDIAN);
            this.handler = handler;
            this.interrupts = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "vmsg-ffa-irq-" + hex(id));
                t.setDaemon(true);
                return t;
            });
        }

        PartitionInfo info() {
            return new PartitionInfo(id, uuid, receivesDirect, receivesIndirect);
        }

        /** Raises this partition's schedule-receiver interrupt (coalesced while one is queued). */
        void raise() {
            if (interruptQueued.compareAndSet(false, true)) {
                try {
                    interrupts.execute(() -> {
                        interruptQueued.set(false);
                        try {
                            handler.onNotificationInterrupt();
                        } catch (RuntimeException e) {
                            warnings.accept("FF-A partition " + hex(id) + ": interrupt handler failed: " + e);
                        }
                    });
                } catch (java.util.concurrent.RejectedExecutionException stopped) {
                    interruptQueued.set(false);
                }
            }
        }

        void stopInterrupts() {
            interrupts.shutdown();
            try {
                if (!interrupts.awaitTermination(5, TimeUnit.SECONDS)) {
                    warnings.accept("FF-A partition " + hex(id) + ": interrupt thread did not stop within 5 s");
                    interrupts.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The ABI as seen by one partition. */
    private final class Conduit implements FfaConduit {
        private final Partition self;

        Conduit(Partition self) {
            this.self = self;
        }

        @Override
        public int id() {
            return self.id;
        }

        @Override
        public int version() {
            trap();
            return FFA_VERSION_1_2;
        }

        @Override
        public List<PartitionInfo> partitionInfoGet(UUID uuid) {
            trap();
            List<PartitionInfo> out = new ArrayList<>();
            synchronized (FfaFirmware.this) {
                for (Partition p : partitions.values()) {
                    if (uuid == null || uuid.equals(new UUID(0, 0)) || uuid.equals(p.uuid)) {
                        out.add(p.info());
                    }
                }
            }
            if (out.isEmpty()) {
                throw new FfaException(FfaError.INVALID_PARAMETERS, "FFA_PARTITION_INFO_GET: no partition with UUID "
                        + uuid);
            }
            out.sort(java.util.Comparator.comparingInt(PartitionInfo::id));
            return out;
        }

        @Override
        public byte[] msgSendDirectReq2(int receiver, byte[] registers) {
            trap();
            String call = "FFA_MSG_SEND_DIRECT_REQ2 from " + hex(self.id) + " to " + hex(receiver);
            if (registers == null || registers.length != DIRECT_PAYLOAD_SIZE) {
                throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": payload of "
                        + (registers == null ? "no" : registers.length) + " bytes, the ABI carries exactly "
                        + DIRECT_PAYLOAD_SIZE + " (x4-x17)");
            }
            Partition target;
            synchronized (FfaFirmware.this) {
                target = endpoint(receiver, call);
            }
            if (target == self) {
                throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": a partition cannot message itself");
            }
            if (!target.receivesDirect) {
                throw new FfaException(FfaError.NOT_SUPPORTED, call + ": the receiver does not accept direct requests");
            }
            if (!target.running.tryLock()) {
                throw new FfaException(FfaError.BUSY, call + ": the receiver is running another direct request");
            }
            byte[] response;
            try {
                response = target.handler.onDirectRequest(self.id, registers.clone());
            } finally {
                target.running.unlock();
            }
            if (response == null || response.length != DIRECT_PAYLOAD_SIZE) {
                throw new FfaException(FfaError.ABORTED, call + ": the receiver's RESP2 was not "
                        + DIRECT_PAYLOAD_SIZE + " bytes");
            }
            trap();
            return response;
        }

        @Override
        public void rxTxMap(int pages) {
            trap();
            if (pages <= 0 || pages > MAX_RXTX_PAGES) {
                throw new FfaException(FfaError.INVALID_PARAMETERS, "FFA_RXTX_MAP: " + pages + " pages, 1.."
                        + MAX_RXTX_PAGES + " allowed");
            }
            synchronized (FfaFirmware.this) {
                if (self.rx != null) {
                    throw new FfaException(FfaError.DENIED, "FFA_RXTX_MAP: partition " + hex(self.id)
                            + " already has RX/TX buffers");
                }
                self.rx = ByteBuffer.allocateDirect(pages * PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
                self.tx = ByteBuffer.allocateDirect(pages * PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
                self.rxHeldByPartition = false;
            }
        }

        @Override
        public void rxTxUnmap() {
            trap();
            synchronized (FfaFirmware.this) {
                if (self.rx == null) {
                    throw new FfaException(FfaError.INVALID_PARAMETERS, "FFA_RXTX_UNMAP: no buffers mapped");
                }
                self.rx = null;
                self.tx = null;
            }
        }

        @Override
        public ByteBuffer txBuffer() {
            synchronized (FfaFirmware.this) {
                if (self.tx == null) {
                    throw new FfaException(FfaError.DENIED, "partition " + hex(self.id) + " has no TX buffer mapped");
                }
                return self.tx.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            }
        }

        @Override
        public ByteBuffer rxBuffer() {
            synchronized (FfaFirmware.this) {
                if (self.rx == null) {
                    throw new FfaException(FfaError.DENIED, "partition " + hex(self.id) + " has no RX buffer mapped");
                }
                return self.rx.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
            }
        }

        @Override
        public void rxRelease() {
            trap();
            synchronized (FfaFirmware.this) {
                if (self.rx == null || !self.rxHeldByPartition) {
                    throw new FfaException(FfaError.DENIED, "FFA_RX_RELEASE: partition " + hex(self.id)
                            + " does not own its RX buffer");
                }
                self.rxHeldByPartition = false;
            }
        }

        @Override
        public void msgSend2() {
            trap();
            Partition target;
            synchronized (FfaFirmware.this) {
                String call = "FFA_MSG_SEND2 from " + hex(self.id);
                if (self.tx == null) {
                    throw new FfaException(FfaError.DENIED, call + ": no TX buffer mapped");
                }
                ByteBuffer tx = self.tx;
                int ids = tx.getInt(PartitionMessage.SEND_RECV_ID);
                int sender = ids >>> 16;
                int receiver = ids & 0xFFFF;
                int offset = tx.getInt(PartitionMessage.OFFSET);
                int size = tx.getInt(PartitionMessage.SIZE);
                if (sender != self.id) {
                    throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": header names sender "
                            + hex(sender));
                }
                target = endpoint(receiver, call);
                if (target == self) {
                    throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": a partition cannot message itself");
                }
                if (!target.receivesIndirect) {
                    throw new FfaException(FfaError.NOT_SUPPORTED, call + ": " + hex(receiver)
                            + " does not accept indirect messages");
                }
                if (offset < PartitionMessage.HEADER_SIZE || size < 0 || offset > tx.capacity()
                        || size > tx.capacity() - offset) {
                    throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": message of " + size
                            + " bytes at offset " + offset + " does not fit the " + tx.capacity() + "-byte buffer");
                }
                if (target.rx == null) {
                    throw new FfaException(FfaError.DENIED, call + ": " + hex(receiver) + " has no RX buffer mapped");
                }
                if (size > target.rx.capacity() - offset) {
                    throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": message of " + size
                            + " bytes does not fit the receiver's " + target.rx.capacity() + "-byte RX buffer");
                }
                if (target.rxHeldByPartition || target.rxFullPending) {
                    throw new FfaException(FfaError.BUSY, call + ": the RX buffer of " + hex(receiver)
                            + " is full");
                }
                target.rx.put(0, tx, 0, offset + size);
                target.rxFullPending = true;
            }
            target.raise();
        }

        @Override
        public void notificationBind(int sender, long bitmap) {
            trap();
            synchronized (FfaFirmware.this) {
                String call = "FFA_NOTIFICATION_BIND by " + hex(self.id) + " for " + hex(sender);
                Partition s = endpoint(sender, call);
                if (s == self || bitmap == 0) {
                    throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": bad sender or empty bitmap");
                }
                for (Map.Entry<Integer, Long> e : self.bindings.entrySet()) {
                    if (e.getKey() != sender && (e.getValue() & bitmap) != 0) {
                        throw new FfaException(FfaError.DENIED, call + ": notification(s) 0x"
                                + Long.toHexString(e.getValue() & bitmap) + " already bound to " + hex(e.getKey()));
                    }
                }
                self.bindings.merge(sender, bitmap, (a, b) -> a | b);
            }
        }

        @Override
        public void notificationUnbind(int sender, long bitmap) {
            trap();
            synchronized (FfaFirmware.this) {
                long bound = self.bindings.getOrDefault(sender, 0L);
                if ((bound & bitmap) != bitmap) {
                    throw new FfaException(FfaError.DENIED, "FFA_NOTIFICATION_UNBIND by " + hex(self.id)
                            + ": not all of 0x" + Long.toHexString(bitmap) + " are bound to " + hex(sender));
                }
                long left = bound & ~bitmap;
                if (left == 0) {
                    self.bindings.remove(sender);
                } else {
                    self.bindings.put(sender, left);
                }
            }
        }

        @Override
        public void notificationSet(int receiver, int notificationId) {
            trap();
            Partition target;
            synchronized (FfaFirmware.this) {
                String call = "FFA_NOTIFICATION_SET from " + hex(self.id) + " to " + hex(receiver);
                if (notificationId < 0 || notificationId > 63) {
                    throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": notification id " + notificationId
                            + " outside 0..63");
                }
                target = endpoint(receiver, call);
                if (target == self) {
                    throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": a partition cannot notify itself");
                }
                long bound = target.bindings.getOrDefault(self.id, 0L);
                if ((bound & (1L << notificationId)) == 0) {
                    throw new FfaException(FfaError.DENIED, call + ": notification " + notificationId
                            + " is not bound to this sender");
                }
                target.pending |= 1L << notificationId;
            }
            target.raise();
        }

        @Override
        public Notifications notificationGet() {
            trap();
            synchronized (FfaFirmware.this) {
                Notifications n = new Notifications(self.pending, self.rxFullPending);
                self.pending = 0;
                if (self.rxFullPending) {
                    self.rxFullPending = false;
                    self.rxHeldByPartition = true;
                }
                return n;
            }
        }

        @Override
        public long memShare(int length) {
            trap();
            synchronized (FfaFirmware.this) {
                String call = "FFA_MEM_SHARE from " + hex(self.id);
                if (self.tx == null) {
                    throw new FfaException(FfaError.DENIED, call + ": no TX buffer mapped for the descriptor");
                }
                ByteBuffer d = self.tx;
                if (length < MemoryRegionDescriptor.encodedSize() || length > d.capacity()) {
                    throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": descriptor length " + length);
                }
                int sender = d.getShort(0) & 0xFFFF;
                long handleField = d.getLong(8);
                int emadSize = d.getInt(24);
                int emadCount = d.getInt(28);
                int emadOffset = d.getInt(32);
                if (sender != self.id) {
                    throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": descriptor names sender "
                            + hex(sender));
                }
                if (handleField != 0) {
                    throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": handle field must be 0 on share");
                }
                if (emadSize != MemoryRegionDescriptor.EMAD_SIZE || emadOffset < MemoryRegionDescriptor.TRANSACTION_SIZE
                        || (emadOffset & 15) != 0 || emadOffset > length - MemoryRegionDescriptor.EMAD_SIZE) {
                    throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": bad endpoint access descriptor");
                }
                if (emadCount != 1) {
                    throw new FfaException(emadCount == 0 ? FfaError.INVALID_PARAMETERS : FfaError.NOT_SUPPORTED,
                            call + ": " + emadCount + " receivers; this firmware shares with exactly one");
                }
                Partition receiver = endpoint(d.getShort(emadOffset) & 0xFFFF, call);
                if (receiver == self) {
                    throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": cannot share memory with oneself");
                }
                int access = d.get(emadOffset + 2) & 3;
                if (access == 0 || access == 3) {
                    throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": bad data access permission "
                            + access);
                }
                int composite = d.getInt(emadOffset + 4);
                if (composite < emadOffset + MemoryRegionDescriptor.EMAD_SIZE
                        || composite > length - MemoryRegionDescriptor.COMPOSITE_SIZE
                                - MemoryRegionDescriptor.CONSTITUENT_SIZE) {
                    throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": bad composite offset " + composite);
                }
                int totalPages = d.getInt(composite);
                int ranges = d.getInt(composite + 4);
                if (ranges != 1) {
                    throw new FfaException(ranges == 0 ? FfaError.INVALID_PARAMETERS : FfaError.NOT_SUPPORTED,
                            call + ": " + ranges + " address ranges; this firmware maps one contiguous range");
                }
                long address = d.getLong(composite + 16);
                int pages = d.getInt(composite + 24);
                if (pages <= 0 || pages != totalPages) {
                    throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": " + pages
                            + " pages in the range, " + totalPages + " in the total");
                }
                long bytes = (long) pages * PAGE_SIZE;
                long capacity = self.memory.capacity();
                // Overflow-free (HARDENING rule 2): address + bytes wraps for an address near 2^63.
                if (address < 0 || address % PAGE_SIZE != 0 || bytes > capacity || address > capacity - bytes) {
                    throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": range 0x" + Long.toHexString(address)
                            + " +" + pages + " pages is not page aligned inside the partition's "
                            + self.memory.capacity() + " bytes");
                }
                for (Share s : shares.values()) {
                    if (s.overlaps(self, (int) address, (int) bytes)) {
                        throw new FfaException(FfaError.DENIED, call + ": pages already shared by handle 0x"
                                + Long.toHexString(s.handle));
                    }
                }
                long handle = nextHandle++;
                shares.put(handle, new Share(handle, self, receiver, (int) address, (int) bytes));
                return handle;
            }
        }

        private Share share(long handle, String call) {
            Share s = shares.get(handle);
            if (s == null) {
                throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": unknown memory handle 0x"
                        + Long.toHexString(handle));
            }
            return s;
        }

        @Override
        public MemoryMapping memRetrieve(long handle) {
            trap();
            synchronized (FfaFirmware.this) {
                String call = "FFA_MEM_RETRIEVE_REQ by " + hex(self.id);
                Share s = share(handle, call);
                if (s.receiver != self) {
                    throw new FfaException(FfaError.DENIED, call + ": handle 0x" + Long.toHexString(handle)
                            + " was not shared with this partition");
                }
                if (s.mapping != null) {
                    throw new FfaException(FfaError.DENIED, call + ": handle 0x" + Long.toHexString(handle)
                            + " is already retrieved");
                }
                s.mapping = new Mapping(s);
                return s.mapping;
            }
        }

        @Override
        public void memRelinquish(long handle) {
            trap();
            synchronized (FfaFirmware.this) {
                String call = "FFA_MEM_RELINQUISH by " + hex(self.id);
                Share s = share(handle, call);
                if (s.receiver != self || s.mapping == null) {
                    throw new FfaException(FfaError.DENIED, call + ": handle 0x" + Long.toHexString(handle)
                            + " is not retrieved by this partition");
                }
                s.mapping.valid = false;
                s.mapping = null;
            }
        }

        @Override
        public void memReclaim(long handle) {
            trap();
            synchronized (FfaFirmware.this) {
                String call = "FFA_MEM_RECLAIM by " + hex(self.id);
                Share s = share(handle, call);
                if (s.owner != self) {
                    throw new FfaException(FfaError.INVALID_PARAMETERS, call + ": handle 0x" + Long.toHexString(handle)
                            + " belongs to " + hex(s.owner.id));
                }
                if (s.mapping != null) {
                    throw new FfaException(FfaError.DENIED, call + ": handle 0x" + Long.toHexString(handle)
                            + " is still mapped by " + hex(s.receiver.id) + "; it must relinquish first");
                }
                shares.remove(handle);
            }
        }

        @Override
        public ByteBuffer memory() {
            return self.memory.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
