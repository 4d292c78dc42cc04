package io.zerodds.flatdata;

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
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * A slot ring in a POSIX shared-memory object under {@code /dev/shm}: one writer process and up to
 * 32 reader processes on one host exchange samples in place, without a copy and without a broker.
 *
 * <pre>{@code
 * // writer process: creates /dev/shm/prices (mode 0600), unlinks it on close
 * try (PosixSlotBackend ring = PosixSlotBackend.create("prices").slotCount(256).slotCapacity(64).build();
 *      FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(1))) {
 *     writer.write("hello".getBytes(StandardCharsets.UTF_8));
 * }
 *
 * // reader process
 * try (PosixSlotBackend ring = PosixSlotBackend.open("prices").build();
 *      FlatReader reader = FlatReader.attach(ring)) {
 *     byte[] sample = reader.takeCopy(Duration.ofSeconds(1));   // futex wait, no spinning
 * }
 * }</pre>
 *
 * <h2>Roles</h2>
 * {@link #create(String)} makes the calling process the segment's <em>owner</em> and its only
 * writer; {@link #open(String)} attaches a reader process, which may not call the writer methods
 * ({@link IllegalStateException}). {@link OpenBuilder#asWriter()} opens an existing segment as its
 * writer after the previous writer died: loans it held are reclaimed, committed samples stay.
 *
 * <h2>Layout</h2>
 * {@link SegmentLayout}: the reference header and slots (byte-compatible with ZeroDDS), then an
 * extension region announced at 0x14..0x1F. A plain reference segment (zeros there) opens as a
 * read-only consumer without a registry: readers attach with the index discovery assigned,
 * {@link #attachReader(int)}; see {@link #isReferenceSegment()} for its weaker guarantees.
 *
 * <h2>Validation</h2>
 * Before anything is mapped, the header and extension are read with plain file I/O and checked:
 * magic, extension magic, layout version, geometry ({@code slot_total_size ==
 * align_up(16 + capacity, 64)}, extension offset and length), file size against the geometry,
 * registry states, and a CRC32C over every field fixed at creation. A mismatch throws
 * {@link SegmentFormatException} naming the file and the expected and found values; a type hash
 * that differs from the one the opener expects throws {@link TypeMismatchException}.
 *
 * <h2>Security</h2>
 * Created with mode 0600 ({@link CreateBuilder#groupAccess()} for 0660), never through a symbolic
 * link ({@code O_NOFOLLOW}), published atomically under its name (the ring is formatted in a
 * private temporary file which is then linked or renamed into place, so no process ever sees a
 * half-written header). A segment owned by another uid is refused unless
 * {@link OpenBuilder#allowForeignOwner()}; a segment name is one path component of at most 255
 * bytes, without NUL, control characters, {@code /} or {@code ..}. The owner check is path-based;
 * it is sound because {@code /dev/shm} is sticky: only the owner can replace an entry, and a
 * symbolic link is never followed.
 *
 * <h2>Waiting</h2>
 * {@link #waitForChange(long, long)} blocks in {@code FUTEX_WAIT} (process-shared) on the notify
 * word at 0x10; a commit or slot-free wakes waiters with {@code FUTEX_WAKE} only when the shared
 * waiter count is non-zero, so nobody pays a system call while nobody waits. A blocked thread wakes
 * at least every 250 ms to honour {@link Thread#interrupt()}. The wait pins a virtual thread's
 * carrier: block in platform threads.
 *
 * <h2>Crash recovery</h2>
 * <ul>
 *   <li><b>Writer.</b> The writer holds an exclusive {@code flock} on the segment for its lifetime;
 *       the kernel releases it when the process dies, whatever the signal. A writer is taken to be
 *       dead when that lock is free and its recorded pid is gone or now belongs to a process with
 *       another start time. {@link OpenBuilder#asWriter()} then takes over and reclaims its loans;
 *       {@link #create(String)} over such a segment replaces it with a fresh one. A live writer
 *       is never displaced ({@link SegmentAccessException}).</li>
 *   <li><b>Readers.</b> Every attached reader has a heartbeat (epoch ms) that a daemon thread of
 *       its process refreshes every lease/5; a slow but live reader is never evicted. When a
 *       slot is held back only by readers whose process is gone, or whose heartbeat the writer
 *       has seen standing still for a whole lease ({@link CreateBuilder#leaseTimeout(Duration)},
 *       default 5 s, timed on the writer's monotonic clock so that a wall-clock step evicts
 *       nobody), the writer marks them disconnected and goes on; a dead reader's index is freed
 *       as well.</li>
 * </ul>
 *
 * <h2>Faults</h2>
 * A file truncated by another process while mapped turns accesses to the lost pages into SIGBUS.
 * HotSpot converts such a fault in a memory-segment access into an {@link InternalError}, which
 * this class reports as {@link SegmentFormatException}; the lease thread also checks the file
 * size every period. One access kind is not protected by HotSpot: a compare-and-set executed by
 * the interpreter crashes the JVM. Every path that compare-and-sets (attach, detach, disconnect,
 * takeover) therefore first reads the mapping's last page, which faults safely if the file
 * shrank. After a fault the backend is closed for this process.
 *
 * <h2>Close</h2>
 * Readers attached through this instance are detached, the mapping is released and the writer's
 * lock dropped; the owner also unlinks the object (unless {@link CreateBuilder#keepOnClose()}).
 * Any call afterwards throws {@link BackendClosedException}, also from threads racing the close.
 */
public final class PosixSlotBackend implements SlotBackend {

    /** Where POSIX shared-memory objects live on Linux. */
    public static final Path SHM_DIRECTORY = Path.of("/dev/shm");
    /** Default reader lease. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(5);

    private static final int NAME_MAX = 255;
    private static final long WAIT_SLICE_NANOS = 250_000_000L;
    private static final long PID_CHECK_INTERVAL_MILLIS = 50;
    /** How often the lease thread looks for waiter entries of dead processes (at most every tick). */
    private static final long WAITER_CHECK_INTERVAL_MILLIS = 1_000;
    private static final int MAX_LEASE_MILLIS = 3_600_000;
    private static final AtomicLong TEMP_COUNTER = new AtomicLong();

    private static volatile ScheduledExecutorService leaseExecutor;

    private final String name;
    private final Path path;
    private final FileChannel channel;
    private final SegmentMapping mapping;
    private final MemorySegment segment;
    private final long mappedSize;
    private final SlotBackend ring;
    private final Ring extended;
    private final ReferenceRing reference;
    private final boolean owner;
    private final boolean writer;
    private final boolean keepOnClose;
    private final Path flink;
    private final int lockFd;
    private final Object fileKey;
    private final long notifyAddress;
    private final int leaseMillis;
    private final String description;
    private int reclaimedLoans;

    private final AtomicInteger localReaders = new AtomicInteger();
    private final int[] localEpochs = new int[MAX_READERS];
    private final AtomicInteger localWaiters = new AtomicInteger();
    private final Object waitLock = new Object();
    /** Lease thread only: when it last looked for dead waiters. */
    private long waitersCheckedAt;
    /** Our waiter entry while threads of this instance wait under it, else -1. Guarded by waitLock. */
    private int waitEntry = -1;
    /** Threads waiting under waitEntry. Guarded by waitLock. */
    private int entryWaiters;
    private final long[] pidCheckedAt = new long[MAX_READERS];
    private final boolean[] pidAlive = new boolean[MAX_READERS];
    private final int[] pidChecked = new int[MAX_READERS];
    private final long[] startChecked = new long[MAX_READERS];
    private final boolean[] beatSeen = new boolean[MAX_READERS];
    private final long[] seenBeat = new long[MAX_READERS];
    private final int[] seenEpoch = new int[MAX_READERS];
    private final long[] beatMovedAt = new long[MAX_READERS];
    private final Object lifecycle = new Object();
    private volatile boolean closed;
    private volatile String fault;
    private boolean unlinked;
    private ScheduledFuture<?> heartbeat;

    private PosixSlotBackend(Opened o, boolean owner, boolean writer, boolean keepOnClose, Path flink, int lockFd,
                             int leaseMillis) {
        this.name = o.name;
        this.path = o.path;
        this.channel = o.channel;
        this.mapping = o.mapping;
        this.segment = o.mapping.views;
        this.mappedSize = segment.byteSize();
        this.owner = owner;
        this.writer = writer;
        this.keepOnClose = keepOnClose;
        this.flink = flink;
        this.lockFd = lockFd;
        this.fileKey = o.fileKey;
        this.notifyAddress = segment.address() + NOTIFY_OFFSET;
        this.leaseMillis = leaseMillis;
        if (o.geometry.reference) {
            this.description = "posix reference segment[" + path + ", slots=" + o.geometry.slotCount
                    + ", slot_total_size=" + o.geometry.slotTotalSize + "]";
            this.extended = null;
            this.reference = new ReferenceRing(this, segment, o.geometry.slotCount, o.geometry.slotTotalSize);
            this.ring = reference;
        } else {
            this.description = "posix ring[" + path + ", slots=" + o.geometry.slotCount + ", capacity="
                    + o.geometry.capacity + "]";
            this.extended = new Ring(this, o.mapping, o.geometry.slotCount, o.geometry.capacity);
            this.reference = null;
            this.ring = extended;
        }
    }

    // ================================================================== factories

    /** Creates {@code /dev/shm/NAME} as its owner and writer. Configure, then {@link CreateBuilder#build()}. */
    public static CreateBuilder create(String name) {
        return new CreateBuilder(checkName(name));
    }

    /** Opens the existing {@code /dev/shm/NAME} as a reader (or, with {@code asWriter()}, as its new writer). */
    public static OpenBuilder open(String name) {
        return new OpenBuilder(checkName(name));
    }

    /**
     * Opens the segment named by a flink file, as the reference does: the file holds the object
     * name ({@code /shmem_<HEX>}, no newline).
     */
    public static OpenBuilder openFlink(Path flinkFile) {
        return new OpenBuilder(readFlink(flinkFile));
    }

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

    private static String printable(String s) {
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

    private static String readFlink(Path flinkFile) {
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

    // ================================================================== opening and validation

    /** What the header and extension say, checked. */
    record Geometry(boolean reference, int slotCount, int slotTotalSize, int capacity, long size, int leaseMillis,
                    byte[] typeHash, int writerState, int writerPid, long writerStart) {
    }

    /** An opened, validated, mapped file. */
    record Opened(String name, Path path, FileChannel channel, SegmentMapping mapping, Geometry geometry,
                  Object fileKey) {
    }

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

    private static String hex(int v) {
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
        if (slotCount < 1 || slotCount > MAX_SLOT_COUNT) {
            throw new SegmentFormatException("segment " + path + ": slot_count=" + Integer.toUnsignedString(slotCount)
                    + " outside [1, " + MAX_SLOT_COUNT + "]");
        }
        if (total <= SLOT_HEADER_SIZE || total % CACHE_LINE != 0 || total > SegmentLayout.slotTotalSize(MAX_CAPACITY)) {
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
            return new Geometry(true, slotCount, total, total - (int) SLOT_HEADER_SIZE, needed, 0, null,
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
        if (capacity < 1 || capacity > MAX_CAPACITY || SegmentLayout.slotTotalSize(capacity) != total) {
            throw new SegmentFormatException("segment " + path + ": slot capacity=" + Integer.toUnsignedString(capacity)
                    + " does not add up to slot_total_size=" + total + " (expected align_up(16 + capacity, 64) == "
                    + total + ")");
        }
        int flags = e.getInt((int) EXT_FLAGS_OFFSET);
        if (flags != 0 && flags != 1) {
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
        if (writerState != WRITER_NONE && writerState != WRITER_OPEN) {
            throw new SegmentFormatException("segment " + path + ": expected writer state 0 or 1, found "
                    + Integer.toUnsignedString(writerState));
        }
        for (int r = 0; r < MAX_READERS; r++) {
            int state = e.getInt((int) (EXT_REGISTRY_OFFSET + r * READER_ENTRY_SIZE + READER_STATE_OFFSET));
            if (state < READER_FREE || state > SegmentSlotBackend.READER_DISCONNECTING) {
                throw new SegmentFormatException("segment " + path + ": reader registry entry " + r
                        + " has state " + Integer.toUnsignedString(state) + ", expected 0.."
                        + SegmentSlotBackend.READER_DISCONNECTING);
            }
        }
        byte[] hash = null;
        if (flags == 1) {
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

    /**
     * CRC32C over the fields fixed at creation: magic, slot_count, slot_total_size, the extension
     * announcement, layout version, capacity, flags, type hash and lease.
     */
    static int descriptorCrc(ByteBuffer header, ByteBuffer ext) {
        CRC32C crc = new CRC32C();
        crc.update(header.duplicate().position((int) MAGIC_OFFSET).limit((int) NEXT_SN_OFFSET));
        crc.update(header.duplicate().position((int) EXT_MAGIC_OFFSET).limit((int) SLOTS_OFFSET));
        crc.update(ext.duplicate().position((int) EXT_VERSION_OFFSET).limit((int) EXT_DESCRIPTOR_CRC_OFFSET));
        crc.update(ext.duplicate().position((int) EXT_TYPE_HASH_OFFSET)
                .limit((int) (EXT_TYPE_HASH_OFFSET + TYPE_HASH_LENGTH)));
        crc.update(ext.duplicate().position((int) EXT_LEASE_OFFSET).limit((int) EXT_LEASE_OFFSET + 4));
        return (int) crc.getValue();
    }

    private static void writeDescriptorCrc(MemorySegment segment, long ext) {
        ByteBuffer h = segment.asSlice(0, SLOTS_OFFSET).asByteBuffer().order(ByteOrder.nativeOrder());
        ByteBuffer e = segment.asSlice(ext, EXT_SLOT_TABLE_OFFSET).asByteBuffer().order(ByteOrder.nativeOrder());
        segment.set(ValueLayout.JAVA_INT, ext + EXT_DESCRIPTOR_CRC_OFFSET, descriptorCrc(h, e));
    }

    /** Opens {@code path} without following links, checks type and owner, validates, maps. */
    private static Opened openExisting(String name, Path path, byte[] expectedTypeHash, String expectedType,
                                       boolean allowForeignOwner) {
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
            return new Opened(name, path, ch, SegmentMapping.map(ch, g.size), g, key);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new SegmentAccessException("cannot read segment " + path + ": " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** Checks that {@code path} is a regular file owned by us; returns its file key (dev, inode). */
    private static Object checkFile(Path path, boolean allowForeignOwner) throws IOException {
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

    private static void closeQuietly(AutoCloseable c) {
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

    private static final String TEMP_PREFIX = ".flatdata-";

    /** Deletes our temporary files whose creating process is gone (it died between create and publish). */
    private static void sweepTemporaries() {
        try (var files = Files.newDirectoryStream(SHM_DIRECTORY, TEMP_PREFIX + "*")) {
            int ours = PosixLibc.geteuid();
            for (Path p : files) {
                String[] parts = p.getFileName().toString().substring(TEMP_PREFIX.length()).split("-");
                try {
                    int pid = Integer.parseInt(parts[0]);
                    if (pid != ProcessIdentity.CURRENT_PID && !ProcessIdentity.isAlive(pid, 0)
                            && (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) == ours) {
                        Files.deleteIfExists(p);
                    }
                } catch (NumberFormatException | IOException ignored) {
                    // not one of ours, or gone already
                }
            }
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Creates, formats and publishes a new segment; replaces one whose owner is dead. */
    private static PosixSlotBackend createSegment(CreateBuilder b) {
        Path path = SHM_DIRECTORY.resolve(b.name);
        long size = segmentSize(b.slotCount, b.slotCapacity);
        sweepTemporaries();
        for (int attempt = 0; attempt < 3; attempt++) {
            // replace (rename over) only a file whose lock we hold; a name that vanished meanwhile
            // is created with an exclusive link, never renamed over
            int oldLock = Files.exists(path, LinkOption.NOFOLLOW_LINKS) ? lockAbandoned(path) : -1;
            boolean replace = oldLock >= 0;
            Path temp = SHM_DIRECTORY.resolve(TEMP_PREFIX + ProcessIdentity.CURRENT_PID + "-"
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
                SegmentSlotBackend.format(segment, b.slotCount, b.slotCapacity, b.typeHash, b.initialSequence,
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
                Opened o = new Opened(b.name, path, ch, mapping, g, key);
                if (b.flink != null) {
                    Files.writeString(b.flink, "/" + b.name, StandardCharsets.UTF_8);
                }
                PosixSlotBackend backend = new PosixSlotBackend(o, true, true, b.keepOnClose, b.flink, lock,
                        b.leaseMillis);
                if (b.wakeOnEveryChange) {
                    backend.extended.wakeOnEveryChange(); // before any other thread sees the ring
                }
                backend.startHeartbeat();
                return backend;
            } catch (IOException e) {
                throw new SegmentAccessException("cannot create segment " + path + ": " + e, e);
            } catch (InternalError e) {
                throw new SegmentAccessException("memory fault while formatting new segment " + path
                        + " (was its temporary file truncated?)", e);
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

    /**
     * For create over an existing file: returns the lock on it when its owner is dead (the caller
     * replaces it while holding the lock), or throws when it is alive or not ours.
     */
    private static int lockAbandoned(Path path) {
        try {
            checkFile(path, false);
            int fd = PosixLibc.openAndLock(path.toString());
            if (fd < 0) {
                throw new SegmentAccessException("segment " + path + " already exists and its writer is alive"
                        + " (it holds the segment lock)");
            }
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                Geometry g = validate(ch, path, null);
                if (!g.reference && g.writerState == WRITER_OPEN && g.writerPid != ProcessIdentity.CURRENT_PID
                        && ProcessIdentity.isAlive(g.writerPid, g.writerStart)) {
                    PosixLibc.close(fd);
                    throw new SegmentAccessException("segment " + path + " already exists and its writer pid "
                            + g.writerPid + " is alive");
                }
            } catch (SegmentFormatException | TypeMismatchException garbage) {
                // a dead creator's leftover that is not even a valid segment: replace it
            }
            return fd;
        } catch (NoSuchFileException gone) {
            return -1;
        } catch (IOException e) {
            throw new SegmentAccessException("cannot inspect existing segment " + path + ": " + e, e);
        }
    }

    private static PosixSlotBackend openSegment(OpenBuilder b) {
        Path path = SHM_DIRECTORY.resolve(b.name);
        Opened o = openExisting(b.name, path, b.typeHash, b.typeText, b.allowForeignOwner);
        Geometry g = o.geometry;
        int lock = -1;
        boolean done = false;
        try {
            PosixSlotBackend backend;
            if (!b.asWriter) {
                backend = new PosixSlotBackend(o, false, false, true, null, -1, g.leaseMillis);
            } else {
                if (g.reference) {
                    throw new SegmentAccessException("segment " + path + " is a plain reference segment: it can be"
                            + " read here, but only its reference writer writes it");
                }
                lock = PosixLibc.openAndLock(path.toString());
                if (lock < 0) {
                    throw new SegmentAccessException("segment " + path + " has a live writer (pid " + g.writerPid
                            + " holds the segment lock)");
                }
                if (g.writerState == WRITER_OPEN && g.writerPid != ProcessIdentity.CURRENT_PID
                        && ProcessIdentity.isAlive(g.writerPid, g.writerStart)) {
                    throw new SegmentAccessException("segment " + path + ": its writer lock is free, but writer pid "
                            + g.writerPid + " (started at " + g.writerStart + " ms, state "
                            + ProcessIdentity.state(g.writerPid) + ") still exists; refusing to take over from it");
                }
                long ext = extensionOffset(g.slotCount, g.slotTotalSize);
                MemorySegment s = o.mapping.views;
                s.get(ValueLayout.JAVA_BYTE, s.byteSize() - 1); // probe before the first compare-and-set
                s.set(ValueLayout.JAVA_INT, ext + EXT_WRITER_PID_OFFSET, ProcessIdentity.CURRENT_PID);
                s.set(ValueLayout.JAVA_LONG, ext + EXT_WRITER_START_OFFSET, ProcessIdentity.CURRENT_START_MILLIS);
                s.set(ValueLayout.JAVA_LONG, ext + EXT_WRITER_HEARTBEAT_OFFSET, System.currentTimeMillis());
                SegmentSlotBackend.INT.setRelease(s, ext + EXT_WRITER_STATE_OFFSET, WRITER_OPEN);
                repairNextSequence(s, g);
                backend = new PosixSlotBackend(o, true, true, b.keepOnClose, null, lock, g.leaseMillis);
                backend.reclaimedLoans = backend.extended.reclaimAllLoans();
            }
            backend.startHeartbeat();
            done = true;
            return backend;
        } catch (IOException e) {
            throw new SegmentAccessException("cannot take over segment " + path + ": " + e, e);
        } catch (InternalError e) {
            throw new SegmentFormatException("segment " + path + " was truncated while it was being opened", e);
        } finally {
            if (!done) {
                o.mapping.close();
                closeQuietly(o.channel);
                PosixLibc.close(lock);
            }
        }
    }

    /**
     * A writer that died between publishing a slot (its slot word stored with a size) and
     * advancing the next sequence left a committed sample numbered at or past the next sequence;
     * move the next sequence past it, so that the new writer never numbers two samples alike.
     */
    private static void repairNextSequence(MemorySegment s, Geometry g) {
        long ext = extensionOffset(g.slotCount, g.slotTotalSize);
        long next = (long) SegmentSlotBackend.LONG.getAcquire(s, ext + EXT_NEXT_SEQUENCE_OFFSET);
        long max = -1;
        for (int slot = 0; slot < g.slotCount; slot++) {
            long high = ext + sequenceHighOffset(g.slotCount, slot);
            long h = SegmentLayout.slotOffset(slot, g.slotTotalSize);
            if (s.get(ValueLayout.JAVA_INT, h + SLOT_SIZE_OFFSET) != 0) {
                long sequence = SegmentLayout.sequence(s.get(ValueLayout.JAVA_INT, high),
                        s.get(ValueLayout.JAVA_INT, h + SLOT_SEQUENCE_OFFSET));
                max = Math.max(max, sequence);
            }
        }
        if (max >= next) {
            SegmentSlotBackend.LONG.setRelease(s, ext + EXT_NEXT_SEQUENCE_OFFSET, max + 1);
            SegmentSlotBackend.INT.setRelease(s, NEXT_SN_OFFSET, (int) (max + 1));
        }
    }

    // ================================================================== lease thread

    private static ScheduledExecutorService leaseExecutor() {
        ScheduledExecutorService e = leaseExecutor;
        if (e == null) {
            synchronized (PosixSlotBackend.class) {
                e = leaseExecutor;
                if (e == null) {
                    ScheduledThreadPoolExecutor x = new ScheduledThreadPoolExecutor(1, r -> {
                        Thread t = new Thread(r, "flatdata-posix-lease");
                        t.setDaemon(true);
                        return t;
                    });
                    x.setRemoveOnCancelPolicy(true);
                    leaseExecutor = e = x;
                }
            }
        }
        return e;
    }

    private void startHeartbeat() {
        long period = Math.max(10, (reference != null ? DEFAULT_LEASE.toMillis() : leaseMillis) / 5);
        synchronized (lifecycle) {
            heartbeat = leaseExecutor().scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
        }
    }

    /** Lease thread: refreshes heartbeats of this instance's readers (and writer), checks the file size. */
    private void tick() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            try {
                long size = channel.size();
                if (size < mappedSize) {
                    faulted("segment " + path + " was truncated by another process to " + size
                            + " bytes; its layout needs " + mappedSize, null);
                    return;
                }
                if (extended == null) {
                    return;
                }
                long now = System.currentTimeMillis();
                long ext = extended.ext;
                if (writer) {
                    SegmentSlotBackend.LONG.setRelease(segment, ext + EXT_WRITER_HEARTBEAT_OFFSET, now);
                }
                if (now - waitersCheckedAt >= WAITER_CHECK_INTERVAL_MILLIS || now < waitersCheckedAt) {
                    // a process killed while it waited leaves its bit in the waiting mask: clear it
                    waitersCheckedAt = now;
                    extended.reclaimDeadWaiters(ProcessIdentity::isAlive);
                }
                for (int bits = localReaders.get(); bits != 0; bits &= bits - 1) {
                    int r = Integer.numberOfTrailingZeros(bits);
                    long entry = extended.readerEntry(r);
                    if (extended.readerState(r) == READER_ATTACHED
                            && (int) SegmentSlotBackend.INT.getAcquire(segment, entry + READER_PID_OFFSET)
                            == ProcessIdentity.CURRENT_PID
                            && (int) SegmentSlotBackend.INT.getAcquire(segment, entry + READER_EPOCH_OFFSET)
                            == localEpochs[r]) {
                        SegmentSlotBackend.LONG.setRelease(segment, entry + READER_HEARTBEAT_OFFSET, now);
                    }
                }
            } catch (IOException | InternalError e) {
                faulted("segment " + path + " cannot be accessed any more (" + e + ")", e);
            } catch (IllegalStateException e) {
                // closed concurrently: nothing to refresh
            }
        }
    }

    // ================================================================== reader leases

    /** Writer side, from reserveSlot: disconnects readers in {@code missing} that are dead or past their lease. */
    boolean reclaimStalledReaders(int missing) {
        if (extended == null) {
            return false;
        }
        int active = extended.activeReaders();
        long now = System.currentTimeMillis();
        boolean any = false;
        for (int bits = missing & active; bits != 0; bits &= bits - 1) {
            int r = Integer.numberOfTrailingZeros(bits);
            long entry = extended.readerEntry(r);
            int state = extended.readerState(r);
            int pid = (int) SegmentSlotBackend.INT.getAcquire(segment, entry + READER_PID_OFFSET);
            long start = (long) SegmentSlotBackend.LONG.getAcquire(segment, entry + READER_START_TIME_OFFSET);
            if (state == SegmentSlotBackend.READER_DISCONNECTING) {
                // being disconnected: wait for it, or finish it for a disconnector that died
                extended.markReaderDisconnected(r);
                any = true;
                continue;
            }
            if (pid == 0 || ProcessIdentity.isCurrent(pid, start) || (state != READER_ATTACHED
                    && state != SegmentSlotBackend.READER_CLAIMED)) {
                continue; // being attached (no owner yet), or ours: our lease thread keeps ours alive
            }
            long beat = (long) SegmentSlotBackend.LONG.getAcquire(segment, entry + READER_HEARTBEAT_OFFSET);
            int epoch = (int) SegmentSlotBackend.INT.getAcquire(segment, entry + READER_EPOCH_OFFSET);
            boolean alive = processAlive(r, pid, start, now);
            // Stale = the heartbeat did not move for a whole lease, timed on our monotonic clock: a
            // step of the wall clock (which the heartbeat's epoch ms follow) evicts nobody.
            long nanos = System.nanoTime();
            if (!beatSeen[r] || beat != seenBeat[r] || epoch != seenEpoch[r]) {
                beatSeen[r] = true;
                seenBeat[r] = beat;
                seenEpoch[r] = epoch;
                beatMovedAt[r] = nanos;
            }
            // an entry still attaching is judged by its process only: its heartbeat may be the predecessor's
            boolean stale = state == READER_ATTACHED && nanos - beatMovedAt[r] > leaseMillis * 1_000_000L;
            if (!alive || stale) {
                probe();
                extended.markReaderDisconnected(r);
                if (!alive) {
                    extended.detachReader(r); // nobody will detach it: free the index
                }
                any = true;
            }
        }
        return any;
    }

    private boolean processAlive(int r, int pid, long start, long now) {
        // the cached answer is about one owner: a new owner of the index is checked afresh
        if (now - pidCheckedAt[r] < PID_CHECK_INTERVAL_MILLIS && pidChecked[r] == pid && startChecked[r] == start) {
            return pidAlive[r];
        }
        boolean alive = ProcessIdentity.isAlive(pid, start);
        pidAlive[r] = alive;
        pidChecked[r] = pid;
        startChecked[r] = start;
        pidCheckedAt[r] = now;
        return alive;
    }

    // ================================================================== waiting

    boolean futexWait(int expected, long timeoutNanos, Ring counted) {
        localWaiters.incrementAndGet();
        try {
            if (closed) {
                return false;
            }
            int entry = counted != null ? enterWait(counted) : NOT_COUNTED;
            try {
                long start = System.nanoTime();
                while (true) {
                    if (generationWord() != expected) {
                        return true;
                    }
                    if (closed || Thread.currentThread().isInterrupted()) {
                        return false;
                    }
                    // timeout minus elapsed: exact for any timeout, Long.MAX_VALUE included
                    long remaining = timeoutNanos - (System.nanoTime() - start);
                    if (remaining <= 0) {
                        return false;
                    }
                    waitCalls.increment();
                    PosixLibc.futexWait(notifyAddress, expected, Math.min(remaining, WAIT_SLICE_NANOS));
                }
            } finally {
                if (counted != null) {
                    exitWait(counted, entry);
                }
            }
        } finally {
            localWaiters.decrementAndGet();
        }
    }

    private static final int NOT_COUNTED = -2;
    private static final int ANONYMOUS = -1;

    /**
     * Announces a waiting thread before its last look at the generation word (the Dekker store
     * that signalChange's load pairs with). The first waiting thread of this instance claims a
     * waiter entry and sets its bit with a volatile read-modify-write; later ones join it (they
     * come after that store, through the lock). With the table full, threads count anonymously.
     *
     * @return the entry the thread waits under, or {@link #ANONYMOUS}
     */
    private int enterWait(Ring ring) {
        synchronized (waitLock) {
            if (waitEntry < 0) {
                int entry = ring.claimWaiterEntry();
                if (entry < 0) {
                    ring.addWaiter(1);
                    return ANONYMOUS;
                }
                waitEntry = entry;
                ring.markWaiting(entry);
            }
            entryWaiters++;
            return waitEntry;
        }
    }

    private void exitWait(Ring ring, int entry) {
        synchronized (waitLock) {
            if (entry == ANONYMOUS) {
                ring.addWaiter(-1);
            } else if (--entryWaiters == 0) {
                waitEntry = -1;
                ring.releaseWaiterEntry(entry);
            }
        }
    }

    int generationWord() {
        return (int) SegmentSlotBackend.INT.getVolatile(segment, NOTIFY_OFFSET);
    }

    void wake() {
        wakeCalls.increment();
        PosixLibc.futexWake(notifyAddress);
    }

    /** The extended ring itself, without this class's checks (tests); null on a plain reference segment. */
    Ring extendedRing() {
        return extended;
    }

    /** The shared waiting mask (tests); 0 on a plain reference segment. */
    long waitingMask() {
        return extended == null ? 0 : extended.waitingMask();
    }

    /** The shared count of waiters without a waiter entry (tests); 0 on a plain reference segment. */
    int anonymousWaiters() {
        return extended == null ? 0 : extended.anonymousWaiters();
    }

    /** FUTEX_WAKE system calls made by this instance (tests: no call while nobody waits). */
    long wakeCalls() {
        return wakeCalls.sum();
    }

    private final java.util.concurrent.atomic.LongAdder wakeCalls = new java.util.concurrent.atomic.LongAdder();

    /**
     * {@code FUTEX_WAIT} system calls this instance made: how often a thread blocked in the kernel
     * on the notify word (also on a plain reference segment, whose writer wakes it).
     */
    public long futexWaits() {
        return waitCalls.sum();
    }

    private final java.util.concurrent.atomic.LongAdder waitCalls = new java.util.concurrent.atomic.LongAdder();

    // ================================================================== faults

    /** Reads the mapping's last page: faults (safely, as an InternalError) if the file shrank. */
    private void probe() {
        segment.get(ValueLayout.JAVA_BYTE, mappedSize - 1);
    }

    private void faulted(String message, Throwable cause) {
        if (fault == null) {
            fault = message;
        }
        release(false);
    }

    /** Turns a fault or a race with close into the exception the caller should see. */
    private RuntimeException translate(Throwable t) {
        if (t instanceof InternalError) {
            long size = -1;
            try {
                size = channel.isOpen() ? channel.size() : -1;
            } catch (IOException ignored) {
                // reported below as unknown size
            }
            String message = size >= 0 && size < mappedSize
                    ? "segment " + path + " was truncated by another process to " + size + " bytes; its layout needs "
                            + mappedSize
                    : "memory fault in segment " + path + " (file size=" + size + ", mapped=" + mappedSize + ")";
            faulted(message, t);
            return new SegmentFormatException(message, t);
        }
        if (fault != null && t instanceof IllegalStateException) {
            return new SegmentFormatException(fault + "; " + this + " is closed", t);
        }
        if (t instanceof IllegalStateException && !(t instanceof FlatDataException) && (closed || !segment.scope().isAlive())
                && !(t instanceof BackendClosedException)) {
            BackendClosedException e = new BackendClosedException(description);
            e.initCause(t);
            return e;
        }
        if (t instanceof RuntimeException r) {
            return r;
        }
        throw (Error) t;
    }

    private void checkWriter() {
        if (!writer) {
            throw new IllegalStateException(description + " was opened for reading: only its creator (or a writer that"
                    + " took it over with open(name).asWriter()) writes");
        }
    }

    // ================================================================== SlotBackend: writer

    /** {@inheritDoc} */
    @Override
    public int reserveSlot(int activeReadersMask) {
        checkWriter();
        try {
            return ring.reserveSlot(activeReadersMask);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public int reserveSlot() {
        checkWriter();
        try {
            return ring.reserveSlot();
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public int reserveSlotNoWait() {
        checkWriter();
        try {
            return ring.reserveSlotNoWait();
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public long commitSlot(int slot, MemorySegment bytes) {
        checkWriter();
        try {
            return ring.commitSlot(slot, bytes);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public long commitSlot(int slot, byte[] bytes, int offset, int length) {
        checkWriter();
        try {
            return ring.commitSlot(slot, bytes, offset, length);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public void discardSlot(int slot) {
        checkWriter();
        try {
            ring.discardSlot(slot);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public void markEndOfStream() {
        checkWriter();
        try {
            ring.markEndOfStream();
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public long endOfStreamSequence() {
        try {
            return ring.endOfStreamSequence();
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public MemorySegment slotDataPtr(int slot) {
        checkWriter();
        try {
            return ring.slotDataPtr(slot);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public long commitInPlace(int slot, int length) {
        checkWriter();
        try {
            return ring.commitInPlace(slot, length);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    // ================================================================== SlotBackend: reader

    /** {@inheritDoc} */
    @Override
    public SlotSample readSlot(int slot) {
        try {
            return ring.readSlot(slot);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public MemorySegment slotReadPtr(int slot) {
        try {
            return ring.slotReadPtr(slot);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public MemorySegment slotReadArea(int slot) {
        try {
            return ring.slotReadArea(slot);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public int slotReadSize(int slot) {
        try {
            return ring.slotReadSize(slot);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public int nextUnreadSlot(int reader) {
        try {
            return ring.nextUnreadSlot(reader);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public int nextUnreadSlot(int reader, long sequence) {
        try {
            return ring.nextUnreadSlot(reader, sequence);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public long slotSequence(int slot) {
        try {
            return ring.slotSequence(slot);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public void markRead(int slot, int reader) {
        try {
            ring.markRead(slot, reader);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public void markReaderDisconnected(int reader) {
        try {
            probe();
            ring.markReaderDisconnected(reader);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    // ================================================================== SlotBackend: registry

    /** {@inheritDoc} A reader attached here is kept alive by this process's lease thread until detached. */
    @Override
    public int attachReader() {
        try {
            probe();
            int r;
            try {
                r = ring.attachReader();
            } catch (ReaderLimitException full) {
                if (!freeDeadReaders()) {
                    throw full;
                }
                r = ring.attachReader();
            }
            return attachedLocally(r);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public int attachReader(int reader) {
        try {
            probe();
            int r;
            try {
                r = ring.attachReader(reader);
            } catch (ReaderLimitException taken) {
                if (!freeDeadReaders()) {
                    throw taken;
                }
                r = ring.attachReader(reader);
            }
            return attachedLocally(r);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    private int attachedLocally(int r) {
        if (extended != null) {
            localEpochs[r] = (int) SegmentSlotBackend.INT.getAcquire(segment, extended.readerEntry(r) + READER_EPOCH_OFFSET);
        }
        localReaders.getAndUpdate(m -> m | (1 << r));
        return r;
    }

    /** Frees registry entries whose process is gone; true when one was freed. */
    private boolean freeDeadReaders() {
        if (extended == null) {
            return false;
        }
        boolean any = false;
        for (int r = 0; r < MAX_READERS; r++) {
            int state = extended.readerState(r);
            if (state == READER_FREE) {
                continue;
            }
            long entry = extended.readerEntry(r);
            int pid = (int) SegmentSlotBackend.INT.getAcquire(segment, entry + READER_PID_OFFSET);
            long start = (long) SegmentSlotBackend.LONG.getAcquire(segment, entry + READER_START_TIME_OFFSET);
            if (pid != 0 && !ProcessIdentity.isCurrent(pid, start) && !ProcessIdentity.isAlive(pid, start)) {
                extended.markReaderDisconnected(r);
                extended.detachReader(r);
                any = true;
            }
        }
        return any;
    }

    /** {@inheritDoc} */
    @Override
    public void detachReader(int reader) {
        try {
            probe();
            ring.detachReader(reader);
            localReaders.getAndUpdate(m -> m & ~(1 << reader));
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} On a plain reference segment: the readers attached through this instance. */
    @Override
    public int activeReaders() {
        try {
            return ring.activeReaders();
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public long readerStartSequence(int reader) {
        try {
            return ring.readerStartSequence(reader);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    // ================================================================== geometry

    /** {@inheritDoc} */
    @Override
    public int slotCount() {
        return ring.slotCount();
    }

    /** {@inheritDoc} */
    @Override
    public int slotTotalSize() {
        return ring.slotTotalSize();
    }

    /** {@inheritDoc} On a plain reference segment: {@code slot_total_size - 16}, the most a slot can hold. */
    @Override
    public int slotCapacity() {
        return ring.slotCapacity();
    }

    /** {@inheritDoc} */
    @Override
    public Optional<byte[]> typeHash() {
        try {
            return ring.typeHash();
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    // ================================================================== notify

    /** {@inheritDoc} */
    @Override
    public void wakeAll() {
        try {
            ring.wakeAll();
        } catch (IllegalStateException | InternalError e) {
            if (closed) {
                return; // raced the close, which woke everyone: a no-op, as once closed
            }
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public long notifyGeneration() {
        try {
            return ring.notifyGeneration();
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public boolean waitForChange(long last, long timeoutNanos) {
        try {
            return ring.waitForChange(last, timeoutNanos);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    // ================================================================== POSIX specifics

    /** The object name, without the leading {@code /}. */
    public String name() {
        return name;
    }

    /** The file under {@code /dev/shm}. */
    public Path path() {
        return path;
    }

    /** True when the segment has no extension region: a read-only consumer of a reference writer's ring. */
    public boolean isReferenceSegment() {
        return reference != null;
    }

    /** True for the creator, or for a writer that took the segment over. */
    public boolean isWriter() {
        return writer;
    }

    /** Loans of a dead writer reclaimed when this writer took the segment over (0 otherwise). */
    public int reclaimedLoans() {
        return reclaimedLoans;
    }

    /** The reader lease in milliseconds, as recorded in the segment. */
    public long leaseMillis() {
        return leaseMillis;
    }

    // ================================================================== lifecycle

    /** {@inheritDoc} */
    @Override
    public boolean isClosed() {
        return closed;
    }

    /** {@inheritDoc} */
    @Override
    public void close() {
        release(owner && !keepOnClose);
    }

    private void release(boolean unlink) {
        synchronized (lifecycle) {
            if (!closed) {
                closed = true;
                if (heartbeat != null) {
                    heartbeat.cancel(false);
                }
                boolean mapped = fault == null;
                if (mapped) {
                    try {
                        probe();
                        for (int bits = localReaders.getAndSet(0); bits != 0; bits &= bits - 1) {
                            ring.detachReader(Integer.numberOfTrailingZeros(bits));
                        }
                        if (writer && extended != null) {
                            SegmentSlotBackend.INT.setRelease(segment, extended.ext + EXT_WRITER_STATE_OFFSET, WRITER_NONE);
                        }
                    } catch (IllegalStateException | InternalError ignored) {
                        // the mapping is unusable; release it anyway
                    }
                }
                try {
                    if (extended != null) {
                        extended.markClosed();
                    } else {
                        reference.markClosed();
                    }
                } catch (IllegalStateException | InternalError ignored) {
                    // waiters are released by their time slice
                }
                // threads of this process blocked in FUTEX_WAIT leave before the mapping goes away
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (localWaiters.get() != 0 && System.nanoTime() < until) {
                    wake();
                    Thread.onSpinWait();
                    Thread.yield();
                }
                mapping.close();
                PosixLibc.close(lockFd);
                closeQuietly(channel);
            }
            if (unlink && !unlinked) {
                unlinked = true;
                try {
                    // only our own object: a segment that replaced ours under the same name stays
                    if (fileKey.equals(checkFile(path, true))) {
                        Files.deleteIfExists(path);
                    }
                    if (flink != null) {
                        Files.deleteIfExists(flink);
                    }
                } catch (IOException ignored) {
                    // already gone
                }
            }
        }
    }

    @Override
    public String toString() {
        return description;
    }

    // ================================================================== the rings

    /** The extended ring: {@link SegmentSlotBackend} with futex waiting and lease-based reclaim. */
    static final class Ring extends SegmentSlotBackend {
        private final PosixSlotBackend outer;

        Ring(PosixSlotBackend outer, SegmentMapping mapping, int slotCount, int capacity) {
            super(mapping.views, mapping.mapping, slotCount, capacity);
            this.outer = outer;
        }

        @Override
        public boolean waitForChange(long last, long timeoutNanos) {
            checkOpen();
            checkTimeout(timeoutNanos);
            int expected = (int) last;
            if (generation() != expected) {
                return true;
            }
            if (timeoutNanos == 0) {
                return false;
            }
            // Dekker with signalChange: addWaiter (a full-fence RMW) then re-check the word, which
            // FUTEX_WAIT compares atomically again in the kernel; the notifier bumps the word then
            // reads the count. Either the notifier sees us and wakes, or we see its bump.
            return outer.futexWait(expected, timeoutNanos, this);
        }

        @Override
        void wakeWaiters() {
            outer.wake();
        }

        @Override
        boolean reclaimStalledReaders(int missing) {
            return outer.reclaimStalledReaders(missing);
        }

        @Override
        public void close() {
            outer.close();
        }

        @Override
        public String toString() {
            return outer.description;
        }
    }

    // ================================================================== builders

    /** Settings of a new segment. */
    public static final class CreateBuilder {
        private final String name;
        private int slotCount = 16;
        private int slotCapacity = -1;
        private byte[] typeHash;
        private long typeSize;
        private long initialSequence;
        private int leaseMillis = (int) DEFAULT_LEASE.toMillis();
        private boolean groupAccess;
        private boolean keepOnClose;
        private Path flink;
        private boolean wakeOnEveryChange;

        private CreateBuilder(String name) {
            this.name = name;
        }

        /** Number of slots, 1..2^20 (default 16). */
        public CreateBuilder slotCount(int slotCount) {
            SegmentLayout.checkSlotCount(slotCount);
            this.slotCount = slotCount;
            return this;
        }

        /** Payload bytes per slot (default: the type's size with {@link #type}, else 256). */
        public CreateBuilder slotCapacity(int slotCapacity) {
            SegmentLayout.checkCapacity(slotCapacity);
            this.slotCapacity = slotCapacity;
            return this;
        }

        /** Carries the type hash of {@code type}; without an explicit capacity, slots hold exactly one sample of it. */
        public CreateBuilder type(FlatType<?> type) {
            this.typeHash = type.typeHash();
            this.typeSize = type.byteSize();
            return this;
        }

        /** A raw 16-byte type hash (null: untyped). */
        public CreateBuilder typeHash(byte[] hash) {
            SegmentLayout.checkTypeHash(hash);
            this.typeHash = hash == null ? null : hash.clone();
            return this;
        }

        /** The first sequence number (default 0). */
        public CreateBuilder initialSequence(long initialSequence) {
            if (initialSequence < 0) {
                throw new IllegalArgumentException("initialSequence=" + initialSequence + " must be >= 0");
            }
            this.initialSequence = initialSequence;
            return this;
        }

        /** How long a reader may miss heartbeats before the writer disconnects it (default 5 s). */
        public CreateBuilder leaseTimeout(Duration lease) {
            long ms = lease.toMillis();
            if (ms < 1 || ms > MAX_LEASE_MILLIS) {
                throw new IllegalArgumentException("lease=" + lease + " outside [1 ms, 1 h]");
            }
            this.leaseMillis = (int) ms;
            return this;
        }

        /** Mode 0660 instead of 0600: processes of the owner's group may open the segment. */
        public CreateBuilder groupAccess() {
            this.groupAccess = true;
            return this;
        }

        /** Leave the object in {@code /dev/shm} on close (a later writer can take it over). */
        public CreateBuilder keepOnClose() {
            this.keepOnClose = true;
            return this;
        }

        /** Also write a reference-style flink file holding {@code /NAME}; deleted with the segment. */
        public CreateBuilder flink(Path flinkFile) {
            this.flink = Objects.requireNonNull(flinkFile, "flinkFile");
            return this;
        }

        /**
         * Wake the notify word's futex on every change, as the reference writer does, not only when
         * a waiter is marked in the segment: for readers that park on the word without marking
         * themselves (the reference crate's consumers). Costs a system call per commit and free.
         */
        public CreateBuilder wakeOnEveryChange() {
            this.wakeOnEveryChange = true;
            return this;
        }

        /**
         * Creates the segment. An existing segment whose writer is dead is replaced by a fresh one.
         *
         * @throws SegmentAccessException when a segment of that name exists and its writer is
         *                                alive, or it belongs to another user
         */
        public PosixSlotBackend build() {
            slotCapacity = SegmentLayout.defaultCapacity(slotCapacity, typeSize);
            SegmentLayout.checkGeometry(slotCount, slotCapacity);
            return createSegment(this);
        }
    }

    /** Settings for opening an existing segment. */
    public static final class OpenBuilder {
        private final String name;
        private byte[] typeHash;
        private String typeText;
        private boolean allowForeignOwner;
        private boolean asWriter;
        private boolean keepOnClose;

        private OpenBuilder(String name) {
            this.name = name;
        }

        /** Refuse the segment unless it carries {@code type}'s hash ({@link TypeMismatchException}). */
        public OpenBuilder type(FlatType<?> type) {
            this.typeHash = type.typeHash();
            this.typeText = type.canonicalText();
            return this;
        }

        /** Refuse the segment unless it carries this 16-byte hash. */
        public OpenBuilder typeHash(byte[] hash) {
            SegmentLayout.checkTypeHash(hash);
            this.typeHash = hash == null ? null : hash.clone();
            this.typeText = null;
            return this;
        }

        /** Accept a segment owned by another uid (by default refused). */
        public OpenBuilder allowForeignOwner() {
            this.allowForeignOwner = true;
            return this;
        }

        /**
         * Open as the segment's writer, taking over from a dead one: its loans are reclaimed,
         * everything it committed stays deliverable, sequence numbers continue. Refused while the
         * previous writer is alive. The new writer owns the segment: it unlinks it on close, as
         * its creator would, unless {@link #keepOnClose()}.
         */
        public OpenBuilder asWriter() {
            this.asWriter = true;
            return this;
        }

        /** With {@link #asWriter()}: leave the object in {@code /dev/shm} on close (readers ignore it). */
        public OpenBuilder keepOnClose() {
            this.keepOnClose = true;
            return this;
        }

        /**
         * Opens and validates the segment.
         *
         * @throws SegmentAccessException when it does not exist, is not ours, or cannot be opened
         * @throws SegmentFormatException when its contents are not a valid segment
         * @throws TypeMismatchException  when it carries another type hash than requested
         */
        public PosixSlotBackend build() {
            return openSegment(this);
        }
    }
}
