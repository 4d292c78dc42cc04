package io.zerodds.flatdata;

import static io.zerodds.flatdata.ReaderEntryDescriptor.READER_ENTRY_SIZE;
import static io.zerodds.flatdata.SlotDescriptor.SLOT_HEADER_SIZE;
import static io.zerodds.flatdata.SlotDescriptor.putSequenceHigh;
import static io.zerodds.flatdata.SlotDescriptor.sequenceHigh;
import static io.zerodds.flatdata.WaiterEntryDescriptor.WAITER_ENTRY_SIZE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The descriptor of a flatdata segment: where everything is (the segment header, the slot array,
 * the extension region and each of its tables), the segment header's and the extension region's
 * own fields, state values and checks, and the one way each of those fields is loaded and stored.
 * What a slot, a reader entry and a waiter entry hold is described, and accessed, by
 * {@link SlotDescriptor}, {@link ReaderEntryDescriptor} and {@link WaiterEntryDescriptor}. Nobody
 * else writes a raw offset or chooses a field's memory order: the ring code
 * ({@code SegmentSlotBackend}, its reader registry and waiter table, the POSIX recovery and lease
 * code, the reference consumer) works on a segment it does not own through the static accessors
 * of these four descriptors.
 *
 * <p>The first 0x20 bytes and every slot header are byte-compatible with the ZeroDDS reference
 * (host byte order, little-endian on x86_64 and aarch64). What the reference lacks lives in an
 * <em>extension region</em> after the slot array; its presence and offset are announced in the
 * reference's reserved bytes 0x14..0x1F (all zero there = a plain reference segment).
 *
 * <pre>
 * segment header (reference)
 * 0x00 +--------------+--------------+-----------------+--------------+
 *      | magic "ZDSS" | slot_count   | slot_total_size | next_sn lo32 |
 * 0x10 +--------------+--------------+-----------------+--------------+
 *      | notify gen   | ext magic    | ext offset      | ext length   |   (ext fields: 0 in a plain
 * 0x20 +--------------+--------------+-----------------+--------------+    reference segment)
 *      | slot 0 ... slot n-1, each slot_total_size = align_up(16 + capacity, 64) bytes
 *      |   (a 16-byte slot header, then the payload: {@link SlotDescriptor})
 *
 * extension region (64-byte aligned, after the slot array)
 * E+0x000 u32 layout version | u32 slot capacity | u32 flags | u32 descriptor crc32c (POSIX; 0 in memory)
 * E+0x010 16 bytes type hash (all zero = untyped)
 * E+0x020 u32 writer pid | u32 0 | u64 writer start time (epoch ms) | u64 writer heartbeat (epoch ms)
 *         u32 writer state | u32 0
 * E+0x040 u64 next sequence (64-bit; its low half mirrors next_sn)            own cache line
 *         u64 end-of-stream sequence (-1 = the stream is open)
 * E+0x080 u32 active reader mask | u32 anonymous waiters | u32 lease ms | u32 writer starved
 *         u64 waiting mask: bit i set while the process in waiter entry i waits   own cache line
 * E+0x0C0 u64 displaced sequence: the latest sample a writer committed, or began     own cache line
 *         to commit, in another slot than the one after its previous commit's, or as its
 *         first commit (-1 = none yet; stored only then, so readers keep the line cached)
 * E+0x100 reader registry: 32 entries of 64 bytes, one cache line each ({@link ReaderEntryDescriptor})
 * E+0x900 waiter table: 64 entries of 16 bytes, one per process blocked in a futex wait
 *         ({@link WaiterEntryDescriptor})
 * E+0xD00 loan table: slot_count u32 loan words (odd = loaned to the writer), padded to 64 bytes
 * L       sequence-high table: slot_count u32, the high 32 bits of each slot's sequence
 *         (L = E + 0xD00 + align_up(4 * slot_count, 64); written only when they change)
 * </pre>
 *
 * <h2>Accessors and memory order</h2>
 * Each accessor takes the segment and the offset, within it, of the structure the field belongs
 * to: {@code ring} (the segment header, the ring's first byte) or {@code ext} (the extension
 * region, {@link #extensionOffset}); the other descriptors' accessors take a slot header, a table,
 * a reader entry or a waiter entry the same way. A caller that addresses all memory with one
 * unchecked segment passes the ring's address plus the offset. The suffix names the memory order
 * in all four descriptors ({@code Acquire} loads pair with {@code Release} stores; {@code Volatile}
 * and the read-modify-writes are sequentially consistent; no suffix is a plain access):
 * <table>
 *   <caption>Fields and the orders they are accessed with</caption>
 *   <tr><th>field</th><th>loads</th><th>stores</th></tr>
 *   <tr><td>magic, ext magic</td><td>(validated from the file)</td><td>release, last of a format</td></tr>
 *   <tr><td>next_sn</td><td>acquire</td><td>release</td></tr>
 *   <tr><td>notify generation</td><td>volatile</td><td>atomic increment</td></tr>
 *   <tr><td>next, end-of-stream, displaced sequence</td><td>acquire (next also volatile)</td><td>release</td></tr>
 *   <tr><td>active mask, waiting mask</td><td>acquire / volatile</td><td>atomic or / and</td></tr>
 *   <tr><td>anonymous waiters</td><td>volatile</td><td>atomic add</td></tr>
 *   <tr><td>writer starved</td><td>acquire, volatile</td><td>volatile (1), release (0)</td></tr>
 *   <tr><td>writer pid, start time</td><td>(validated from the file)</td><td>plain, published by the writer state's release</td></tr>
 *   <tr><td>writer heartbeat</td><td>(file)</td><td>plain at creation, release by the lease thread</td></tr>
 * </table>
 * The accessors are static and allocate nothing: the JIT compiles each to the one load or store.
 */
public final class SegmentLayout {
    private SegmentLayout() {
    }

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    /** "ZDSS", read as a host-endian u32. */
    public static final int MAGIC = 0x5A445353;
    /** "FDX1": announces the extension region in the reserved header bytes. */
    public static final int EXTENSION_MAGIC = 0x31584446;
    public static final int LAYOUT_VERSION = 4;
    public static final int MAX_READERS = 32;
    public static final int CACHE_LINE = 64;

    // ---- segment header (reference) ----
    public static final long MAGIC_OFFSET = 0x00;
    public static final long SLOT_COUNT_OFFSET = MAGIC_OFFSET + 4;
    public static final long SLOT_TOTAL_SIZE_OFFSET = SLOT_COUNT_OFFSET + 4;
    public static final long NEXT_SN_OFFSET = SLOT_TOTAL_SIZE_OFFSET + 4;
    public static final long NOTIFY_OFFSET = NEXT_SN_OFFSET + 4;
    public static final long EXT_MAGIC_OFFSET = NOTIFY_OFFSET + 4;
    public static final long EXT_OFFSET_OFFSET = EXT_MAGIC_OFFSET + 4;
    public static final long EXT_LENGTH_OFFSET = EXT_OFFSET_OFFSET + 4;
    public static final long SLOTS_OFFSET = EXT_LENGTH_OFFSET + 4;

    // ---- extension region, relative to its start ----
    public static final long EXT_VERSION_OFFSET = 0x000;
    public static final long EXT_CAPACITY_OFFSET = EXT_VERSION_OFFSET + 4;
    public static final long EXT_FLAGS_OFFSET = EXT_CAPACITY_OFFSET + 4;
    /**
     * CRC32C of the fields fixed at creation (see {@link #descriptorCrc}): a
     * damaged descriptor is refused.
     */
    public static final long EXT_DESCRIPTOR_CRC_OFFSET = EXT_FLAGS_OFFSET + 4;
    public static final long EXT_TYPE_HASH_OFFSET = EXT_DESCRIPTOR_CRC_OFFSET + 4;
    public static final int TYPE_HASH_LENGTH = 16;
    public static final long EXT_WRITER_PID_OFFSET = EXT_TYPE_HASH_OFFSET + TYPE_HASH_LENGTH;
    public static final long EXT_WRITER_START_OFFSET = EXT_WRITER_PID_OFFSET + 8;
    public static final long EXT_WRITER_HEARTBEAT_OFFSET = EXT_WRITER_START_OFFSET + 8;
    public static final long EXT_WRITER_STATE_OFFSET = EXT_WRITER_HEARTBEAT_OFFSET + 8;
    public static final long EXT_NEXT_SEQUENCE_OFFSET = 0x040;
    public static final long EXT_END_SEQUENCE_OFFSET = EXT_NEXT_SEQUENCE_OFFSET + 8;
    public static final long EXT_ACTIVE_MASK_OFFSET = EXT_NEXT_SEQUENCE_OFFSET + CACHE_LINE;
    public static final long EXT_WAITERS_OFFSET = EXT_ACTIVE_MASK_OFFSET + 4;
    public static final long EXT_LEASE_OFFSET = EXT_WAITERS_OFFSET + 4;
    /** The end (exclusive) of the u32 lease field: the last bytes the descriptor checksum covers. */
    public static final long EXT_LEASE_END = EXT_LEASE_OFFSET + 4;
    /** 1 while the writer's last reserve found no free slot: only then does a markRead signal. */
    public static final long EXT_WRITER_STARVED_OFFSET = EXT_LEASE_END;
    /**
     * Bit i is set while a thread of the process that holds waiter entry i is blocked in a futex
     * wait: a notifier that finds this word and the anonymous waiter count zero makes no system
     * call. Unlike a count, it can be repaired when its owner dies: the entry names the process.
     */
    public static final long EXT_WAITING_MASK_OFFSET = EXT_WRITER_STARVED_OFFSET + 4;
    /**
     * The sequence of the latest sample a writer put in another slot than the one after its
     * previous commit's, or committed first after it opened the ring. Stored before that commit
     * (a writer that dies in between leaves it ahead of the samples), so a reader that finds its
     * next sample neither in that slot nor announced here knows it is not committed yet (see
     * nextUnreadSlot).
     */
    public static final long EXT_DISPLACED_SEQUENCE_OFFSET = EXT_ACTIVE_MASK_OFFSET + CACHE_LINE;
    public static final long EXT_REGISTRY_OFFSET = EXT_DISPLACED_SEQUENCE_OFFSET + CACHE_LINE;
    public static final long EXT_WAITER_TABLE_OFFSET = EXT_REGISTRY_OFFSET + MAX_READERS * READER_ENTRY_SIZE;
    /** Processes that can wait at once with a repairable entry; more wait anonymously (counted). */
    public static final int WAITER_ENTRIES = Long.SIZE;
    public static final long EXT_SLOT_TABLE_OFFSET = EXT_WAITER_TABLE_OFFSET + WAITER_ENTRIES * WAITER_ENTRY_SIZE;
    public static final long LOAN_WORD_SIZE = 4;
    public static final long SEQUENCE_HIGH_SIZE = 4;

    // ---- flags ----
    /** The flags value of a typed ring (its type hash is set); 0 = untyped. */
    public static final int FLAG_TYPED = 1;

    // ---- writer states ----
    public static final int WRITER_NONE = 0;
    public static final int WRITER_OPEN = 1;

    /** Largest capacity we accept: keeps every offset of a slot inside a u32. */
    public static final int MAX_CAPACITY = (1 << 30) - 64;
    /** The slot capacity of a builder given neither a capacity nor a type. */
    public static final int DEFAULT_CAPACITY = 256;
    public static final int MAX_SLOT_COUNT = 1 << 20;

    // ================================================================== geometry

    public static long alignUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }

    /** {@code align_up(16 + capacity, 64)}, as the reference computes it. */
    public static int slotTotalSize(int capacity) {
        return (int) alignUp(SLOT_HEADER_SIZE + capacity, CACHE_LINE);
    }

    /** The slot header of {@code slot}, relative to the ring's first byte. */
    public static long slotOffset(int slot, int slotTotalSize) {
        return SLOTS_OFFSET + (long) slot * slotTotalSize;
    }

    /** The payload capacity of a slot of {@code slotTotalSize} bytes (header included). */
    public static int payloadCapacity(int slotTotalSize) {
        return slotTotalSize - (int) SLOT_HEADER_SIZE;
    }

    public static long extensionOffset(int slotCount, int slotTotalSize) {
        return alignUp(SLOTS_OFFSET + (long) slotCount * slotTotalSize, CACHE_LINE);
    }

    public static long extensionLength(int slotCount) {
        return alignUp(sequenceHighTableOffset(slotCount) + slotCount * SEQUENCE_HIGH_SIZE, CACHE_LINE);
    }

    /** The loan word of {@code slot}, relative to the extension region. */
    public static long loanWordOffset(int slot) {
        return EXT_SLOT_TABLE_OFFSET + slot * LOAN_WORD_SIZE;
    }

    /**
     * The sequence-high table, relative to the extension region: on other cache lines than the
     * loan words, which the writer stores at every loan and commit, so that readers keep it cached.
     */
    public static long sequenceHighTableOffset(int slotCount) {
        return EXT_SLOT_TABLE_OFFSET + alignUp(slotCount * LOAN_WORD_SIZE, CACHE_LINE);
    }

    /** Reader entry {@code reader} of the registry of the extension region at {@code ext}. */
    public static long readerEntryOffset(long ext, int reader) {
        return ext + EXT_REGISTRY_OFFSET + reader * READER_ENTRY_SIZE;
    }

    /** Waiter entry {@code entry} of the waiter table of the extension region at {@code ext}. */
    public static long waiterEntryOffset(long ext, int entry) {
        return ext + EXT_WAITER_TABLE_OFFSET + entry * WAITER_ENTRY_SIZE;
    }

    /** Bytes of a whole extended segment. */
    public static long segmentSize(int slotCount, int capacity) {
        int total = slotTotalSize(capacity);
        return extensionOffset(slotCount, total) + extensionLength(slotCount);
    }

    /** Bytes of a plain reference segment (header and slots, no extension). */
    public static long referenceSegmentSize(int slotCount, int slotTotalSize) {
        return SLOTS_OFFSET + (long) slotCount * slotTotalSize;
    }

    // ================================================================== validators

    public static void checkSlotCount(int slotCount) {
        if (!isSlotCount(slotCount)) {
            throw new IllegalArgumentException(
                    "slotCount=" + slotCount + " outside [1, " + MAX_SLOT_COUNT + "]");
        }
    }

    public static void checkCapacity(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException(
                    "slotCapacity=" + capacity + " outside [1, " + MAX_CAPACITY + "]");
        }
    }

    /**
     * The slot capacity a builder uses: {@code explicit} when set (positive), else the type's size
     * when a type was given ({@code typeSize > 0}), else {@value #DEFAULT_CAPACITY} bytes. Every
     * backend's builder calls this, so a typed ring has the same slots whichever backend holds it.
     *
     * @throws SampleTooLargeException when an explicit capacity cannot hold one sample of the type
     */
    public static int defaultCapacity(int explicit, long typeSize) {
        int capacity = explicit > 0 ? explicit : typeSize > 0 ? (int) Math.min(typeSize, Integer.MAX_VALUE) : DEFAULT_CAPACITY;
        checkCapacity(capacity);
        if (typeSize > capacity) {
            throw new SampleTooLargeException(typeSize, capacity);
        }
        return capacity;
    }

    /**
     * The header announces the extension region with a u32 offset: a ring whose slots end past
     * 4 GiB could be created but never opened again.
     */
    public static void checkGeometry(int slotCount, int capacity) {
        long end = extensionOffset(slotCount, slotTotalSize(capacity));
        if (end > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("slotCount=" + slotCount + " x slotCapacity=" + capacity
                    + " needs " + end + " bytes of slots, more than the layout's limit of 4 GiB");
        }
    }

    /**
     * CRC32C over the fields fixed at creation: magic, slot_count, slot_total_size, the extension
     * announcement, layout version, capacity, flags, type hash and lease.
     */
    public static int descriptorCrc(ByteBuffer header, ByteBuffer ext) {
        CRC32C crc = new CRC32C();
        crc.update(header.duplicate().position((int) MAGIC_OFFSET).limit((int) NEXT_SN_OFFSET));
        crc.update(header.duplicate().position((int) EXT_MAGIC_OFFSET).limit((int) SLOTS_OFFSET));
        crc.update(ext.duplicate().position((int) EXT_VERSION_OFFSET).limit((int) EXT_DESCRIPTOR_CRC_OFFSET));
        crc.update(ext.duplicate().position((int) EXT_TYPE_HASH_OFFSET)
                .limit((int) (EXT_TYPE_HASH_OFFSET + TYPE_HASH_LENGTH)));
        crc.update(ext.duplicate().position((int) EXT_LEASE_OFFSET).limit((int) EXT_LEASE_END));
        return (int) crc.getValue();
    }

    public static void checkReaderIndex(int reader) {
        if (reader < 0 || reader >= MAX_READERS) {
            throw new IllegalArgumentException(
                    "reader index=" + reader + " outside [0, " + (MAX_READERS - 1) + "]");
        }
    }

    public static void checkTypeHash(byte[] hash) {
        if (hash != null && hash.length != TYPE_HASH_LENGTH) {
            throw new IllegalArgumentException(
                    "type hash length=" + hash.length + " must be " + TYPE_HASH_LENGTH);
        }
    }

    /** Whether {@code slotCount} is in [1, {@link #MAX_SLOT_COUNT}]. */
    public static boolean isSlotCount(int slotCount) {
        return slotCount >= 1 && slotCount <= MAX_SLOT_COUNT;
    }

    /** Whether a header's slot_total_size can be a layout's: a multiple of 64 that holds a payload. */
    public static boolean isSlotTotalSize(int total) {
        return total > SLOT_HEADER_SIZE && total % CACHE_LINE == 0 && total <= slotTotalSize(MAX_CAPACITY);
    }

    /** Whether an extension's slot capacity is in range and adds up to the header's slot_total_size. */
    public static boolean isCapacity(int capacity, int slotTotalSize) {
        return capacity >= 1 && capacity <= MAX_CAPACITY && slotTotalSize(capacity) == slotTotalSize;
    }

    /** Whether {@code state} is a writer state ({@link #WRITER_NONE} or {@link #WRITER_OPEN}). */
    public static boolean isWriterState(int state) {
        return state == WRITER_NONE || state == WRITER_OPEN;
    }

    // ================================================================== format

    /**
     * Writes a fresh, empty ring into {@code segment}: header, zeroed slots, extension region,
     * this process as its writer. The segment must be {@link #segmentSize} bytes; it is zero-filled.
     * The magic goes last (release): a consumer that sees it sees a complete header.
     */
    static void format(MemorySegment segment, int slotCount, int capacity, byte[] typeHash,
                       long initialSequence, int leaseMillis) {
        int total = slotTotalSize(capacity);
        long ext = extensionOffset(slotCount, total);
        segment.fill((byte) 0);
        segment.set(ValueLayout.JAVA_INT, SLOT_COUNT_OFFSET, slotCount);
        segment.set(ValueLayout.JAVA_INT, SLOT_TOTAL_SIZE_OFFSET, total);
        segment.set(ValueLayout.JAVA_INT, NEXT_SN_OFFSET, (int) initialSequence);
        int high = sequenceHigh(initialSequence);
        long table = ext + sequenceHighTableOffset(slotCount);
        for (int slot = 0; high != 0 && slot < slotCount; slot++) {
            // the high half the next commits use (the fill wrote 0): no store per commit
            putSequenceHigh(segment, table, slot, high);
        }
        segment.set(ValueLayout.JAVA_INT, EXT_OFFSET_OFFSET, (int) ext);
        segment.set(ValueLayout.JAVA_INT, EXT_LENGTH_OFFSET, (int) extensionLength(slotCount));
        segment.set(ValueLayout.JAVA_INT, ext + EXT_VERSION_OFFSET, LAYOUT_VERSION);
        segment.set(ValueLayout.JAVA_INT, ext + EXT_CAPACITY_OFFSET, capacity);
        if (typeHash != null) {
            MemorySegment.copy(typeHash, 0, segment, ValueLayout.JAVA_BYTE,
                    ext + EXT_TYPE_HASH_OFFSET, TYPE_HASH_LENGTH);
            segment.set(ValueLayout.JAVA_INT, ext + EXT_FLAGS_OFFSET, FLAG_TYPED);
        }
        segment.set(ValueLayout.JAVA_INT, ext + EXT_LEASE_OFFSET, leaseMillis);
        putWriter(segment, ext, ProcessIdentity.CURRENT_PID, ProcessIdentity.CURRENT_START_MILLIS,
                System.currentTimeMillis());
        segment.set(ValueLayout.JAVA_INT, ext + EXT_WRITER_STATE_OFFSET, WRITER_OPEN);
        putNextSequenceRelease(segment, ext, initialSequence);
        putEndSequenceRelease(segment, ext, -1L);
        putDisplacedSequenceRelease(segment, ext, -1L);
        INT.setRelease(segment, EXT_MAGIC_OFFSET, EXTENSION_MAGIC);
        INT.setRelease(segment, MAGIC_OFFSET, MAGIC);
    }

    // ================================================================== segment header

    // Fields fixed at creation (before the magic's release store): plain loads once the magic was
    // read with acquire ordering (magicAcquire).

    public static int magicAcquire(MemorySegment segment) {
        return (int) INT.getAcquire(segment, MAGIC_OFFSET);
    }

    public static int extensionMagic(MemorySegment segment) {
        return segment.get(ValueLayout.JAVA_INT, EXT_MAGIC_OFFSET);
    }

    public static int slotCount(MemorySegment segment) {
        return segment.get(ValueLayout.JAVA_INT, SLOT_COUNT_OFFSET);
    }

    public static int slotTotalSize(MemorySegment segment) {
        return segment.get(ValueLayout.JAVA_INT, SLOT_TOTAL_SIZE_OFFSET);
    }

    /** The extension region's offset as the header announces it (0 in a plain reference segment). */
    public static long extensionOffset(MemorySegment segment) {
        return Integer.toUnsignedLong(segment.get(ValueLayout.JAVA_INT, EXT_OFFSET_OFFSET));
    }

    public static int layoutVersion(MemorySegment segment, long ext) {
        return segment.get(ValueLayout.JAVA_INT, ext + EXT_VERSION_OFFSET);
    }

    public static int capacity(MemorySegment segment, long ext) {
        return segment.get(ValueLayout.JAVA_INT, ext + EXT_CAPACITY_OFFSET);
    }

    // The writer record: written by the writer (and a takeover) before its state's release store.

    public static int writerPidAcquire(MemorySegment segment, long ext) {
        return (int) INT.getAcquire(segment, ext + EXT_WRITER_PID_OFFSET);
    }

    public static long writerStartAcquire(MemorySegment segment, long ext) {
        return (long) LONG.getAcquire(segment, ext + EXT_WRITER_START_OFFSET);
    }

    public static long writerHeartbeatAcquire(MemorySegment segment, long ext) {
        return (long) LONG.getAcquire(segment, ext + EXT_WRITER_HEARTBEAT_OFFSET);
    }

    public static int writerStateAcquire(MemorySegment segment, long ext) {
        return (int) INT.getAcquire(segment, ext + EXT_WRITER_STATE_OFFSET);
    }

    public static int nextSnAcquire(MemorySegment segment, long ring) {
        return (int) INT.getAcquire(segment, ring + NEXT_SN_OFFSET);
    }

    public static void putNextSnRelease(MemorySegment segment, long ring, int nextSn) {
        INT.setRelease(segment, ring + NEXT_SN_OFFSET, nextSn);
    }

    public static int notifyVolatile(MemorySegment segment, long ring) {
        return (int) INT.getVolatile(segment, ring + NOTIFY_OFFSET);
    }

    /** Moves the notify generation on by one (a volatile read-modify-write, a full fence). */
    public static void incrementNotify(MemorySegment segment, long ring) {
        INT.getAndAdd(segment, ring + NOTIFY_OFFSET, 1);
    }

    // ================================================================== extension: descriptor, writer

    public static int flagsAcquire(MemorySegment segment, long ext) {
        return (int) INT.getAcquire(segment, ext + EXT_FLAGS_OFFSET);
    }

    /** The type hash bytes (the caller checks the flags first). */
    public static void copyTypeHash(MemorySegment segment, long ext, byte[] hash) {
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, ext + EXT_TYPE_HASH_OFFSET, hash, 0, TYPE_HASH_LENGTH);
    }

    public static void putDescriptorCrc(MemorySegment segment, long ext, int crc) {
        segment.set(ValueLayout.JAVA_INT, ext + EXT_DESCRIPTOR_CRC_OFFSET, crc);
    }

    public static int leaseMillisAcquire(MemorySegment segment, long ext) {
        return (int) INT.getAcquire(segment, ext + EXT_LEASE_OFFSET);
    }

    /** The writer's identity, plain: published by {@link #putWriterStateRelease}. */
    public static void putWriter(MemorySegment segment, long ext, int pid, long startMillis, long heartbeatMillis) {
        segment.set(ValueLayout.JAVA_INT, ext + EXT_WRITER_PID_OFFSET, pid);
        segment.set(ValueLayout.JAVA_LONG, ext + EXT_WRITER_START_OFFSET, startMillis);
        segment.set(ValueLayout.JAVA_LONG, ext + EXT_WRITER_HEARTBEAT_OFFSET, heartbeatMillis);
    }

    public static void putWriterHeartbeatRelease(MemorySegment segment, long ext, long heartbeatMillis) {
        LONG.setRelease(segment, ext + EXT_WRITER_HEARTBEAT_OFFSET, heartbeatMillis);
    }

    public static void putWriterStateRelease(MemorySegment segment, long ext, int state) {
        INT.setRelease(segment, ext + EXT_WRITER_STATE_OFFSET, state);
    }

    // ================================================================== extension: sequences

    public static long nextSequenceAcquire(MemorySegment segment, long ext) {
        return (long) LONG.getAcquire(segment, ext + EXT_NEXT_SEQUENCE_OFFSET);
    }

    public static long nextSequenceVolatile(MemorySegment segment, long ext) {
        return (long) LONG.getVolatile(segment, ext + EXT_NEXT_SEQUENCE_OFFSET);
    }

    public static void putNextSequenceRelease(MemorySegment segment, long ext, long next) {
        LONG.setRelease(segment, ext + EXT_NEXT_SEQUENCE_OFFSET, next);
    }

    /** The end-of-stream sequence, -1 while the stream is open. */
    public static long endSequenceAcquire(MemorySegment segment, long ext) {
        return (long) LONG.getAcquire(segment, ext + EXT_END_SEQUENCE_OFFSET);
    }

    public static void putEndSequenceRelease(MemorySegment segment, long ext, long end) {
        LONG.setRelease(segment, ext + EXT_END_SEQUENCE_OFFSET, end);
    }

    public static long displacedSequenceAcquire(MemorySegment segment, long ext) {
        return (long) LONG.getAcquire(segment, ext + EXT_DISPLACED_SEQUENCE_OFFSET);
    }

    public static void putDisplacedSequenceRelease(MemorySegment segment, long ext, long sequence) {
        LONG.setRelease(segment, ext + EXT_DISPLACED_SEQUENCE_OFFSET, sequence);
    }

    // ================================================================== extension: masks and counts

    public static int activeMaskAcquire(MemorySegment segment, long ext) {
        return (int) INT.getAcquire(segment, ext + EXT_ACTIVE_MASK_OFFSET);
    }

    public static void orActiveMask(MemorySegment segment, long ext, int bits) {
        INT.getAndBitwiseOr(segment, ext + EXT_ACTIVE_MASK_OFFSET, bits);
    }

    public static void clearActiveMask(MemorySegment segment, long ext, int bits) {
        INT.getAndBitwiseAnd(segment, ext + EXT_ACTIVE_MASK_OFFSET, ~bits);
    }

    public static int anonymousWaitersVolatile(MemorySegment segment, long ext) {
        return (int) INT.getVolatile(segment, ext + EXT_WAITERS_OFFSET);
    }

    public static void addAnonymousWaiters(MemorySegment segment, long ext, int delta) {
        INT.getAndAdd(segment, ext + EXT_WAITERS_OFFSET, delta);
    }

    public static int writerStarvedAcquire(MemorySegment segment, long ext) {
        return (int) INT.getAcquire(segment, ext + EXT_WRITER_STARVED_OFFSET);
    }

    public static int writerStarvedVolatile(MemorySegment segment, long ext) {
        return (int) INT.getVolatile(segment, ext + EXT_WRITER_STARVED_OFFSET);
    }

    /** The writer's "no free slot" flag, set: the caller follows it with a full fence and a second scan. */
    public static void putWriterStarvedVolatile(MemorySegment segment, long ext, int starved) {
        INT.setVolatile(segment, ext + EXT_WRITER_STARVED_OFFSET, starved);
    }

    public static void putWriterStarvedRelease(MemorySegment segment, long ext, int starved) {
        INT.setRelease(segment, ext + EXT_WRITER_STARVED_OFFSET, starved);
    }

    public static long waitingMaskVolatile(MemorySegment segment, long ext) {
        return (long) LONG.getVolatile(segment, ext + EXT_WAITING_MASK_OFFSET);
    }

    public static void orWaitingMask(MemorySegment segment, long ext, long bits) {
        LONG.getAndBitwiseOr(segment, ext + EXT_WAITING_MASK_OFFSET, bits);
    }

    public static void clearWaitingMask(MemorySegment segment, long ext, long bits) {
        LONG.getAndBitwiseAnd(segment, ext + EXT_WAITING_MASK_OFFSET, ~bits);
    }
}
