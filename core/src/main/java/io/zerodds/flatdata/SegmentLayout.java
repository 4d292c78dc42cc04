package io.zerodds.flatdata;

/**
 * Every offset of a flatdata segment, in one place. Nobody else writes a raw offset.
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
 *
 * slot header (reference)
 * +0x00 u32 sequence lo32 | +0x04 u32 sample_size (0 = empty) | +0x08 u32 reader_mask | +0x0C u32 0
 * +0x10 payload (capacity bytes), then padding to a 64-byte multiple
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
 * E+0x100 reader registry: 32 entries of 64 bytes, one cache line each
 *         +0 u32 state | +4 u32 epoch | +8 u32 pid | +12 u32 0 | +16 u64 start time (epoch ms)
 *         +24 u64 heartbeat (epoch ms) | +32 u64 start sequence
 *         +40 u64 disconnector while state is disconnecting (pid << 32 | start time in s) | rest 0
 * E+0x900 waiter table: 64 entries of 16 bytes, one per process blocked in a futex wait
 *         +0 u32 state (low 8 bits: free, claimed, reclaiming) and epoch (the rest)
 *         +4 u32 pid | +8 u64 start time (epoch ms)
 * E+0xD00 loan table: slot_count u32 loan words (odd = loaned to the writer), padded to 64 bytes
 * L       sequence-high table: slot_count u32, the high 32 bits of each slot's sequence
 *         (L = E + 0xD00 + align_up(4 * slot_count, 64); written only when they change)
 * </pre>
 *
 * <p>A slot's sequence lo32 and sample_size form one 64-bit word at +0x00, stored at once: it is
 * the seqlock of the slot. A loan stores it with sample_size 0 before the first payload byte; a
 * commit stores the new sequence and size with one release store. A reader that sees the same
 * non-zero-size word before and after reading has read one whole sample. The word, the reader
 * mask and the first 48 payload bytes share a cache line, so a reader polling the next slot gets
 * all it needs to accept a sample with one line transfer.
 */
final class SegmentLayout {
    private SegmentLayout() {
    }

    /** "ZDSS", read as a host-endian u32. */
    static final int MAGIC = 0x5A445353;
    /** "FDX1": announces the extension region in the reserved header bytes. */
    static final int EXTENSION_MAGIC = 0x31584446;
    static final int LAYOUT_VERSION = 4;
    static final int MAX_READERS = 32;
    static final int CACHE_LINE = 64;

    // ---- segment header (reference) ----
    static final long MAGIC_OFFSET = 0x00;
    static final long SLOT_COUNT_OFFSET = MAGIC_OFFSET + 4;
    static final long SLOT_TOTAL_SIZE_OFFSET = SLOT_COUNT_OFFSET + 4;
    static final long NEXT_SN_OFFSET = SLOT_TOTAL_SIZE_OFFSET + 4;
    static final long NOTIFY_OFFSET = NEXT_SN_OFFSET + 4;
    static final long EXT_MAGIC_OFFSET = NOTIFY_OFFSET + 4;
    static final long EXT_OFFSET_OFFSET = EXT_MAGIC_OFFSET + 4;
    static final long EXT_LENGTH_OFFSET = EXT_OFFSET_OFFSET + 4;
    static final long SLOTS_OFFSET = EXT_LENGTH_OFFSET + 4;

    // ---- slot header (reference) ----
    static final long SLOT_SEQUENCE_OFFSET = 0x00;
    static final long SLOT_SIZE_OFFSET = SLOT_SEQUENCE_OFFSET + 4;
    static final long SLOT_MASK_OFFSET = SLOT_SIZE_OFFSET + 4;
    static final long SLOT_RESERVED_OFFSET = SLOT_MASK_OFFSET + 4;
    static final long SLOT_HEADER_SIZE = SLOT_RESERVED_OFFSET + 4;

    // ---- extension region, relative to its start ----
    static final long EXT_VERSION_OFFSET = 0x000;
    static final long EXT_CAPACITY_OFFSET = EXT_VERSION_OFFSET + 4;
    static final long EXT_FLAGS_OFFSET = EXT_CAPACITY_OFFSET + 4;
    /** CRC32C of the fields fixed at creation (see PosixSlotBackend): a damaged descriptor is refused. */
    static final long EXT_DESCRIPTOR_CRC_OFFSET = EXT_FLAGS_OFFSET + 4;
    static final long EXT_TYPE_HASH_OFFSET = EXT_DESCRIPTOR_CRC_OFFSET + 4;
    static final int TYPE_HASH_LENGTH = 16;
    static final long EXT_WRITER_PID_OFFSET = EXT_TYPE_HASH_OFFSET + TYPE_HASH_LENGTH;
    static final long EXT_WRITER_START_OFFSET = EXT_WRITER_PID_OFFSET + 8;
    static final long EXT_WRITER_HEARTBEAT_OFFSET = EXT_WRITER_START_OFFSET + 8;
    static final long EXT_WRITER_STATE_OFFSET = EXT_WRITER_HEARTBEAT_OFFSET + 8;
    static final long EXT_NEXT_SEQUENCE_OFFSET = 0x040;
    static final long EXT_END_SEQUENCE_OFFSET = EXT_NEXT_SEQUENCE_OFFSET + 8;
    static final long EXT_ACTIVE_MASK_OFFSET = EXT_NEXT_SEQUENCE_OFFSET + CACHE_LINE;
    static final long EXT_WAITERS_OFFSET = EXT_ACTIVE_MASK_OFFSET + 4;
    static final long EXT_LEASE_OFFSET = EXT_WAITERS_OFFSET + 4;
    /** 1 while the writer's last reserve found no free slot: only then does a markRead signal. */
    static final long EXT_WRITER_STARVED_OFFSET = EXT_LEASE_OFFSET + 4;
    /**
     * Bit i is set while a thread of the process that holds waiter entry i is blocked in a futex
     * wait: a notifier that finds this word and the anonymous waiter count zero makes no system
     * call. Unlike a count, it can be repaired when its owner dies: the entry names the process.
     */
    static final long EXT_WAITING_MASK_OFFSET = EXT_WRITER_STARVED_OFFSET + 4;
    /**
     * The sequence of the latest sample a writer put in another slot than the one after its
     * previous commit's, or committed first after it opened the ring. Stored before that commit
     * (a writer that dies in between leaves it ahead of the samples), so a reader that finds its
     * next sample neither in that slot nor announced here knows it is not committed yet (see
     * nextUnreadSlot).
     */
    static final long EXT_DISPLACED_SEQUENCE_OFFSET = EXT_ACTIVE_MASK_OFFSET + CACHE_LINE;
    static final long EXT_REGISTRY_OFFSET = EXT_DISPLACED_SEQUENCE_OFFSET + CACHE_LINE;
    static final long READER_ENTRY_SIZE = CACHE_LINE;
    static final long READER_STATE_OFFSET = 0;
    static final long READER_EPOCH_OFFSET = READER_STATE_OFFSET + 4;
    static final long READER_PID_OFFSET = READER_EPOCH_OFFSET + 4;
    static final long READER_START_TIME_OFFSET = READER_PID_OFFSET + 8;
    static final long READER_HEARTBEAT_OFFSET = READER_START_TIME_OFFSET + 8;
    static final long READER_START_SEQUENCE_OFFSET = READER_HEARTBEAT_OFFSET + 8;
    /** Who disconnects the entry right now: pid << 32 | start time in epoch seconds (0 = nobody). */
    static final long READER_DISCONNECTOR_OFFSET = READER_START_SEQUENCE_OFFSET + 8;
    static final long EXT_WAITER_TABLE_OFFSET = EXT_REGISTRY_OFFSET + MAX_READERS * READER_ENTRY_SIZE;
    /** Processes that can wait at once with a repairable entry; more wait anonymously (counted). */
    static final int WAITER_ENTRIES = Long.SIZE;
    static final long WAITER_ENTRY_SIZE = 16;
    static final long WAITER_STATE_OFFSET = 0;
    static final long WAITER_PID_OFFSET = WAITER_STATE_OFFSET + 4;
    static final long WAITER_START_TIME_OFFSET = WAITER_PID_OFFSET + 4;
    static final long EXT_SLOT_TABLE_OFFSET = EXT_WAITER_TABLE_OFFSET + WAITER_ENTRIES * WAITER_ENTRY_SIZE;
    static final long LOAN_WORD_SIZE = 4;
    static final long SEQUENCE_HIGH_SIZE = 4;

    // ---- waiter entry states (low 8 bits of the state word; the epoch above counts claims) ----
    static final int WAITER_FREE = 0;
    static final int WAITER_CLAIMED = 1;
    static final int WAITER_RECLAIMING = 2;
    static final int WAITER_STATE_BITS = 0xFF;

    // ---- registry states ----
    static final int READER_FREE = 0;
    static final int READER_ATTACHED = 1;
    static final int READER_DISCONNECTED = 2;

    // ---- writer states ----
    static final int WRITER_NONE = 0;
    static final int WRITER_OPEN = 1;

    /** Largest capacity we accept: keeps every offset of a slot inside a u32. */
    static final int MAX_CAPACITY = (1 << 30) - 64;
    /** The slot capacity of a builder given neither a capacity nor a type. */
    static final int DEFAULT_CAPACITY = 256;
    static final int MAX_SLOT_COUNT = 1 << 20;

    static long alignUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }

    /** {@code align_up(16 + capacity, 64)}, as the reference computes it. */
    static int slotTotalSize(int capacity) {
        return (int) alignUp(SLOT_HEADER_SIZE + capacity, CACHE_LINE);
    }

    static long slotOffset(int slot, int slotTotalSize) {
        return SLOTS_OFFSET + (long) slot * slotTotalSize;
    }

    static long extensionOffset(int slotCount, int slotTotalSize) {
        return alignUp(SLOTS_OFFSET + (long) slotCount * slotTotalSize, CACHE_LINE);
    }

    static long extensionLength(int slotCount) {
        return alignUp(sequenceHighTableOffset(slotCount) + slotCount * SEQUENCE_HIGH_SIZE, CACHE_LINE);
    }

    /** The loan word of {@code slot}, relative to the extension region. */
    static long loanWordOffset(int slot) {
        return EXT_SLOT_TABLE_OFFSET + slot * LOAN_WORD_SIZE;
    }

    /**
     * The sequence-high table, relative to the extension region: on other cache lines than the
     * loan words, which the writer stores at every loan and commit, so that readers keep it cached.
     */
    static long sequenceHighTableOffset(int slotCount) {
        return EXT_SLOT_TABLE_OFFSET + alignUp(slotCount * LOAN_WORD_SIZE, CACHE_LINE);
    }

    /** The sequence hi32 of {@code slot}, relative to the extension region. */
    static long sequenceHighOffset(int slotCount, int slot) {
        return sequenceHighTableOffset(slotCount) + slot * SEQUENCE_HIGH_SIZE;
    }

    /** A slot's 64-bit seqlock word: sequence lo32 in the low half, sample_size in the high half. */
    static long packWord(int sequenceLow, int size) {
        return Integer.toUnsignedLong(sequenceLow) | ((long) size << 32);
    }

    /** A 64-bit sequence from a slot's sequence hi32 (its table) and lo32 (its slot word). */
    static long sequence(int high, int low) {
        return ((long) high << 32) | Integer.toUnsignedLong(low);
    }

    static int wordSize(long word) {
        return (int) (word >>> 32);
    }

    static int wordSequenceLow(long word) {
        return (int) word;
    }

    /** Bytes of a whole extended segment. */
    static long segmentSize(int slotCount, int capacity) {
        int total = slotTotalSize(capacity);
        return extensionOffset(slotCount, total) + extensionLength(slotCount);
    }

    /** Bytes of a plain reference segment (header and slots, no extension). */
    static long referenceSegmentSize(int slotCount, int slotTotalSize) {
        return SLOTS_OFFSET + (long) slotCount * slotTotalSize;
    }

    static void checkSlotCount(int slotCount) {
        if (slotCount < 1 || slotCount > MAX_SLOT_COUNT) {
            throw new IllegalArgumentException(
                    "slotCount=" + slotCount + " outside [1, " + MAX_SLOT_COUNT + "]");
        }
    }

    static void checkCapacity(int capacity) {
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
    static int defaultCapacity(int explicit, long typeSize) {
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
    static void checkGeometry(int slotCount, int capacity) {
        long end = extensionOffset(slotCount, slotTotalSize(capacity));
        if (end > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("slotCount=" + slotCount + " x slotCapacity=" + capacity
                    + " needs " + end + " bytes of slots, more than the layout's limit of 4 GiB");
        }
    }

    static void checkReaderIndex(int reader) {
        if (reader < 0 || reader >= MAX_READERS) {
            throw new IllegalArgumentException(
                    "reader index=" + reader + " outside [0, " + (MAX_READERS - 1) + "]");
        }
    }

    static void checkTypeHash(byte[] hash) {
        if (hash != null && hash.length != TYPE_HASH_LENGTH) {
            throw new IllegalArgumentException(
                    "type hash length=" + hash.length + " must be " + TYPE_HASH_LENGTH);
        }
    }
}
