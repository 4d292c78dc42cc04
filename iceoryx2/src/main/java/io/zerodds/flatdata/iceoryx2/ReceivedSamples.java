package io.zerodds.flatdata.iceoryx2;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zerodds.flatdata.ReaderDisconnectedException;
import io.zerodds.flatdata.ReaderLimitException;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.SlotSample;
import io.zerodds.flatdata.SlotStateException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The reading side of one backend: a single iceoryx2 subscriber, shared by this process's
 * readers (indexes 0..31), and a table of {@code slots} received samples that fans them out.
 *
 * <p>Each received sample gets the next local sequence number (gap-free, so {@code FlatReader}
 * and the reactive reader take them in order), the mask of readers attached when it arrived, and
 * stays held (its iceoryx2 chunk unavailable to the writer) until each of them marked it read or
 * left. A full table stops receiving: samples wait in the subscriber's queue, the writer's chunks
 * run out and it sees a full ring, which is the backpressure of a slot ring carried over
 * iceoryx2. The subscriber exists while at least one reader is attached, so with no reader the
 * writer never waits for this process. Thread-safe: every method but {@link #view(int)} and
 * {@link #active()} holds the subscriber's {@link PortLock}.
 */
final class ReceivedSamples {

    /** Header flag of the sample that ends the stream; it carries no payload and is not delivered. */
    static final int FLAG_END_OF_STREAM = 1;

    private final PortLock lock = new PortLock();
    private final NativeRing ring;
    private final EventWaiter events;
    private final int slots;
    private final MemorySegment received;
    private final long[] sequence;
    private final long[] writerSequence;
    private final int[] length;
    private final int[] wanted;
    private final int[] readMask;
    private final MemorySegment[] view;
    private final int[] hint;
    private final long[] start = new long[SlotBackend.MAX_READERS];
    private MemorySegment reader;
    private Arena viewScope;
    private ChunkViews views;
    private volatile int attached;
    private volatile int disconnected;
    private long next;
    private long endOfStream = SlotBackend.OPEN_STREAM;
    private int held;
    private int cursor;
    private volatile boolean closed;
    private long unwanted;
    /** Set by the owner: whether a free must announce itself (a writer could be waiting for it). */
    private final java.util.function.BooleanSupplier announceFrees;

    ReceivedSamples(NativeRing ring, EventWaiter events, Arena arena, int slots, long initialSequence,
                    java.util.function.BooleanSupplier announceFrees) {
        this.ring = ring;
        this.events = events;
        this.slots = slots;
        this.received = NativeRing.callBuffer(arena, NativeAbi.RECEIVED);
        this.sequence = new long[slots];
        this.writerSequence = new long[slots];
        this.length = new int[slots];
        this.wanted = new int[slots];
        this.readMask = new int[slots];
        this.view = new MemorySegment[slots];
        int hints = Integer.highestOneBit(Math.max(2, slots) * 2 - 1) << 1;
        this.hint = new int[hints];
        java.util.Arrays.fill(sequence, SlotBackend.NO_SEQUENCE);
        this.next = initialSequence;
        this.announceFrees = announceFrees;
    }

    // ------------------------------------------------------------------ registry

    int active() {
        return attached & ~disconnected;
    }

    int attach(int index) {
        lock.lock();
        try {
            checkOpen();
            int taken = attached;
            if (index < 0) {
                if (taken == -1) {
                    throw new ReaderLimitException("all 32 reader indexes of \"" + ring.name() + "\" are attached");
                }
                index = Integer.numberOfTrailingZeros(~taken);
            } else if ((taken & (1 << index)) != 0) {
                throw new ReaderLimitException("reader index=" + index + " of \"" + ring.name() + "\" is attached already");
            }
            if (reader == null) {
                reader = ring.createReader(Arena.global(), slots);
                viewScope = Arena.ofShared();
                views = new ChunkViews(viewScope, slots, true);
            }
            // what is queued now was committed before this attach: it is not for the new reader
            while (pull()) {
                // keep draining
            }
            start[index] = next;
            attached = taken | (1 << index);
            disconnected &= ~(1 << index);
            return index;
        } finally {
            lock.unlock();
        }
    }

    void detach(int index) {
        lock.lock();
        try {
            checkOpen();
            int bit = 1 << index;
            if ((attached & bit) == 0) {
                return;
            }
            attached &= ~bit;
            disconnected &= ~bit;
            forget(bit);
            if (attached == 0) {
                closeReader();
            }
        } finally {
            lock.unlock();
        }
    }

    void disconnect(int index) {
        lock.lock();
        try {
            checkOpen();
            int bit = 1 << index;
            if ((attached & bit) == 0 || (disconnected & bit) != 0) {
                return;
            }
            disconnected |= bit;
            forget(bit);
        } finally {
            lock.unlock();
        }
    }

    /** Marks every held sample read by the readers in {@code bits}, freeing what nobody else holds. */
    private void forget(int bits) {
        for (int slot = 0; slot < slots; slot++) {
            if (sequence[slot] != SlotBackend.NO_SEQUENCE) {
                readMask[slot] |= bits & wanted[slot];
                if (pending(slot) == 0) {
                    free(slot);
                }
            }
        }
    }

    /** Samples received into this process that reader {@code index} has not marked read. */
    int unread(int index) {
        lock.lock();
        try {
            int bit = 1 << index;
            int n = 0;
            for (int slot = 0; slot < wanted.length; slot++) {
                if ((pending(slot) & bit) != 0) {
                    n++;
                }
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** The readers that still have to read the sample in {@code slot}. */
    private int pending(int slot) {
        return wanted[slot] & ~readMask[slot];
    }

    long startSequence(int index) {
        lock.lock();
        try {
            checkOpen();
            checkAttached(index);
            return start[index];
        } finally {
            lock.unlock();
        }
    }

    long endOfStream() {
        lock.lock();
        try {
            return endOfStream;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ taking

    int nextUnread(int index) {
        lock.lock();
        try {
            checkOpen();
            checkConnected(index);
            int bit = 1 << index;
            while (true) {
                int best = SlotBackend.NO_SLOT;
                long bestSequence = Long.MAX_VALUE;
                for (int slot = 0; slot < slots; slot++) {
                    long s = sequence[slot];
                    if (s != SlotBackend.NO_SEQUENCE && (pending(slot) & bit) != 0 && s < bestSequence) {
                        best = slot;
                        bestSequence = s;
                    }
                }
                if (best != SlotBackend.NO_SLOT || !pull()) {
                    return best;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    int nextUnread(int index, long expected) {
        lock.lock();
        try {
            checkOpen();
            checkConnected(index);
            while (expected >= next) {
                if (!pull()) {
                    return SlotBackend.NO_SLOT;
                }
            }
            int slot = find(expected);
            int bit = 1 << index;
            if (slot == SlotBackend.NO_SLOT || (pending(slot) & bit) == 0) {
                throw new IllegalStateException("reader index=" + index + " of \"" + ring.name() + "\" asked for sequence="
                        + expected + ", which it has taken already or was never given (marked read twice?)");
            }
            return slot;
        } finally {
            lock.unlock();
        }
    }

    private int find(long s) {
        int slot = hint[(int) s & (hint.length - 1)];
        if (sequence[slot] == s) {
            return slot;
        }
        for (int i = 0; i < slots; i++) {
            if (sequence[i] == s) {
                return i;
            }
        }
        return SlotBackend.NO_SLOT;
    }

    /** Receives one queued sample into a free slot; false when none is queued or no slot is free. */
    private boolean pull() {
        if (reader == null || held == slots) {
            return false;
        }
        int slot = cursor;
        while (sequence[slot] != SlotBackend.NO_SEQUENCE) {
            slot = slot + 1 == slots ? 0 : slot + 1;
        }
        int code = NativeRing.receive(reader, slot, received);
        if (code == NativeAbi.NONE) {
            return false;
        }
        NativeRing.check(code, "receive from", ring.name());
        cursor = slot + 1 == slots ? 0 : slot + 1;
        long address = received.get(JAVA_LONG, NativeAbi.RECEIVED_PAYLOAD);
        long sliceLength = received.get(JAVA_LONG, NativeAbi.RECEIVED_SLICE_LEN);
        int size = received.get(JAVA_INT, NativeAbi.RECEIVED_LENGTH);
        int flags = received.get(JAVA_INT, NativeAbi.RECEIVED_FLAGS);
        if ((flags & FLAG_END_OF_STREAM) != 0) {
            endOfStream = next;
            NativeRing.check(NativeRing.release(reader, slot, MemorySegment.NULL, 0), "release the end-of-stream marker");
            return true;
        }
        if (Integer.toUnsignedLong(size) > sliceLength) {
            NativeRing.check(NativeRing.release(reader, slot, MemorySegment.NULL, 0), "release a malformed sample");
            throw new IllegalStateException("a writer on \"" + ring.name() + "\" sent a sample whose header says length="
                    + Integer.toUnsignedLong(size) + " but whose payload is " + sliceLength
                    + " bytes; the sample was dropped");
        }
        int want = active();
        if (want == 0) {
            unwanted++;
            NativeRing.check(NativeRing.release(reader, slot, MemorySegment.NULL, 0), "release");
            return true;
        }
        long s = next++;
        sequence[slot] = s;
        writerSequence[slot] = received.get(JAVA_LONG, NativeAbi.RECEIVED_SEQUENCE);
        length[slot] = size;
        wanted[slot] = want;
        readMask[slot] = 0;
        view[slot] = views.view(address, size);
        hint[(int) s & (hint.length - 1)] = slot;
        held++;
        return true;
    }

    /**
     * Connects the subscriber to writers that appeared since its last receive; true when this
     * process has a subscriber to connect. A writer's blocking send waits only for connected
     * readers, so a new writer announces itself and readers connect before it sends.
     */
    boolean connect() {
        lock.lock();
        try {
            if (reader == null || closed) {
                return false;
            }
            NativeRing.updateConnections(reader);
            return true;
        } finally {
            lock.unlock();
        }
    }

    void markRead(int slot, int index) {
        lock.lock();
        try {
            checkOpen();
            checkSlot(slot);
            if (sequence[slot] == SlotBackend.NO_SEQUENCE) {
                return;
            }
            readMask[slot] |= (1 << index) & wanted[slot];
            if (pending(slot) == 0) {
                free(slot);
            }
        } finally {
            lock.unlock();
        }
    }

    private void free(int slot) {
        // a writer may be waiting for the chunk: tell it in the same crossing as the release
        boolean announce = announceFrees.getAsBoolean();
        if (announce) {
            events.noteReleased();
        }
        NativeRing.check(NativeRing.release(reader, slot, announce ? ring.handle() : MemorySegment.NULL,
                EventWaiter.EVENT_RELEASED), "release a received sample of", ring.name());
        sequence[slot] = SlotBackend.NO_SEQUENCE;
        view[slot] = null;
        held--;
    }

    // ------------------------------------------------------------------ views

    /**
     * The view of a received sample. No lock: the reader thread calling it took the slot with
     * {@code nextUnread} under the lock, after whichever thread received the sample released
     * it, so it sees the view; a view read without that order is a misuse the contract forbids,
     * and at worst sees {@code null} here and is refused.
     */
    MemorySegment view(int slot) {
        checkSlot(slot);
        MemorySegment v = view[slot];
        if (v == null) {
            checkOpen();
            throw new SlotStateException("slot " + slot + " of \"" + ring.name() + "\" holds no received sample");
        }
        return v;
    }

    long sequence(int slot) {
        lock.lock();
        try {
            checkOpen();
            checkSlot(slot);
            return sequence[slot];
        } finally {
            lock.unlock();
        }
    }

    long writerSequence(int slot) {
        lock.lock();
        try {
            checkSlot(slot);
            return sequence[slot] == SlotBackend.NO_SEQUENCE ? SlotBackend.NO_SEQUENCE : writerSequence[slot];
        } finally {
            lock.unlock();
        }
    }

    SlotSample copy(int slot) {
        lock.lock();
        try {
            checkOpen();
            checkSlot(slot);
            if (sequence[slot] == SlotBackend.NO_SEQUENCE) {
                return new SlotSample(SlotBackend.NO_SEQUENCE, 0, 0, new byte[0]);
            }
            return new SlotSample(sequence[slot], length[slot], readMask[slot] | disconnected,
                    view[slot].toArray(JAVA_BYTE));
        } finally {
            lock.unlock();
        }
    }

    long unwanted() {
        lock.lock();
        try {
            return unwanted;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ checks, close

    private void checkSlot(int slot) {
        if (slot < 0 || slot >= slots) {
            throw new IndexOutOfBoundsException("slot=" + slot + " outside [0, " + slots + ")");
        }
    }

    private void checkAttached(int index) {
        if ((attached & (1 << index)) == 0) {
            throw new IllegalStateException("reader index=" + index + " of \"" + ring.name() + "\" is not attached");
        }
    }

    private void checkConnected(int index) {
        checkAttached(index);
        if ((disconnected & (1 << index)) != 0) {
            throw new ReaderDisconnectedException(index, "iceoryx2 service \"" + ring.name() + "\"");
        }
    }

    private void closeReader() {
        if (reader == null) {
            return;
        }
        for (int slot = 0; slot < slots; slot++) {
            sequence[slot] = SlotBackend.NO_SEQUENCE;
            view[slot] = null;
        }
        held = 0;
        NativeRing.closeReader(reader);
        reader = null;
        viewScope.close(); // views handed out throw from here on instead of reading unmapped memory
        viewScope = null;
        views = null;
    }

    private void checkOpen() {
        if (closed) {
            throw new io.zerodds.flatdata.BackendClosedException("iceoryx2 service \"" + ring.name() + "\"");
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            attached = 0;
            disconnected = 0;
            closeReader();
        } finally {
            lock.unlock();
        }
    }
}
