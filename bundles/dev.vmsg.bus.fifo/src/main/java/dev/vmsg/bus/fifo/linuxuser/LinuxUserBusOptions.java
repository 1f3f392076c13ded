package dev.vmsg.bus.fifo.linuxuser;

import dev.vmsg.bus.fifo.internal.FifoBusOptions.Role;
import dev.vmsg.wire.WireProfile;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything one side of a QEMU linux-user bus needs. Both sides must agree on every field but the
 * role and the send timeout.
 *
 * @param name              vmsg bus instance name (device configurations name it in {@code bus})
 * @param role              the side this process plays: {@code DEVICE} creates the queue files and listens
 * @param directory         where the queue files are (QEMU: its working directory)
 * @param queueName         QEMU's {@code name=} property: the files are {@code queue-<queueName>-driver/-device}
 * @param socket            the doorbell socket (QEMU: the {@code -chardev socket,path=} of the bus)
 * @param ramFile           the guest RAM file (QEMU: {@code memory-backend-file,mem-path=})
 * @param ramBase           bus address of the RAM file's first byte (QEMU: {@code mem-offset=})
 * @param ramSize           bytes of the RAM file this side maps (at most the file's size)
 * @param profile           wire profile (QEMU's October 2025 series speaks RFC3)
 * @param maxMessageSize    largest message (QEMU: 48 = sizeof(VirtIOMSG)); at most one 64-byte slot
 * @param sendTimeoutMillis how long a send waits for room in a full queue
 */
public record LinuxUserBusOptions(String name, Role role, Path directory, String queueName, Path socket,
        Path ramFile, long ramBase, int ramSize, WireProfile profile, int maxMessageSize, long sendTimeoutMillis) {

    /** QEMU's largest message: an 8-byte header and 40 payload bytes. */
    public static final int QEMU_MAX_MESSAGE_SIZE = 48;
    /** Bus address of the RAM file's first byte in QEMU's documented command line. */
    public static final long DEFAULT_RAM_BASE = 0x4000_0000L;

    public LinuxUserBusOptions {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(queueName, "queueName");
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(ramFile, "ramFile");
        Objects.requireNonNull(profile, "profile");
        if (queueName.isBlank() || queueName.contains("/")) {
            throw new IllegalArgumentException("qemu bus " + name + ": queue name '" + queueName
                    + "' must be a non-empty file name part");
        }
        if (!profile.hasToken()) {
            throw new IllegalArgumentException("qemu bus " + name + ": profile " + profile
                    + " has no token; QEMU's linux-user bus speaks RFC3 (or REV1)");
        }
        if (maxMessageSize < profile.minimumBusMessageSize() || maxMessageSize > SpscQueue.SLOT_SIZE) {
            throw new IllegalArgumentException("qemu bus " + name + ": max message size " + maxMessageSize
                    + " outside " + profile.minimumBusMessageSize() + ".." + SpscQueue.SLOT_SIZE + " for " + profile);
        }
        if (ramSize <= 0) {
            throw new IllegalArgumentException("qemu bus " + name + ": RAM size must be positive");
        }
        if (ramBase < 0) {
            throw new IllegalArgumentException("qemu bus " + name + ": RAM base must not be negative");
        }
        if (sendTimeoutMillis <= 0) {
            throw new IllegalArgumentException("qemu bus " + name + ": send timeout must be positive");
        }
    }

    /** RFC3, 48-byte messages, RAM at 0x40000000, socket {@code <queueName>.socket} and RAM file in {@code dir}. */
    public static LinuxUserBusOptions defaults(String name, Role role, Path dir, String queueName, int ramSize) {
        return new LinuxUserBusOptions(name, role, dir, queueName, dir.resolve(queueName + ".socket"),
                dir.resolve("qemu-ram"), DEFAULT_RAM_BASE, ramSize, WireProfile.RFC3, QEMU_MAX_MESSAGE_SIZE, 1000);
    }

    /** {@code queue-<queueName>-driver}: driver to device. */
    public Path driverQueue() {
        return directory.resolve("queue-" + queueName + "-driver");
    }

    /** {@code queue-<queueName>-device}: device to driver. */
    public Path deviceQueue() {
        return directory.resolve("queue-" + queueName + "-device");
    }

    LinuxUserBusOptions withRole(Role r) {
        return new LinuxUserBusOptions(name, r, directory, queueName, socket, ramFile, ramBase, ramSize, profile,
                maxMessageSize, sendTimeoutMillis);
    }
}
