package io.zerodds.flatdata;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32;

/**
 * The checksummed sample format of the tests, shared with their foreign peers (the iceoryx2
 * Python peer, the Rust reference peer): bytes 0..8 the sample index (u64 LE), 8..12 the CRC32 of
 * bytes 12..size (u32 LE), then pseudo-random bytes; the size varies with the index.
 */
public final class Checksummed {

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private Checksummed() {
    }

    public static int sizeOf(long index, int capacity) {
        return (int) (12 + (index * 7919) % (capacity - 12 + 1));
    }

    /** Writes sample {@code index} into {@code slot}; returns its size. */
    public static int write(long index, MemorySegment slot, int capacity) {
        int size = sizeOf(index, capacity);
        long seed = index * 0x9E3779B97F4A7C15L;
        for (int i = 12; i < size; i++) {
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
        if (size < 12) {
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
        crc.update(segment.asSlice(12, size - 12).asByteBuffer());
        return crc.getValue();
    }
}
