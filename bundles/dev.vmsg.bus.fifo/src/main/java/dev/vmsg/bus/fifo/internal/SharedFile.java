package dev.vmsg.bus.fifo.internal;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;

/**
 * A fixed-size file both sides map: created with owner-only permissions, never truncated by vmsg,
 * identified by its file key so a side can tell that the file at the path was replaced. Public for
 * the QEMU linux-user mode ({@code dev.vmsg.bus.fifo.linuxuser}), which maps its queue and RAM files
 * the same way; the package is not exported.
 */
public final class SharedFile {

    private final Path path;
    private final Object fileKey;
    private final long size;
    private final MappedByteBuffer memory;

    private SharedFile(Path path, Object fileKey, long size, MappedByteBuffer memory) {
        this.path = path;
        this.fileKey = fileKey;
        this.size = size;
        this.memory = memory;
    }

    /** Where the shared files go unless configured: /dev/shm where it exists, else the temp directory. */
    public static Path defaultDirectory() {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return shm;
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * Creates {@code path} with {@code size} zero bytes and owner-only permissions if it is missing,
     * then maps it. An existing file of another size is refused: shared files are fixed-size.
     */
    public static SharedFile openOrCreate(Path path, long size) throws IOException {
        createIfMissing(path, size);
        long actual = Files.size(path);
        if (actual != size) {
            throw new IOException("shared file " + path + " has " + actual + " bytes, this bus needs exactly " + size
                    + "; both sides must be configured with the same size (delete the file if nothing uses it)");
        }
        return map(path);
    }

    /**
     * Like {@link #openOrCreate} for a file another program may have made larger (QEMU's guest RAM
     * file): creates {@code path} with {@code size} bytes if missing, refuses a smaller file, and maps
     * only its first {@code size} bytes.
     */
    public static SharedFile openOrCreatePrefix(Path path, long size) throws IOException {
        createIfMissing(path, size);
        long actual = Files.size(path);
        if (actual < size) {
            throw new IOException("shared file " + path + " has " + actual + " bytes, this bus maps " + size
                    + "; configure a size of at most " + actual);
        }
        return map(path, size);
    }

    /** Replaces whatever is at {@code path} with a new zeroed file of {@code size} bytes and maps it. */
    static SharedFile recreate(Path path, long size) throws IOException {
        Files.deleteIfExists(path);
        createIfMissing(path, size);
        return map(path);
    }

    private static void createIfMissing(Path path, long size) throws IOException {
        if (Files.exists(path)) {
            return;
        }
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        try {
            if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(path);
            }
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                if (size > 0) {
                    ch.write(java.nio.ByteBuffer.allocate(1), size - 1);
                }
            }
        } catch (FileAlreadyExistsException raced) {
            // the other side created it at the same moment: use theirs
        }
    }

    /** Maps the whole existing file read-write. */
    public static SharedFile map(Path path) throws IOException {
        return map(path, Files.size(path));
    }

    /** Maps the first {@code size} bytes of the existing file read-write. */
    private static SharedFile map(Path path, long size) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
        if (size > Integer.MAX_VALUE) {
            throw new IOException("shared file " + path + " of " + size + " bytes is larger than one 2 GiB mapping");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
            m.order(ByteOrder.LITTLE_ENDIAN);
            return new SharedFile(path, attrs.fileKey(), size, m);
        }
    }

    public Path path() {
        return path;
    }

    public long size() {
        return size;
    }

    public MappedByteBuffer memory() {
        return memory;
    }

    /**
     * Whether the file at the path is still the mapped one at its full size (not unlinked, replaced
     * or truncated).
     */
    public boolean intact() {
        try {
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attrs.size() >= size && (fileKey == null || Objects.equals(fileKey, attrs.fileKey()));
        } catch (IOException e) {
            return false;
        }
    }
}
