package dev.vmsg.device.blk.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Set;

/**
 * A block store over one file with positional {@link FileChannel} I/O. Its capacity is fixed when
 * opened (the file's size rounded down to whole sectors); the file is never grown or truncated.
 */
final class FileBlockStore implements BlockStore {

    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

    private final Path path;
    private final FileChannel channel;
    private final long capacity;
    private final boolean readOnly;

    private FileBlockStore(Path path, FileChannel channel, long capacity, boolean readOnly) {
        this.path = path;
        this.channel = channel;
        this.capacity = capacity;
        this.readOnly = readOnly;
    }

    /**
     * Opens {@code path}; creates it with {@code createSize} bytes (rounded up to a sector) when it
     * is missing and {@code createSize > 0}.
     *
     * @throws IOException when the file is missing and may not be created, is smaller than one
     *                     sector, or cannot be opened
     */
    static FileBlockStore open(Path path, boolean readOnly, long createSize) throws IOException {
        if (!Files.exists(path)) {
            if (createSize <= 0) {
                throw new IOException("image " + path + " does not exist and no size to create it with was given");
            }
            if (readOnly) {
                throw new IOException("image " + path + " does not exist and the device is read-only");
            }
            long size = (createSize + VirtioBlk.SECTOR_SIZE - 1) & -VirtioBlk.SECTOR_SIZE;
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (FileChannel c = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                // A sparse file of the requested size: the last byte makes it that long.
                c.write(ByteBuffer.allocate(1), size - 1);
            }
        }
        Set<StandardOpenOption> options = readOnly ? EnumSet.of(StandardOpenOption.READ)
                : EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel channel = FileChannel.open(path, options);
        long capacity = channel.size() & -VirtioBlk.SECTOR_SIZE;
        if (capacity == 0) {
            channel.close();
            throw new IOException("image " + path + " is smaller than one 512-byte sector");
        }
        return new FileBlockStore(path, channel, capacity, readOnly);
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public void read(long position, ByteBuffer dst) throws IOException {
        BlockStore.checkRange(capacity, position, dst.remaining());
        long at = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) {
                throw new IOException("image " + path + " ended at " + at + " (truncated while in use?)");
            }
            at += n;
        }
    }

    @Override
    public void write(long position, ByteBuffer src) throws IOException {
        BlockStore.checkRange(capacity, position, src.remaining());
        checkWritable();
        long at = position;
        while (src.hasRemaining()) {
            at += channel.write(src, at);
        }
    }

    @Override
    public void zero(long position, long length) throws IOException {
        BlockStore.checkRange(capacity, position, length);
        checkWritable();
        long at = position;
        long end = position + length;
        while (at < end) {
            ByteBuffer z = ZEROES.duplicate();
            z.limit((int) Math.min(z.capacity(), end - at));
            while (z.hasRemaining()) {
                at += channel.write(z, at);
            }
        }
    }

    @Override
    public void flush() throws IOException {
        if (!readOnly) {
            channel.force(false);
        }
    }

    private void checkWritable() throws IOException {
        if (readOnly) {
            throw new IOException("image " + path + " is open read-only");
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "file " + path + " (" + capacity + " bytes" + (readOnly ? ", read-only" : "") + ")";
    }
}
