package io.zerodds.flatdata.test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32;

/**
 * The checksummed sample format of the tests, shared with their foreign peers (the iceoryx2
 * Python peer, the Rust reference peer) and the child JVMs of the multi-process tests: bytes 0..8
 * the sample index (u64 LE), 8..12 the CRC32 of bytes 12..size (u32 LE), then pseudo-random bytes
 * derived from the index. {@link #write} varies the size with the index; {@link #writeSized}
 * writes a sample of a given size.
 */
public final class Checksummed {

    /** The smallest sample: the index and the checksum. */
    public static final int HEADER = 12;

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private Checksummed() {
    }

    /** The size {@link #write} gives sample {@code index} in slots of {@code capacity} bytes. */
    public static int sizeOf(long index, int capacity) {
        return (int) (HEADER + (index * 7919) % (capacity - HEADER + 1));
    }

    /** Writes sample {@code index} into {@code slot}, sized by {@link #sizeOf}; returns its size. */
    public static int write(long index, MemorySegment slot, int capacity) {
        return writeSized(index, slot, sizeOf(index, capacity));
    }

    /** Writes sample {@code index} of exactly {@code size} bytes (at least {@link #HEADER}); returns the size. */
    public static int writeSized(long index, MemorySegment slot, int size) {
        if (size < HEADER) {
            throw new IllegalArgumentException("a checksummed sample has at least " + HEADER + " bytes: " + size);
        }
        long seed = index * 0x9E3779B97F4A7C15L;
        for (int i = HEADER; i < size; i++) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            slot.set(ValueLayout.JAVA_BYTE, i, (byte) (seed >>> 56));
        }
        slot.set(LONG, 0, index);
        slot.set(INT, 8, (int) crc(slot, size));
        return size;
    }

    /** The index of a valid sample; throws when its checksum does not match. */
    public static long verify(MemorySegment sample) {
        long size = sample.byteSize();
        if (size < HEADER) {
            throw new AssertionError("sample of " + size + " bytes is too short");
        }
        long index = sample.get(LONG, 0);
        int crc = sample.get(INT, 8);
        if ((int) crc(sample, size) != crc) {
            throw new AssertionError("sample " + index + " of " + size + " bytes: checksum mismatch");
        }
        return index;
    }

    private static long crc(MemorySegment segment, long size) {
        CRC32 crc = new CRC32();
        crc.update(segment.asSlice(HEADER, size - HEADER).asByteBuffer());
        return crc.getValue();
    }
}
