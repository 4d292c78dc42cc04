package io.zerodds.flatdata;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * One sample taken by a {@link FlatReader}: a read-only zero-copy view of a slot, valid until
 * {@link #release()} (which marks the slot read so the writer may reuse it).
 *
 * <p>A {@code Sample} object is a flyweight: the reader reuses it for a later sample of the same
 * slot after release, as Aeron reuses its buffers. Use it inside try-with-resources, copy what you
 * keep, and do not hold the object after release; every method of a released sample throws
 * {@link IllegalStateException}.
 *
 * <p>Two ways to read it:
 * <ul>
 *   <li>The accessors ({@link #getLong(long)} and its siblings, {@link #copyTo(byte[], int)},
 *       {@link #copyTo(MemorySegment)}) check on every call that the sample is live, that the
 *       read lies inside the sample ({@link IndexOutOfBoundsException} otherwise), and after the
 *       read that the slot still holds this sample (a reader disconnected for a lost lease may
 *       have had it recycled). They allocate nothing, whatever the sample sizes.</li>
 *   <li>{@link #segment()} is the raw view, for FFM code and {@link FlatType} fields. It is
 *       checked once, when you ask for it: a segment kept past {@link #release()} keeps reading
 *       whatever the slot holds later, with no error. It is cached per slot, so samples of one
 *       size cost nothing; each change of size makes one new view.</li>
 * </ul>
 */
public final class Sample implements AutoCloseable {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private final FlatReader reader;
    private int slot;
    private long sequence;
    /** The slot's payload area (the sample is its first {@code size} bytes). */
    private MemorySegment area;
    private int size;
    /** {@link #segment()}'s view of exactly {@code size} bytes, made on demand. */
    private MemorySegment view;
    private boolean released = true;

    Sample(FlatReader reader) {
        this.reader = reader;
    }

    void open(int slot, long sequence, MemorySegment area, int size) {
        if (area != this.area || size != this.size) {
            this.view = null;
        }
        this.slot = slot;
        this.sequence = sequence;
        this.area = area;
        this.size = size;
        this.released = false;
    }

    private void checkLive() {
        if (released) {
            throw new IllegalStateException("sample sequence=" + sequence + " (slot " + slot + ") was released");
        }
    }

    private void checkRange(long offset, int width) {
        checkLive();
        java.util.Objects.checkFromIndexSize(offset, width, (long) size);
    }

    /** After a read: the slot still holds this sample, so what was read is this sample's. */
    private void validate() {
        long now = reader.backend().slotSequence(slot);
        if (now != sequence) {
            throw new IllegalStateException("sample sequence=" + sequence + " (slot " + slot
                    + ") was recycled by the writer while it was read (slot now holds "
                    + (now == SlotBackend.NO_SEQUENCE ? "no sample" : "sequence=" + now)
                    + "): its reader was disconnected");
        }
    }

    /**
     * The sample's bytes in the slot, read-only (writing through it throws): exactly
     * {@link #size()} bytes. Checked when called, not when read: see the class comment.
     */
    public MemorySegment segment() {
        checkLive();
        MemorySegment v = view;
        if (v == null) {
            v = area.byteSize() == size ? area : area.asSlice(0, size);
            view = v;
        }
        return v;
    }

    /** A read-only {@link ByteBuffer} over the same bytes (allocates a small wrapper). */
    public ByteBuffer asByteBuffer() {
        return segment().asByteBuffer();
    }

    /** The sample's 64-bit sequence number. */
    public long sequence() {
        checkLive();
        return sequence;
    }

    /** The sample's size in bytes. */
    public int size() {
        checkLive();
        return size;
    }

    /** The slot index the sample lives in. */
    public int slot() {
        checkLive();
        return slot;
    }

    public byte getByte(long offset) {
        checkRange(offset, Byte.BYTES);
        byte v = area.get(ValueLayout.JAVA_BYTE, offset);
        validate();
        return v;
    }

    public short getShort(long offset) {
        checkRange(offset, Short.BYTES);
        short v = area.get(SHORT, offset);
        validate();
        return v;
    }

    public int getInt(long offset) {
        checkRange(offset, Integer.BYTES);
        int v = area.get(INT, offset);
        validate();
        return v;
    }

    /** The {@code long} at {@code offset}, in host byte order (no alignment needed). */
    public long getLong(long offset) {
        checkRange(offset, Long.BYTES);
        long v = area.get(LONG, offset);
        validate();
        return v;
    }

    public float getFloat(long offset) {
        checkRange(offset, Float.BYTES);
        float v = area.get(FLOAT, offset);
        validate();
        return v;
    }

    public double getDouble(long offset) {
        checkRange(offset, Double.BYTES);
        double v = area.get(DOUBLE, offset);
        validate();
        return v;
    }

    /** Copies the sample's bytes into {@code dst} at {@code offset}; returns the size. */
    public int copyTo(byte[] dst, int offset) {
        checkLive();
        java.util.Objects.checkFromIndexSize(offset, size, dst.length);
        MemorySegment.copy(area, ValueLayout.JAVA_BYTE, 0, dst, offset, size);
        validate();
        return size;
    }

    /** Copies the sample's bytes into {@code dst} at offset 0; returns the size. */
    public int copyTo(MemorySegment dst) {
        checkLive();
        MemorySegment.copy(area, 0, dst, 0, size);
        validate();
        return size;
    }

    /** A heap copy of the bytes. */
    public byte[] copy() {
        checkLive();
        byte[] bytes = new byte[size];
        MemorySegment.copy(area, ValueLayout.JAVA_BYTE, 0, bytes, 0, size);
        validate();
        return bytes;
    }

    /** Decodes the sample with {@code type}'s codec (in place for a segment-valued type). */
    public <T> T decode(FlatType<T> type) {
        return type.decode(segment());
    }

    public boolean isReleased() {
        return released;
    }

    /** Marks the slot read; the view is invalid from here on. Idempotent. */
    public void release() {
        if (released) {
            return;
        }
        released = true;
        reader.release(slot);
    }

    @Override
    public void close() {
        release();
    }

    @Override
    public String toString() {
        return released ? "Sample[released]" : "Sample[sequence=" + sequence + ", slot=" + slot + ", size="
                + size + "]";
    }
}
