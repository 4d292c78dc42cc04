package io.zerodds.flatdata.cli;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32C;

/**
 * The raw samples of {@code demo}, {@code pub} and {@code sub}:
 *
 * <pre>
 * 0x00 u64 index (0, 1, 2, ... per writer)
 * 0x08 u64 send time: the writer's System.nanoTime() (CLOCK_MONOTONIC, one clock for every
 *      process of a host), so a reader measures latency as its own nanoTime minus this
 * 0x10 u32 CRC32C of bytes 0x00..0x10 and 0x14..size
 * 0x14 filler: the index's low byte, to the end of the sample
 * </pre>
 *
 * Host byte order. One instance per thread (it keeps a CRC32C).
 */
final class SampleFormat {

    /** The smallest sample: index, send time and checksum. */
    static final int MIN_SIZE = 20;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final long CRC_OFFSET = 16;

    private final CRC32C crc = new CRC32C();

    /** Writes sample {@code index} of {@code size} bytes into {@code slot}, stamped now. */
    void write(MemorySegment slot, long index, int size) {
        slot.asSlice(MIN_SIZE, size - MIN_SIZE).fill((byte) index);
        slot.set(LONG, 0, index);
        slot.set(LONG, 8, System.nanoTime());
        slot.set(INT, CRC_OFFSET, crc(slot, size));
    }

    static long index(MemorySegment sample) {
        return sample.get(LONG, 0);
    }

    static long sentNanos(MemorySegment sample) {
        return sample.get(LONG, 8);
    }

    /** True when {@code sample} is at least {@link #MIN_SIZE} bytes and its checksum matches. */
    boolean isValid(MemorySegment sample) {
        long size = sample.byteSize();
        return size >= MIN_SIZE && sample.get(INT, CRC_OFFSET) == crc(sample, (int) size);
    }

    private int crc(MemorySegment s, int size) {
        crc.reset();
        crc.update(s.asSlice(0, CRC_OFFSET).asByteBuffer());
        crc.update(s.asSlice(MIN_SIZE, size - MIN_SIZE).asByteBuffer());
        return (int) crc.getValue();
    }

    static void checkSize(String option, long size, long max) {
        if (size < MIN_SIZE || size > max) {
            throw new CliFailure(ExitCode.USAGE, option + "=" + size + " must be in [" + MIN_SIZE + ", " + max
                    + "] bytes (a sample holds an 8-byte index, an 8-byte send time and a 4-byte checksum)");
        }
    }
}
