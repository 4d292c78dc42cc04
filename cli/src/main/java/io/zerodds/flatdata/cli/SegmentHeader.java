package io.zerodds.flatdata.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import io.zerodds.flatdata.ReaderEntryDescriptor;
import io.zerodds.flatdata.SegmentLayout;
import io.zerodds.flatdata.SlotDescriptor;
import io.zerodds.flatdata.WaiterEntryDescriptor;

/**
 * The few header fields of a segment file that {@code list} and {@code clean} need, read with
 * plain file I/O (nothing is mapped, nothing is written).
 *
 * <p>Every offset comes from core's public ring descriptors ({@code SegmentLayout}, and
 * {@code SlotDescriptor}, {@code ReaderEntryDescriptor}, {@code WaiterEntryDescriptor} for what a
 * slot, a reader entry and a waiter entry hold). Read: the reference header (magic, slot_count,
 * slot_total_size, the extension announcement), and from the extension region the layout version, slot capacity,
 * flags, descriptor CRC32C, type hash, writer pid, start time, heartbeat and state, next
 * sequence, active reader mask, and each reader registry entry's state, pid and start time.
 */
final class SegmentHeader {

    // ---- from the ring descriptors, as ints for ByteBuffer indexes ----
    static final int MAGIC = (int) SegmentLayout.MAGIC;
    static final int EXTENSION_MAGIC = (int) SegmentLayout.EXTENSION_MAGIC;
    static final int LAYOUT_VERSION = (int) SegmentLayout.LAYOUT_VERSION;
    static final int HEADER_SIZE = (int) SegmentLayout.SLOTS_OFFSET;
    private static final int MAGIC_OFFSET = (int) SegmentLayout.MAGIC_OFFSET;
    private static final int SLOT_COUNT_OFFSET = (int) SegmentLayout.SLOT_COUNT_OFFSET;
    private static final int SLOT_TOTAL_SIZE_OFFSET = (int) SegmentLayout.SLOT_TOTAL_SIZE_OFFSET;
    private static final int NEXT_SN_OFFSET = (int) SegmentLayout.NEXT_SN_OFFSET;
    private static final int EXT_MAGIC_OFFSET = (int) SegmentLayout.EXT_MAGIC_OFFSET;
    private static final int EXT_OFFSET_OFFSET = (int) SegmentLayout.EXT_OFFSET_OFFSET;
    private static final int EXT_LENGTH_OFFSET = (int) SegmentLayout.EXT_LENGTH_OFFSET;
    private static final int SLOT_HEADER_SIZE = (int) SlotDescriptor.SLOT_HEADER_SIZE;
    private static final int CACHE_LINE = (int) SegmentLayout.CACHE_LINE;
    private static final int EXT_VERSION_OFFSET = (int) SegmentLayout.EXT_VERSION_OFFSET;
    private static final int EXT_CAPACITY_OFFSET = (int) SegmentLayout.EXT_CAPACITY_OFFSET;
    private static final int EXT_FLAGS_OFFSET = (int) SegmentLayout.EXT_FLAGS_OFFSET;
    private static final int EXT_DESCRIPTOR_CRC_OFFSET = (int) SegmentLayout.EXT_DESCRIPTOR_CRC_OFFSET;
    private static final int EXT_TYPE_HASH_OFFSET = (int) SegmentLayout.EXT_TYPE_HASH_OFFSET;
    private static final int TYPE_HASH_LENGTH = (int) SegmentLayout.TYPE_HASH_LENGTH;
    private static final int EXT_WRITER_PID_OFFSET = (int) SegmentLayout.EXT_WRITER_PID_OFFSET;
    private static final int EXT_WRITER_START_OFFSET = (int) SegmentLayout.EXT_WRITER_START_OFFSET;
    private static final int EXT_WRITER_HEARTBEAT_OFFSET = (int) SegmentLayout.EXT_WRITER_HEARTBEAT_OFFSET;
    private static final int EXT_WRITER_STATE_OFFSET = (int) SegmentLayout.EXT_WRITER_STATE_OFFSET;
    private static final int EXT_NEXT_SEQUENCE_OFFSET = (int) SegmentLayout.EXT_NEXT_SEQUENCE_OFFSET;
    private static final int EXT_ACTIVE_MASK_OFFSET = (int) SegmentLayout.EXT_ACTIVE_MASK_OFFSET;
    private static final int EXT_LEASE_OFFSET = (int) SegmentLayout.EXT_LEASE_OFFSET;
    private static final int EXT_REGISTRY_OFFSET = (int) SegmentLayout.EXT_REGISTRY_OFFSET;
    private static final int READER_ENTRY_SIZE = (int) ReaderEntryDescriptor.READER_ENTRY_SIZE;
    private static final int READER_STATE_OFFSET = (int) ReaderEntryDescriptor.READER_STATE_OFFSET;
    private static final int READER_PID_OFFSET = (int) ReaderEntryDescriptor.READER_PID_OFFSET;
    private static final int READER_START_TIME_OFFSET = (int) ReaderEntryDescriptor.READER_START_TIME_OFFSET;
    private static final int MAX_READERS = (int) SegmentLayout.MAX_READERS;
    /** The extension bytes read: up to the waiter table (registry included). */
    private static final int EXT_READ_LENGTH = (int) SegmentLayout.EXT_WAITER_TABLE_OFFSET;
    private static final int WAITER_ENTRIES = (int) SegmentLayout.WAITER_ENTRIES;
    private static final int WAITER_ENTRY_SIZE = (int) WaiterEntryDescriptor.WAITER_ENTRY_SIZE;
    private static final int EXT_SLOT_TABLE_OFFSET = (int) SegmentLayout.EXT_SLOT_TABLE_OFFSET;
    static final int WRITER_OPEN = (int) SegmentLayout.WRITER_OPEN;
    static final int READER_ATTACHED = (int) ReaderEntryDescriptor.READER_ATTACHED;

    /** What a file turned out to be. */
    enum Kind {
        /** A flatdata ring (reference header plus extension). */
        RING,
        /** A plain reference segment: header and slots, no extension, no owner recorded. */
        REFERENCE,
        /** Starts with our magic but does not add up (damaged, truncated, or being created). */
        DAMAGED,
        /** Another layout version of ours. */
        OTHER_VERSION,
        /** Not a segment of ours at all. */
        FOREIGN
    }

    /** A reader registry entry in state attached. */
    record Reader(int index, int pid, long startMillis) {
    }

    /**
     * The header of one file. {@code problem} says why a file is {@link Kind#DAMAGED},
     * {@link Kind#OTHER_VERSION} or {@link Kind#FOREIGN}; the ring fields are zero unless
     * {@link Kind#RING}.
     */
    record Info(Kind kind, String problem, long fileSize, int slotCount, int slotTotalSize, int capacity,
                int layoutVersion, String typeHash, int writerPid, long writerStartMillis, long writerHeartbeatMillis,
                int writerState, long nextSequence, int activeMask, int leaseMillis, List<Reader> readers) {

        boolean isOurs() {
            return kind == Kind.RING || kind == Kind.REFERENCE;
        }
    }

    private SegmentHeader() {
    }

    /** Reads {@code path} (never following a link). */
    static Info read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return read(ch);
        }
    }

    static Info read(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < HEADER_SIZE) {
            return problem(Kind.FOREIGN, size, "only " + size + " bytes, smaller than a segment header");
        }
        ByteBuffer h = read(ch, 0, HEADER_SIZE);
        if (h == null || h.getInt(MAGIC_OFFSET) != MAGIC) {
            return problem(Kind.FOREIGN, size, "no \"ZDSS\" magic");
        }
        int slotCount = h.getInt(SLOT_COUNT_OFFSET);
        int total = h.getInt(SLOT_TOTAL_SIZE_OFFSET);
        if (!SegmentLayout.isSlotCount(slotCount) || !SegmentLayout.isSlotTotalSize(total)) {
            return problem(Kind.DAMAGED, size, "slot_count=" + Integer.toUnsignedString(slotCount)
                    + ", slot_total_size=" + Integer.toUnsignedString(total) + " do not describe a ring");
        }
        int extMagic = h.getInt(EXT_MAGIC_OFFSET);
        long extOffset = Integer.toUnsignedLong(h.getInt(EXT_OFFSET_OFFSET));
        long extLength = Integer.toUnsignedLong(h.getInt(EXT_LENGTH_OFFSET));
        long slotsEnd = HEADER_SIZE + (long) slotCount * total;
        if (extMagic == 0 && extOffset == 0 && extLength == 0) {
            if (size < slotsEnd) {
                return problem(Kind.DAMAGED, size, "truncated: " + size + " bytes, the header claims " + slotsEnd);
            }
            return new Info(Kind.REFERENCE, null, size, slotCount, total, total - SLOT_HEADER_SIZE, 0, null, 0, 0, 0,
                    0, Integer.toUnsignedLong(h.getInt(NEXT_SN_OFFSET)), 0, 0, List.of());
        }
        if (extMagic != EXTENSION_MAGIC) {
            return problem(Kind.DAMAGED, size, "extension magic " + hex(extMagic) + ", expected \"FDX1\"");
        }
        long expectedOffset = alignUp(slotsEnd, CACHE_LINE);
        if (extOffset != expectedOffset || extLength < EXT_SLOT_TABLE_OFFSET || size < extOffset + extLength) {
            return problem(Kind.DAMAGED, size, "extension at " + extOffset + " (" + extLength + " bytes) does not fit "
                    + slotCount + " slots of " + total + " bytes in a file of " + size);
        }
        ByteBuffer e = read(ch, extOffset, EXT_READ_LENGTH);
        if (e == null) {
            return problem(Kind.DAMAGED, size, "truncated extension");
        }
        int version = e.getInt(EXT_VERSION_OFFSET);
        if (version != LAYOUT_VERSION) {
            return problem(Kind.OTHER_VERSION, size, "layout version " + Integer.toUnsignedString(version)
                    + ", this build reads " + LAYOUT_VERSION);
        }
        int crc = SegmentLayout.descriptorCrc(h, e);
        if (crc != e.getInt(EXT_DESCRIPTOR_CRC_OFFSET)) {
            return problem(Kind.DAMAGED, size, "descriptor checksum " + hex(e.getInt(EXT_DESCRIPTOR_CRC_OFFSET))
                    + ", computed " + hex(crc));
        }
        String typeHash = null;
        if (e.getInt(EXT_FLAGS_OFFSET) == 1) {
            byte[] hash = new byte[TYPE_HASH_LENGTH];
            e.get(EXT_TYPE_HASH_OFFSET, hash);
            typeHash = HexFormat.of().formatHex(hash);
        }
        List<Reader> readers = new ArrayList<>();
        for (int r = 0; r < MAX_READERS; r++) {
            int entry = EXT_REGISTRY_OFFSET + r * READER_ENTRY_SIZE;
            if (e.getInt(entry + READER_STATE_OFFSET) == READER_ATTACHED) {
                readers.add(new Reader(r, e.getInt(entry + READER_PID_OFFSET), e.getLong(entry + READER_START_TIME_OFFSET)));
            }
        }
        return new Info(Kind.RING, null, size, slotCount, total, e.getInt(EXT_CAPACITY_OFFSET), version, typeHash,
                e.getInt(EXT_WRITER_PID_OFFSET), e.getLong(EXT_WRITER_START_OFFSET),
                e.getLong(EXT_WRITER_HEARTBEAT_OFFSET), e.getInt(EXT_WRITER_STATE_OFFSET),
                e.getLong(EXT_NEXT_SEQUENCE_OFFSET), e.getInt(EXT_ACTIVE_MASK_OFFSET), e.getInt(EXT_LEASE_OFFSET),
                List.copyOf(readers));
    }


    private static Info problem(Kind kind, long size, String problem) {
        return new Info(kind, problem, size, 0, 0, 0, 0, null, 0, 0, 0, 0, 0, 0, 0, List.of());
    }

    private static ByteBuffer read(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) {
                return null;
            }
        }
        return buf.flip();
    }

    private static long alignUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }

    private static String hex(int v) {
        return String.format("0x%08X", v);
    }
}
