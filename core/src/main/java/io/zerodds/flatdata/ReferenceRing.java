package io.zerodds.flatdata;

import static io.zerodds.flatdata.SegmentLayout.*;
import static io.zerodds.flatdata.SlotDescriptor.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A read-only consumer of a plain reference segment (no extension region), as written by the
 * ZeroDDS reference writer: header at 0x00, slots from 0x20, 16-byte slot headers.
 *
 * <p>Weaker than the extended ring, because the reference has no more to offer:
 * <ul>
 *   <li>no registry: readers attach with the index discovery assigned ({@link #attachReader(int)});
 *       {@link #activeReaders()} is the set attached through this process, not the writer's mask;</li>
 *   <li>reference semantics for what is pending: every committed slot whose bit is clear is
 *       unread, including samples committed before the attach;</li>
 *   <li>no seqlock (a reference writer does not clear sample_size before it rewrites a slot): a
 *       slot is stable only while this reader's bit is in the writer's active mask and the slot
 *       is unread (the writer's promise, not ours);</li>
 *   <li>32-bit sequences, extended here to 64 bits by counting wraps of {@code next_sn};</li>
 *   <li>no writer methods ({@link UnsupportedOperationException}), no type hash, no leases.</li>
 * </ul>
 * Delivery is in sequence order (serial-number arithmetic), not in slot-index order.
 */
final class ReferenceRing implements SlotBackend {
    private final PosixSlotBackend outer;
    private final PosixFutexWait futex;
    private final MemorySegment segment;
    private final int slotCount;
    private final int slotTotalSize;
    private final int capacity;
    private final AtomicInteger attached = new AtomicInteger();
    private final ReadViews readViews;
    private final long[] startSequence = new long[MAX_READERS];
    /** 64-bit image of next_sn: advanced monotonically by every observer. */
    private final AtomicLong next;
    private volatile boolean closed;

    ReferenceRing(PosixSlotBackend outer, PosixFutexWait futex, MemorySegment segment, int slotCount,
                  int slotTotalSize) {
        this.outer = outer;
        this.futex = futex;
        this.segment = segment;
        this.slotCount = slotCount;
        this.slotTotalSize = slotTotalSize;
        this.capacity = payloadCapacity(slotTotalSize);
        this.readViews = new ReadViews(segment, slotCount);
        this.next = new AtomicLong(initialNext());
    }

    /**
     * next_sn as a 64-bit number. A committed slot whose u32 sequence is not below next_sn was
     * written before next_sn wrapped, so the counter has passed 2^32 at least once: start there, so
     * that every sample in the ring gets a non-negative, ordered 64-bit sequence.
     */
    private long initialNext() {
        int nextLo = nextSnAcquire(segment, 0);
        for (int slot = 0; slot < slotCount; slot++) {
            long h = header(slot);
            if (slotSizeAcquire(segment, h) != 0
                    && Integer.compareUnsigned(slotSequenceLowAcquire(segment, h), nextLo) >= 0) {
                return (1L << 32) + Integer.toUnsignedLong(nextLo);
            }
        }
        return Integer.toUnsignedLong(nextLo);
    }

    private long header(int slot) {
        return slotOffset(slot, slotTotalSize);
    }

    private void checkOpen() {
        if (closed) {
            throw new BackendClosedException(outer.toString());
        }
    }

    private void checkSlot(int slot) {
        if (slot < 0 || slot >= slotCount) {
            throw new IndexOutOfBoundsException("slot=" + slot + " outside [0, " + slotCount + ")");
        }
    }

    private void checkAttached(int reader) {
        checkReaderIndex(reader);
        if ((attached.get() & (1 << reader)) == 0) {
            throw new IllegalStateException("reader index=" + reader + " is not attached to " + outer);
        }
    }

    private UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException(outer + " is a plain reference segment: this process only reads it");
    }

    /** The current next sequence as a 64-bit number (wraps of the u32 counted). */
    private long currentNext() {
        int lo = nextSnAcquire(segment, 0);
        while (true) {
            long known = next.get();
            long advanced = known + ((lo - (int) known) & 0xFFFF_FFFFL);
            if (((lo - (int) known) & 0x8000_0000) != 0) {
                return known; // a stale read behind what another thread saw: keep the larger
            }
            if (advanced == known || next.compareAndSet(known, advanced)) {
                return advanced;
            }
        }
    }

    /** The 64-bit sequence of a u32 header value, given the current next sequence. */
    private static long extend(int lo, long nextSequence) {
        return nextSequence - (((int) nextSequence - lo) & 0xFFFF_FFFFL);
    }

    /** The slot's sequence if it holds a committed sample not read by {@code readerBits}. */
    private long unread(int slot, int readerBits, long nextSequence) {
        long h = header(slot);
        int size = slotSizeAcquire(segment, h);
        if (size == 0) {
            return NO_SEQUENCE;
        }
        int mask = slotMaskAcquire(segment, h);
        if ((mask & readerBits) != 0) {
            return NO_SEQUENCE;
        }
        int lo = slotSequenceLowAcquire(segment, h);
        long sequence = extend(lo, nextSequence);
        return sequence < nextSequence && nextSequence - sequence <= (1L << 31) ? sequence : NO_SEQUENCE;
    }

    // ------------------------------------------------------------------ writer: not here

    @Override
    public int reserveSlot(int activeReadersMask) {
        checkOpen();
        throw readOnly();
    }

    @Override
    public long commitSlot(int slot, MemorySegment bytes) {
        checkOpen();
        throw readOnly();
    }

    @Override
    public long commitSlot(int slot, byte[] bytes, int offset, int length) {
        checkOpen();
        throw readOnly();
    }

    @Override
    public void discardSlot(int slot) {
        checkOpen();
        throw readOnly();
    }

    @Override
    public void markEndOfStream() {
        checkOpen();
        throw readOnly();
    }

    /** A reference segment has no end-of-stream marker: the stream stays open. */
    @Override
    public long endOfStreamSequence() {
        checkOpen();
        return OPEN_STREAM;
    }

    @Override
    public MemorySegment slotDataPtr(int slot) {
        checkOpen();
        throw readOnly();
    }

    @Override
    public long commitInPlace(int slot, int length) {
        checkOpen();
        throw readOnly();
    }

    // ------------------------------------------------------------------ reader

    @Override
    public SlotSample readSlot(int slot) {
        checkOpen();
        checkSlot(slot);
        long h = header(slot);
        int size = slotSizeAcquire(segment, h);
        int mask = slotMaskAcquire(segment, h);
        int lo = slotSequenceLowAcquire(segment, h);
        checkSampleSize(outer, slot, size, capacity, false);
        byte[] data = new byte[size];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, payloadOffset(h), data, 0, size);
        return new SlotSample(size == 0 ? NO_SEQUENCE : extend(lo, currentNext()), size, mask, data);
    }

    @Override
    public MemorySegment slotReadPtr(int slot) {
        checkOpen();
        checkSlot(slot);
        long h = header(slot);
        return readViews.view(slot, payloadOffset(h), committedSize(slot, h));
    }

    @Override
    public MemorySegment slotReadArea(int slot) {
        checkOpen();
        checkSlot(slot);
        long h = header(slot);
        committedSize(slot, h);
        return readViews.area(slot, payloadOffset(h), capacity);
    }

    @Override
    public int slotReadSize(int slot) {
        checkOpen();
        checkSlot(slot);
        return committedSize(slot, header(slot));
    }

    private int committedSize(int slot, long h) {
        return checkSampleSize(outer, slot, slotSizeAcquire(segment, h), capacity, true);
    }

    @Override
    public int nextUnreadSlot(int reader) {
        checkOpen();
        checkAttached(reader);
        long nextSequence = currentNext();
        int bit = 1 << reader;
        int best = NO_SLOT;
        long bestSequence = Long.MAX_VALUE;
        for (int slot = 0; slot < slotCount; slot++) {
            long sequence = unread(slot, bit, nextSequence);
            if (sequence != NO_SEQUENCE && sequence < bestSequence) {
                best = slot;
                bestSequence = sequence;
            }
        }
        return best;
    }

    @Override
    public int nextUnreadSlot(int reader, long sequence) {
        checkOpen();
        checkAttached(reader);
        long nextSequence = currentNext();
        if (sequence >= nextSequence) {
            return NO_SLOT;
        }
        int bit = 1 << reader;
        // The reference writer takes its sequence from next_sn before it writes the slot header,
        // and writes the 16-byte header with plain stores: for a moment next_sn counts a sample
        // that no header shows yet, or a header shows the new sequence with the old reader mask.
        // Neither is final: the first is "not yet there" (the writer's notify follows the header),
        // the second is re-read until the mask store lands.
        for (int attempt = 0; ; attempt++) {
            boolean seenAsRead = false;
            for (int slot = 0; slot < slotCount; slot++) {
                if (unread(slot, 0, nextSequence) == sequence) {
                    if ((slotMaskAcquire(segment, header(slot)) & bit) == 0) {
                        return slot;
                    }
                    seenAsRead = true;
                }
            }
            if (!seenAsRead) {
                return NO_SLOT;
            }
            if (attempt == HALF_WRITTEN_RETRIES) {
                throw new IllegalStateException("sample sequence=" + sequence + " of " + outer
                        + " is no longer unread by reader " + reader + ": read already, or overwritten because the"
                        + " reference writer's active mask did not include this reader");
            }
            Thread.onSpinWait();
        }
    }

    /** How often a header that shows the sequence with this reader's bit set is re-read before it counts as read. */
    private static final int HALF_WRITTEN_RETRIES = 1_000;

    @Override
    public long slotSequence(int slot) {
        checkOpen();
        checkSlot(slot);
        return unread(slot, 0, currentNext());
    }

    @Override
    public void markRead(int slot, int reader) {
        checkOpen();
        checkSlot(slot);
        checkReaderIndex(reader);
        int bit = 1 << reader;
        int old = orSlotMask(segment, header(slot), bit);
        if ((old & bit) == 0) {
            signal();
        }
    }

    @Override
    public void markReaderDisconnected(int reader) {
        checkOpen();
        checkReaderIndex(reader);
        setBitEverywhere(reader);
        attached.getAndUpdate(m -> m & ~(1 << reader));
    }

    private void setBitEverywhere(int reader) {
        for (int slot = 0; slot < slotCount; slot++) {
            orSlotMask(segment, header(slot), 1 << reader);
        }
        signal();
    }

    /** The reference has no waiter count: every change wakes (as the reference writer does). */
    private void signal() {
        incrementNotify(segment, 0);
        futex.wake();
    }

    // ------------------------------------------------------------------ registry: local only

    @Override
    public int attachReader() {
        checkOpen();
        throw new UnsupportedOperationException(outer + " is a plain reference segment without a reader registry:"
                + " attach with the reader index discovery assigned, attachReader(index)");
    }

    @Override
    public int attachReader(int reader) {
        checkOpen();
        checkReaderIndex(reader);
        int bit = 1 << reader;
        if ((attached.getAndUpdate(m -> m | bit) & bit) != 0) {
            throw new ReaderLimitException("reader index=" + reader + " of " + outer + " is in use (attached)");
        }
        long nextSequence = currentNext();
        long start = nextSequence;
        for (int slot = 0; slot < slotCount; slot++) {
            long sequence = unread(slot, bit, nextSequence);
            if (sequence != NO_SEQUENCE && sequence < start) {
                start = sequence;
            }
        }
        startSequence[reader] = start;
        return reader;
    }

    @Override
    public void detachReader(int reader) {
        checkOpen();
        checkReaderIndex(reader);
        if ((attached.getAndUpdate(m -> m & ~(1 << reader)) & (1 << reader)) != 0) {
            // as on lease expiry: the writer no longer waits for what this reader left unread
            setBitEverywhere(reader);
        }
    }

    @Override
    public int activeReaders() {
        return attached.get();
    }

    @Override
    public long readerStartSequence(int reader) {
        checkReaderIndex(reader);
        return startSequence[reader];
    }

    // ------------------------------------------------------------------ geometry

    @Override
    public int slotCount() {
        return slotCount;
    }

    @Override
    public int slotTotalSize() {
        return slotTotalSize;
    }

    @Override
    public int slotCapacity() {
        return capacity;
    }

    @Override
    public Optional<byte[]> typeHash() {
        return Optional.empty();
    }

    // ------------------------------------------------------------------ notify

    @Override
    public long notifyGeneration() {
        return Integer.toUnsignedLong(futex.generation());
    }

    @Override
    public boolean waitForChange(long last, long timeoutNanos) {
        checkOpen();
        SegmentSlotBackend.checkTimeout(timeoutNanos);
        int expected = (int) last;
        if (futex.generation() != expected) {
            return true;
        }
        if (timeoutNanos == 0) {
            return false;
        }
        return futex.await(expected, timeoutNanos, null);
    }

    /**
     * Advances the notify word and wakes every waiter: the reference writer only ever increments
     * it too, so an extra increment is one spurious (and harmless) wake-up for its waiters.
     */
    @Override
    public void wakeAll() {
        if (!closed) {
            incrementNotify(segment, 0);
            futex.wake();
        }
    }

    // ------------------------------------------------------------------ lifecycle

    void markClosed() {
        closed = true;
        incrementNotify(segment, 0);
        futex.wake();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        outer.close();
    }

    @Override
    public String toString() {
        return outer.toString();
    }
}
