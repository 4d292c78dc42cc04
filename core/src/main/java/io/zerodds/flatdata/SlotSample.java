package io.zerodds.flatdata;

import java.util.Arrays;

/**
 * A copied slot: its header and its payload bytes, as {@link SlotBackend#readSlot(int)} returns it.
 *
 * @param sequence   the 64-bit sequence number of the sample (the slot header holds its low 32 bits)
 * @param size       the sample size in bytes, 0 for a slot that holds no sample
 * @param readerMask bit r set = reader r has read the sample (or was disconnected)
 * @param data       the {@code size} payload bytes, copied out of the slot; the record takes the
 *                   array over (the backends hand it a fresh one), {@link #data()} returns a copy
 */
public record SlotSample(long sequence, int size, int readerMask, byte[] data) {
    public SlotSample {
        java.util.Objects.requireNonNull(data, "data");
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SlotSample s && s.sequence == sequence && s.size == size
                && s.readerMask == readerMask && Arrays.equals(s.data, data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(sequence) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "SlotSample[sequence=" + sequence + ", size=" + size + ", readerMask=0x"
                + Integer.toHexString(readerMask) + "]";
    }
}
