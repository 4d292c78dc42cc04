package io.zerodds.flatdata.iceoryx2;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zerodds.flatdata.RingCounters;
import io.zerodds.flatdata.SampleTooLargeException;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.SlotStateException;
import io.zerodds.flatdata.SlotTimeoutException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The writer half of an {@link Iceoryx2SlotBackend}: this process's iceoryx2 publisher, created at
 * the first reservation, and its loans in a table of {@code slotCount} slots. A slot is free,
 * loaned (a chunk written in place through its view), committed (sent with its header and an
 * event) or discarded (returned unsent); the end of the stream is a sample with only the
 * end-of-stream flag. One {@link PortLock} orders the calls, which may come from any thread, as the
 * native publisher wants them one at a time; {@link #close()} takes it too, so a call in flight
 * finishes before the publisher is freed.
 */
final class WriterPort {

    private static final byte FREE = 0;
    private static final byte LOANED = 1;
    private static final byte COMMITTED = 2;
    private static final byte DISCARDED = 3;

    private final Iceoryx2SlotBackend owner;
    private final String name;
    private final NativeRing ring;
    private final Arena arena;
    private final EventWaiter events;
    private final RingCounters counters;
    private final int slotCount;
    private final int slotCapacity;

    // guarded by writerLock
    private final PortLock writerLock = new PortLock();
    private final MemorySegment loanOut;
    private final byte[] loanState;
    private final MemorySegment[] loanView;
    private MemorySegment writer;
    private Arena writeScope;
    private ChunkViews writeViews;
    private long nextSequence;
    private volatile long writerEnd = SlotBackend.OPEN_STREAM;
    private volatile boolean writerExists;
    private volatile boolean writerWaiting;

    WriterPort(Iceoryx2SlotBackend owner, NativeRing ring, Arena arena, EventWaiter events, RingCounters counters,
               int slotCount, int slotCapacity, long initialSequence) {
        this.owner = owner;
        this.name = ring.name();
        this.ring = ring;
        this.arena = arena;
        this.events = events;
        this.counters = counters;
        this.slotCount = slotCount;
        this.slotCapacity = slotCapacity;
        this.nextSequence = initialSequence;
        this.loanOut = NativeRing.callBuffer(arena, ADDRESS);
        this.loanState = new byte[slotCount];
        this.loanView = new MemorySegment[slotCount];
    }

    /**
     * Whether a release should be announced with an event: while this process has no publisher
     * (the writer is elsewhere, and may be waiting) or while its reservation found no free chunk.
     */
    boolean wantsFrees() {
        return !writerExists || writerWaiting;
    }

    /** The sequence this process's writer ended its stream at, or {@code SlotBackend.OPEN_STREAM}. */
    long endSequence() {
        return writerEnd;
    }

    /**
     * Loans a chunk into the first free slot, creating the publisher first; {@code NO_FREE_SLOT}
     * when every chunk is in use ({@code willWait}: the caller will wait for one, so releases
     * are announced until a loan succeeds).
     */
    int reserve(boolean willWait) {
        writerLock.lock();
        try {
            owner.checkOpen();
            if (writerEnd != SlotBackend.OPEN_STREAM) {
                throw new SlotStateException("the stream of \"" + name + "\" ended at sequence=" + writerEnd);
            }
            ensureWriter();
            int slot = 0;
            while (slot < slotCount && loanState[slot] == LOANED) {
                slot++;
            }
            if (slot == slotCount) {
                return SlotBackend.NO_FREE_SLOT;
            }
            int code = NativeRing.loan(writer, slot, loanOut);
            if (code == NativeAbi.NONE) {
                if (willWait) {
                    writerWaiting = true;
                }
                return SlotBackend.NO_FREE_SLOT;
            }
            NativeRing.check(code, "loan from", name);
            if (writerWaiting) {
                writerWaiting = false; // a volatile store only when it changes
            }
            loanState[slot] = LOANED;
            loanView[slot] = writeViews.view(loanOut.get(JAVA_LONG, 0), slotCapacity);
            return slot;
        } finally {
            writerLock.unlock();
        }
    }

    private void ensureWriter() {
        if (writer == null) {
            writer = ring.createWriter(arena, slotCount, slotCapacity);
            writeScope = Arena.ofShared();
            writeViews = new ChunkViews(writeScope, slotCount, false);
            writerExists = true;
            events.advanceAndNotify(EventWaiter.EVENT_HELLO); // readers elsewhere connect now
        }
    }

    long commit(int slot, MemorySegment bytes) {
        writerLock.lock();
        try {
            MemorySegment out = loaned(slot, "commit");
            long size = bytes.byteSize();
            checkFits(size);
            MemorySegment.copy(bytes, 0, out, 0, size);
            return publish(slot, (int) size);
        } finally {
            writerLock.unlock();
        }
    }

    long commit(int slot, byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        writerLock.lock();
        try {
            MemorySegment out = loaned(slot, "commit");
            checkFits(length);
            MemorySegment.copy(bytes, offset, out, JAVA_BYTE, 0, length);
            return publish(slot, length);
        } finally {
            writerLock.unlock();
        }
    }

    long commitInPlace(int slot, int length) {
        writerLock.lock();
        try {
            loaned(slot, "commit");
            checkFits(length);
            return publish(slot, length);
        } finally {
            writerLock.unlock();
        }
    }

    private void checkFits(long size) {
        if (size > slotCapacity) {
            throw new SampleTooLargeException(size, slotCapacity);
        }
    }

    /** Publishes the loan in {@code slot}; refuses a length that is not positive. */
    private long publish(int slot, int length) {
        if (length <= 0) {
            throw new IllegalArgumentException("length=" + length + " must be positive");
        }
        long sequence = nextSequence;
        loanState[slot] = COMMITTED;
        loanView[slot] = null;
        events.noteSent();
        counters.recordCommitted();
        NativeRing.check(NativeRing.commit(writer, slot, sequence, length, 0, ring.handle(), EventWaiter.EVENT_SENT),
                "send on", name);
        nextSequence = sequence + 1;
        return sequence;
    }

    void discard(int slot) {
        writerLock.lock();
        try {
            loaned(slot, "discard");
            loanState[slot] = DISCARDED;
            loanView[slot] = null;
            NativeRing.check(NativeRing.discard(writer, slot), "discard on", name);
        } finally {
            writerLock.unlock();
        }
    }

    MemorySegment view(int slot) {
        // the writer thread asks for the slot it just reserved: it wrote the view itself and reads
        // it back without the lock; a slot it committed or discarded since holds no view, and the
        // locked path says why
        owner.checkOpen();
        owner.checkSlot(slot);
        MemorySegment view = loanView[slot];
        if (view != null) {
            return view;
        }
        writerLock.lock();
        try {
            return loaned(slot, "write");
        } finally {
            writerLock.unlock();
        }
    }

    /** The loaned slot's writable view, or the exception that says why it is not loaned. */
    private MemorySegment loaned(int slot, String action) {
        owner.checkOpen();
        owner.checkSlot(slot);
        byte state = loanState[slot];
        if (state != LOANED) {
            String why = switch (state) {
                case COMMITTED -> "it was already committed";
                case DISCARDED -> "it was discarded";
                default -> "it is not loaned";
            };
            throw new SlotStateException("cannot " + action + " slot " + slot + " of \"" + name + "\": " + why
                    + " (not loaned)");
        }
        return loanView[slot];
    }

    void endStream() {
        writerLock.lock();
        try {
            owner.checkOpen();
            if (writerEnd != SlotBackend.OPEN_STREAM) {
                return;
            }
            for (int slot = 0; slot < slotCount; slot++) {
                if (loanState[slot] == LOANED) {
                    throw new SlotStateException("cannot end the stream of \"" + name + "\": slot " + slot
                            + " is still loaned (commit or discard it first)");
                }
            }
            ensureWriter();
            long deadline = System.nanoTime() + Iceoryx2SlotBackend.END_MARKER_PATIENCE.toNanos();
            int code;
            while ((code = NativeRing.loan(writer, 0, loanOut)) == NativeAbi.NONE) {
                long generation = events.generation();
                writerWaiting = true;
                owner.checkOpen();
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new SlotTimeoutException("no free chunk to carry the end of the stream of \"" + name
                            + "\" for " + Iceoryx2SlotBackend.END_MARKER_PATIENCE + ": readers hold every chunk");
                }
                events.await(generation, remaining);
            }
            NativeRing.check(code, "loan the end marker from", name);
            writerWaiting = false;
            events.noteSent();
            NativeRing.check(NativeRing.commit(writer, 0, nextSequence, 0, ReceivedSamples.FLAG_END_OF_STREAM,
                    ring.handle(), EventWaiter.EVENT_SENT), "send the end marker on", name);
            loanState[0] = FREE;
            writerEnd = nextSequence;
        } finally {
            writerLock.unlock();
        }
    }

    /** Closes the publisher, returning its loans; calls after it fail on the owner's closed check. */
    void close() {
        writerLock.lock();
        try {
            if (writer != null) {
                NativeRing.closeWriter(writer);
                writer = null;
                writeScope.close();
            }
        } finally {
            writerLock.unlock();
        }
    }
}
