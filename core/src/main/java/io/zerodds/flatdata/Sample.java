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
 * keep, and do not hold the object after release; every accessor of a released sample throws
 * {@link IllegalStateException}.
 */
public final class Sample implements AutoCloseable {
    private final FlatReader reader;
    private int slot;
    private long sequence;
    private MemorySegment segment;
    private boolean released = true;

    Sample(FlatReader reader) {
        this.reader = reader;
    }

    void open(int slot, long sequence, MemorySegment segment) {
        this.slot = slot;
        this.sequence = sequence;
        this.segment = segment;
        this.released = false;
    }

    private void checkLive() {
        if (released) {
            throw new IllegalStateException("sample sequence=" + sequence + " (slot " + slot + ") was released");
        }
    }

    /** The sample's bytes in the slot, read-only: writing through it throws. */
    public MemorySegment segment() {
        checkLive();
        return segment;
    }

    /** A read-only {@link ByteBuffer} over the same bytes (allocates a small wrapper). */
    public ByteBuffer asByteBuffer() {
        checkLive();
        return segment.asByteBuffer();
    }

    /** The sample's 64-bit sequence number. */
    public long sequence() {
        checkLive();
        return sequence;
    }

    /** The sample's size in bytes. */
    public int size() {
        checkLive();
        return (int) segment.byteSize();
    }

    /** The slot index the sample lives in. */
    public int slot() {
        checkLive();
        return slot;
    }

    /** A heap copy of the bytes. */
    public byte[] copy() {
        checkLive();
        return segment.toArray(ValueLayout.JAVA_BYTE);
    }

    /** Decodes the sample with {@code type}'s codec (in place for a segment-valued type). */
    public <T> T decode(FlatType<T> type) {
        checkLive();
        return type.decode(segment);
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
                + segment.byteSize() + "]";
    }
}
