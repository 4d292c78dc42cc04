package io.zerodds.flatdata;

import static io.zerodds.flatdata.ReaderEntryDescriptor.*;
import static io.zerodds.flatdata.SegmentLayout.*;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The segment as a file under {@code /dev/shm}: its name, the flink file that names it, the
 * checks a file passes before it is mapped (owner, file type, header, extension, descriptor CRC),
 * and creation, which formats a private temporary file and then publishes it under its name.
 *
 * <p>Every method is static; what it opens comes back as an {@link Opened}, which the caller
 * owns and releases.
 */
final class PosixSegmentFiles {
    private PosixSegmentFiles() {
    }

    static final int NAME_MAX = 255;
    static final int MAX_LEASE_MILLIS = 3_600_000;
    /** Temporary files are named {@code .flatdata-<pid>-<counter>-<nanos>}. */
    static final String TEMP_PREFIX = ".flatdata-";
    private static final AtomicLong TEMP_COUNTER = new AtomicLong();

    /** What the header and extension say, checked. */
    record Geometry(boolean reference, int slotCount, int slotTotalSize, int capacity, long size, int leaseMillis,
                    byte[] typeHash, int writerState, int writerPid, long writerStart) {
    }

    /**
     * An opened, validated, mapped file; {@code lockFd} is the writer's {@code flock} on it, or
     * -1 for a reader. Whoever holds it releases it: {@link #release()} on failure, the backend's
     * close otherwise.
     */
    record Opened(String name, Path path, FileChannel channel, SegmentMapping mapping, Geometry geometry,
                  Object fileKey, int lockFd) {

        /** The same file, held under the writer lock {@code fd}. */
        Opened withLock(int fd) {
            return new Opened(name, path, channel, mapping, geometry, fileKey, fd);
        }

        /** Unmaps, closes the channel and drops the lock. */
        void release() {
            mapping.close();
            closeQuietly(channel);
            PosixLibc.close(lockFd);
        }
    }

    // ================================================================== names

    /**
     * Validates a segment name and returns it without a leading {@code /} (POSIX object names are
     * written {@code /name}; the file is {@code /dev/shm/name}).
     *
     * @throws IllegalArgumentException naming the offending value
     */
    static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        String n = name.startsWith("/") ? name.substring(1) : name;
        if (n.isEmpty()) {
            throw new IllegalArgumentException("segment name=\"" + name + "\" is empty");
        }
        if (n.equals(".")) {
            throw new IllegalArgumentException("segment name=\".\" names the shared-memory directory itself, not an object");
        }
        if (n.contains("..")) {
            throw new IllegalArgumentException("segment name=\"" + printable(name) + "\" must not contain \"..\"");
        }
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (c == '/') {
                throw new IllegalArgumentException("segment name=\"" + printable(name)
                        + "\" must be one path component (no '/' after the first character)");
            }
            if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) {
                throw new IllegalArgumentException("segment name=\"" + printable(name)
                        + "\" contains control character 0x" + Integer.toHexString(c) + " at index " + i);
            }
        }
        int bytes = n.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > NAME_MAX) {
            throw new IllegalArgumentException("segment name is " + bytes + " bytes long, at most " + NAME_MAX
                    + " allowed (NAME_MAX)");
        }
        return n;
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 300; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    static String readFlink(Path flinkFile) {
        Objects.requireNonNull(flinkFile, "flinkFile");
        byte[] content;
        try {
            long size = Files.size(flinkFile);
            if (size > 4096) {
                throw new SegmentAccessException("flink file " + flinkFile + " is " + size
                        + " bytes; expected an object name such as /shmem_0123ABCD");
            }
            content = Files.readAllBytes(flinkFile);
        } catch (IOException e) {
            throw new SegmentAccessException("cannot read flink file " + flinkFile + ": " + e, e);
        }
        String text = new String(content, StandardCharsets.UTF_8);
        if (!text.startsWith("/")) {
            throw new SegmentAccessException("flink file " + flinkFile + " holds \"" + printable(text)
                    + "\"; expected an object name starting with '/', such as /shmem_0123ABCD");
        }
        try {
            return checkName(text);
        } catch (IllegalArgumentException e) {
            throw new SegmentAccessException("flink file " + flinkFile + ": " + e.getMessage(), e);
        }
    }

    // ================================================================== validation

    private static ByteBuffer read(FileChannel ch, Path path, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position + buf.position());
            if (n < 0) {
                throw new SegmentFormatException("segment " + path + " ended at " + (position + buf.position())
                        + " bytes while reading " + length + " bytes at offset " + position);
            }
        }
        return buf.flip();
    }

    static String hex(int v) {
        return String.format("0x%08X", v);
    }

    /**
     * Reads and checks header and extension with plain file I/O, before anything is mapped.
     *
     * @throws SegmentFormatException naming the file and the expected and found values
     */
    static Geometry validate(FileChannel ch, Path path, byte[] expectedTypeHash) throws IOException {
        return validate(ch, path, expectedTypeHash, null);
    }

    /** {@link #validate(FileChannel, Path, byte[])}, naming {@code expectedType} (canonical text, or null) in a mismatch. */
    static Geometry validate(FileChannel ch, Path path, byte[] expectedTypeHash, String expectedType) throws IOException {
        long size = ch.size();
        if (size < SLOTS_OFFSET) {
            throw new SegmentFormatException("segment " + path + " is " + size + " bytes, smaller than the "
                    + SLOTS_OFFSET + "-byte header");
        }
        ByteBuffer h = read(ch, path, 0, (int) SLOTS_OFFSET);
        int magic = h.getInt((int) MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new SegmentFormatException("segment " + path + ": expected magic " + hex(MAGIC) + " (\"ZDSS\"), found "
                    + hex(magic));
        }
        int slotCount = h.getInt((int) SLOT_COUNT_OFFSET);
        int total = h.getInt((int) SLOT_TOTAL_SIZE_OFFSET);
        if (!isSlotCount(slotCount)) {
            throw new SegmentFormatException("segment " + path + ": slot_count=" + Integer.toUnsignedString(slotCount)
                    + " outside [1, " + MAX_SLOT_COUNT + "]");
        }
        if (!isSlotTotalSize(total)) {
            throw new SegmentFormatException("segment " + path + ": slot_total_size=" + Integer.toUnsignedString(total)
                    + " is not a multiple of " + CACHE_LINE + " in [" + CACHE_LINE + ", "
                    + SegmentLayout.slotTotalSize(MAX_CAPACITY) + "]");
        }
        int extMagic = h.getInt((int) EXT_MAGIC_OFFSET);
        int extOffset = h.getInt((int) EXT_OFFSET_OFFSET);
        int extLength = h.getInt((int) EXT_LENGTH_OFFSET);
        if (extMagic == 0 && extOffset == 0 && extLength == 0) {
            long needed = referenceSegmentSize(slotCount, total);
            if (size < needed) {
                throw new SegmentFormatException("segment " + path + " is " + size + " bytes, but its header claims "
                        + needed + " (" + slotCount + " slots of " + total + " bytes after the header)");
            }
            return new Geometry(true, slotCount, total, payloadCapacity(total), needed, 0, null,
                    WRITER_NONE, 0, 0);
        }
        if (extMagic != EXTENSION_MAGIC) {
            throw new SegmentFormatException("segment " + path + ": expected extension magic " + hex(EXTENSION_MAGIC)
                    + " (\"FDX1\") or 0 (plain reference segment) at 0x14, found " + hex(extMagic));
        }
        long expectedOffset = extensionOffset(slotCount, total);
        if (Integer.toUnsignedLong(extOffset) != expectedOffset) {
            throw new SegmentFormatException("segment " + path + ": expected extension offset " + expectedOffset
                    + " for " + slotCount + " slots of " + total + " bytes, found " + Integer.toUnsignedString(extOffset));
        }
        long expectedLength = extensionLength(slotCount);
        if (Integer.toUnsignedLong(extLength) != expectedLength) {
            throw new SegmentFormatException("segment " + path + ": expected extension length " + expectedLength
                    + " for " + slotCount + " slots, found " + Integer.toUnsignedString(extLength));
        }
        long needed = expectedOffset + expectedLength;
        if (size < needed) {
            throw new SegmentFormatException("segment " + path + " is " + size + " bytes, but its header claims "
                    + needed + " (truncated?)");
        }
        ByteBuffer e = read(ch, path, expectedOffset, (int) EXT_SLOT_TABLE_OFFSET);
        int version = e.getInt((int) EXT_VERSION_OFFSET);
        if (version != LAYOUT_VERSION) {
            throw new SegmentFormatException("segment " + path + ": expected layout version " + LAYOUT_VERSION
                    + ", found " + Integer.toUnsignedString(version));
        }
        int capacity = e.getInt((int) EXT_CAPACITY_OFFSET);
        if (!isCapacity(capacity, total)) {
            throw new SegmentFormatException("segment " + path + ": slot capacity=" + Integer.toUnsignedString(capacity)
                    + " does not add up to slot_total_size=" + total + " (expected align_up(16 + capacity, 64) == "
                    + total + ")");
        }
        int flags = e.getInt((int) EXT_FLAGS_OFFSET);
        if (flags != 0 && flags != FLAG_TYPED) {
            throw new SegmentFormatException("segment " + path + ": expected flags 0 or 1, found " + hex(flags));
        }
        int lease = e.getInt((int) EXT_LEASE_OFFSET);
        int crc = descriptorCrc(h, e);
        int storedCrc = e.getInt((int) EXT_DESCRIPTOR_CRC_OFFSET);
        if (crc != storedCrc) {
            throw new SegmentFormatException("segment " + path + ": descriptor checksum mismatch, expected "
                    + hex(crc) + " (computed), found " + hex(storedCrc) + " (damaged header or extension)");
        }
        if (lease < 1 || lease > MAX_LEASE_MILLIS) {
            throw new SegmentFormatException("segment " + path + ": reader lease=" + Integer.toUnsignedString(lease)
                    + " ms outside [1, " + MAX_LEASE_MILLIS + "]");
        }
        int writerState = e.getInt((int) EXT_WRITER_STATE_OFFSET);
        if (!isWriterState(writerState)) {
            throw new SegmentFormatException("segment " + path + ": expected writer state 0 or 1, found "
                    + Integer.toUnsignedString(writerState));
        }
        for (int r = 0; r < MAX_READERS; r++) {
            int state = e.getInt((int) (readerEntryOffset(0, r) + READER_STATE_OFFSET));
            if (!isReaderState(state)) {
                throw new SegmentFormatException("segment " + path + ": reader registry entry " + r
                        + " has state " + Integer.toUnsignedString(state) + ", expected 0.."
                        + READER_DISCONNECTING);
            }
        }
        byte[] hash = null;
        if (flags == FLAG_TYPED) {
            hash = new byte[TYPE_HASH_LENGTH];
            e.get((int) EXT_TYPE_HASH_OFFSET, hash);
        }
        if (expectedTypeHash != null && (hash == null || !java.util.Arrays.equals(hash, expectedTypeHash))) {
            throw new TypeMismatchException("segment " + path + ": expected "
                    + (expectedType == null ? "" : "type " + expectedType + ", ") + "type hash "
                    + HexFormat.of().formatHex(expectedTypeHash) + ", found "
                    + (hash == null ? "none (untyped segment)" : HexFormat.of().formatHex(hash)));
        }
        return new Geometry(false, slotCount, total, capacity, needed, lease, hash, writerState,
                e.getInt((int) EXT_WRITER_PID_OFFSET), e.getLong((int) EXT_WRITER_START_OFFSET));
    }

    static void writeDescriptorCrc(MemorySegment segment, long ext) {
        ByteBuffer h = segment.asSlice(0, SLOTS_OFFSET).asByteBuffer().order(ByteOrder.nativeOrder());
        ByteBuffer e = segment.asSlice(ext, EXT_SLOT_TABLE_OFFSET).asByteBuffer().order(ByteOrder.nativeOrder());
        putDescriptorCrc(segment, ext, descriptorCrc(h, e));
    }

    // ================================================================== opening

    /** Opens {@code /dev/shm/NAME} without following links, checks type and owner, validates, maps. */
    static Opened openExisting(String name, byte[] expectedTypeHash, String expectedType, boolean allowForeignOwner) {
        Path path = PosixSlotBackend.SHM_DIRECTORY.resolve(name);
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new SegmentAccessException("segment " + path + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new SegmentAccessException("segment " + path + ": permission denied (mode and owner are checked by"
                    + " the kernel; ask the owner for group access)", e);
        } catch (IOException e) {
            // O_NOFOLLOW on a link fails with ELOOP, which the JDK reports as a plain IOException
            if (Files.isSymbolicLink(path)) {
                throw new SegmentAccessException("segment " + path + " is a symbolic link; refusing to follow it", e);
            }
            throw new SegmentAccessException("cannot open segment " + path + ": " + e.getMessage(), e);
        }
        try {
            Object key = checkFile(path, allowForeignOwner);
            Geometry g = validate(ch, path, expectedTypeHash, expectedType);
            return new Opened(name, path, ch, SegmentMapping.map(ch, g.size), g, key, -1);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new SegmentAccessException("cannot read segment " + path + ": " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** Checks that {@code path} is a regular file owned by us; returns its file key (dev, inode). */
    static Object checkFile(Path path, boolean allowForeignOwner) throws IOException {
        Map<String, Object> attrs = Files.readAttributes(path, "unix:uid,mode,ino,dev", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) attrs.get("mode");
        if ((mode & 0xF000) == 0xA000) {
            throw new SegmentAccessException("segment " + path + " is a symbolic link; refusing to follow it");
        }
        if ((mode & 0xF000) != 0x8000) {
            throw new SegmentAccessException("segment " + path + " is not a regular file (mode=0"
                    + Integer.toOctalString(mode) + ")");
        }
        int uid = (Integer) attrs.get("uid");
        int ours = PosixLibc.geteuid();
        if (uid != ours && !allowForeignOwner) {
            throw new SegmentAccessException("segment " + path + " is owned by uid " + uid + ", this process runs as uid "
                    + ours + "; refusing to share memory with another user (open with allowForeignOwner() to accept)");
        }
        return attrs.get("dev") + ":" + attrs.get("ino");
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // cleanup after a failure that is already being reported
        }
    }

    /**
     * Writes zeros over the whole file: tmpfs then owns every page, so a full {@code /dev/shm}
     * fails here with an IOException instead of with SIGBUS on the first store into the mapping.
     */
    private static void allocate(FileChannel ch, long size) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(size, 1 << 20));
        for (long position = 0; position < size; ) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), size - position));
            position += ch.write(zeros, position);
        }
    }

    /**
     * Reads the mapping's last page: faults (safely, as an InternalError) if the file shrank. A
     * compare-and-set run by the interpreter on a lost page crashes the JVM instead, so every path
     * that compare-and-sets probes first.
     */
    static void probeLastPage(MemorySegment segment) {
        segment.get(ValueLayout.JAVA_BYTE, segment.byteSize() - 1);
    }

    // ================================================================== creating

    /**
     * Creates, formats and publishes a new segment under the writer lock, and writes its flink
     * file; replaces one whose writer is dead. The segment is formatted in a private temporary
     * file, then linked (or, over a dead writer's segment whose lock we hold, renamed) into place.
     */
    static Opened create(PosixSlotBackend.CreateBuilder b) {
        Path path = PosixSlotBackend.SHM_DIRECTORY.resolve(b.name);
        long size = segmentSize(b.slotCount, b.slotCapacity);
        PosixCrashRecovery.sweepTemporaries();
        for (int attempt = 0; attempt < 3; attempt++) {
            // replace (rename over) only a file whose lock we hold; a name that vanished meanwhile
            // is created with an exclusive link, never renamed over
            int oldLock = Files.exists(path, LinkOption.NOFOLLOW_LINKS) ? PosixCrashRecovery.lockAbandoned(path) : -1;
            boolean replace = oldLock >= 0;
            Path temp = PosixSlotBackend.SHM_DIRECTORY.resolve(TEMP_PREFIX + ProcessIdentity.CURRENT_PID + "-"
                    + TEMP_COUNTER.incrementAndGet() + "-" + Long.toHexString(System.nanoTime()));
            FileChannel ch = null;
            SegmentMapping mapping = null;
            int lock = -1;
            boolean published = false;
            try {
                Set<PosixFilePermission> perms = PosixFilePermissions.fromString(b.groupAccess ? "rw-rw----" : "rw-------");
                ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(perms));
                // the creation mode is subject to the umask; set it exactly before the name is published
                Files.setPosixFilePermissions(temp, perms);
                allocate(ch, size);
                lock = PosixLibc.openAndLock(temp.toString());
                if (lock < 0) {
                    throw new SegmentAccessException("cannot lock new segment file " + temp);
                }
                mapping = SegmentMapping.map(ch, size);
                MemorySegment segment = mapping.views;
                SegmentLayout.format(segment, b.slotCount, b.slotCapacity, b.typeHash, b.initialSequence,
                        b.leaseMillis);
                writeDescriptorCrc(segment, extensionOffset(b.slotCount, SegmentLayout.slotTotalSize(b.slotCapacity)));
                if (replace) {
                    Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
                } else {
                    try {
                        Files.createLink(path, temp);
                    } catch (FileAlreadyExistsException e) {
                        continue; // created meanwhile by someone else: decide again
                    }
                    Files.delete(temp);
                }
                published = true;
                Object key = checkFile(path, false);
                Geometry g = new Geometry(false, b.slotCount, SegmentLayout.slotTotalSize(b.slotCapacity),
                        b.slotCapacity, size, b.leaseMillis, b.typeHash, WRITER_OPEN, ProcessIdentity.CURRENT_PID,
                        ProcessIdentity.CURRENT_START_MILLIS);
                Opened o = new Opened(b.name, path, ch, mapping, g, key, lock);
                if (b.flink != null) {
                    Files.writeString(b.flink, "/" + b.name, StandardCharsets.UTF_8);
                }
                return o;
            } catch (IOException e) {
                throw new SegmentAccessException("cannot create segment " + path + ": " + e, e);
            } catch (InternalError e) {
                throw formatFault(path, e);
            } finally {
                PosixLibc.close(oldLock);
                if (!published) {
                    if (mapping != null) {
                        mapping.close();
                    }
                    if (ch != null) {
                        closeQuietly(ch);
                    }
                    PosixLibc.close(lock);
                    try {
                        Files.deleteIfExists(temp);
                    } catch (IOException ignored) {
                        // best effort: the temporary name is private to this process
                    }
                }
            }
        }
        throw new SegmentAccessException("segment " + path + " keeps being created concurrently by another process");
    }

    /** A memory fault while a new segment is formatted or first read. */
    static SegmentAccessException formatFault(Path path, InternalError e) {
        return new SegmentAccessException("memory fault while formatting new segment " + path
                + " (was its temporary file truncated?)", e);
    }
}
