package io.zerodds.flatdata;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;

/**
 * The writing end of a slot ring, generic over any {@link SlotBackend}. One thread writes.
 *
 * <pre>{@code
 * FlatWriter writer = FlatWriter.reliable(backend, Duration.ofSeconds(1));
 * writer.write("hello".getBytes());                 // copy
 * try (FlatWriter.Claim claim = writer.loan()) {    // in place, no copy
 *     claim.segment().set(ValueLayout.JAVA_LONG, 0, 42L);
 *     claim.commit(8);                              // closing without commit discards
 * }
 * }</pre>
 *
 * <h2>When the ring is full</h2>
 * A <em>reliable</em> writer waits, event-driven, until a reader frees a slot, at most its timeout,
 * then throws {@link SlotTimeoutException}. A <em>best-effort</em> writer drops the sample at once:
 * {@code write} returns {@link #DROPPED}, {@code loan} returns {@code null}, and
 * {@link #droppedCount()} counts it.
 *
 * <h2>Loan ahead</h2>
 * With readers attached, the writer reserves the next slot right after each commit (when one is
 * free), so the next {@code loan} or {@code write} finds it reserved and returns at once: in a
 * request-reply exchange the reservation runs while the other side works, not between receiving
 * and replying. Only a slot every attached reader is done with is reserved, so readers see no
 * difference. The writer so holds one slot between samples: {@link #endStream()} and
 * {@link #close()} give it back, while {@link SlotBackend#markEndOfStream()} called past an open
 * writer refuses, as for any open loan; a writer killed while holding it leaves one loan for the
 * next writer to reclaim. Where a reservation could cost a reader a sample, nothing is reserved
 * ahead ({@link SlotBackend#reservesAheadFreely()}: on the POSIX and in-memory rings, while no
 * reader is attached, since the ring keeps its last samples for whoever reads slots in place).
 * Build with {@link Builder#loanAhead(boolean) loanAhead(false)} for a writer that must hold no
 * slot between samples.
 *
 * <p>A reliable writer's wait is the JFR event {@link WriterWaitEvent io.zerodds.flatdata.WriterWait}
 * (disabled by default): one event per loan that had to wait, spanning the whole wait.
 */
public final class FlatWriter implements AutoCloseable {

    /** Returned by {@code write} of a best-effort writer when the ring was full. */
    public static final long DROPPED = -1L;

    /** Longest single wait, so a blocked writer re-checks for dead readers regularly. */
    private static final long MAX_WAIT_SLICE_NANOS = 100_000_000L;

    private final SlotBackend backend;
    private final FlatType<?> type;
    private final boolean reliable;
    private final long timeoutNanos;
    private final boolean loanAhead;
    private final Claim[] claims;
    /** The slot reserved after the last commit, or {@link SlotBackend#NO_FREE_SLOT}. */
    private int ahead = SlotBackend.NO_FREE_SLOT;
    /** The payload of {@link #ahead}, when the reservation got it too. */
    private MemorySegment aheadSegment;
    private long dropped;
    private boolean closed;

    private FlatWriter(Builder b) {
        this.backend = b.backend;
        this.type = b.type;
        this.reliable = b.reliable;
        this.timeoutNanos = b.timeoutNanos;
        this.loanAhead = b.loanAhead;
        this.claims = new Claim[backend.slotCount()];
        if (type != null) {
            SampleChecks.checkType(backend, type, "writer");
        }
    }

    /** A writer that waits up to {@code timeout} for a free slot. */
    public static FlatWriter reliable(SlotBackend backend, Duration timeout) {
        return builder(backend).reliable(timeout).build();
    }

    /** A writer that drops (and counts) a sample when the ring is full. */
    public static FlatWriter bestEffort(SlotBackend backend) {
        return builder(backend).bestEffort().build();
    }

    public static Builder builder(SlotBackend backend) {
        return new Builder(backend);
    }

    /** Copies {@code bytes} into a slot and publishes it; returns its sequence or {@link #DROPPED}. */
    public long write(byte[] bytes) {
        return write(bytes, 0, bytes.length);
    }

    /** Copies {@code bytes[offset, offset + length)} into a slot; returns its sequence or {@link #DROPPED}. */
    public long write(byte[] bytes, int offset, int length) {
        checkOpen();
        Objects.checkFromIndexSize(offset, length, bytes.length);
        SampleChecks.checkLength(length, backend.slotCapacity());
        int slot = acquire();
        if (slot < 0) {
            return DROPPED;
        }
        try {
            return committed(backend.commitSlot(slot, bytes, offset, length));
        } catch (RuntimeException | Error e) {
            discardAfter(slot, e);
            throw e;
        }
    }

    /** Copies {@code bytes} into a slot; returns its sequence or {@link #DROPPED}. */
    public long write(MemorySegment bytes) {
        checkOpen();
        SampleChecks.checkLength(bytes.byteSize(), backend.slotCapacity());
        int slot = acquire();
        if (slot < 0) {
            return DROPPED;
        }
        try {
            return committed(backend.commitSlot(slot, bytes));
        } catch (RuntimeException | Error e) {
            discardAfter(slot, e);
            throw e;
        }
    }

    /** Encodes {@code value} straight into a slot with the writer's type; returns its sequence or {@link #DROPPED}. */
    public <T> long write(FlatType<T> valueType, T value) {
        checkOpen();
        if (valueType != type && (type == null || !valueType.sameHash(type.typeHash()))) {
            throw new TypeMismatchException("value type " + valueType.canonicalText() + " differs from writer type "
                    + (type == null ? "none (build the writer with .type(...))" : type.canonicalText()));
        }
        int slot = acquire();
        if (slot < 0) {
            return DROPPED;
        }
        try {
            valueType.encode(value, backend.slotDataPtr(slot));
            return committed(backend.commitInPlace(slot, (int) valueType.byteSize()));
        } catch (RuntimeException | Error e) {
            discardAfter(slot, e);
            throw e;
        }
    }

    /**
     * Loans a slot for writing in place. Returns {@code null} when a best-effort writer finds the
     * ring full; a reliable writer waits up to its timeout.
     */
    public Claim loan() {
        checkOpen();
        MemorySegment segment = ahead != SlotBackend.NO_FREE_SLOT ? aheadSegment : null;
        int slot = acquire();
        if (slot < 0) {
            return null;
        }
        Claim claim = claims[slot];
        if (claim == null) {
            claim = new Claim();
            claims[slot] = claim;
        }
        claim.open(slot, segment != null ? segment : backend.slotDataPtr(slot));
        return claim;
    }

    private int acquire() {
        int slot = ahead;
        if (slot != SlotBackend.NO_FREE_SLOT) {
            if (backend.isClosed()) { // the one call that did not go to the backend
                throw new BackendClosedException(backend.toString());
            }
            ahead = SlotBackend.NO_FREE_SLOT;
            return slot;
        }
        // only the reserve right before a wait asks readers to signal frees
        slot = backend.reserveSlotNoWait();
        if (slot >= 0) {
            return slot;
        }
        RingCounters counters = backend.counters();
        counters.recordRingFull();
        if (!reliable) {
            dropped++;
            counters.recordDropped();
            return -1;
        }
        long start = System.nanoTime();
        long deadline = start + timeoutNanos;
        WriterWaitEvent wait = null; // one event for the whole wait, once it really waits
        try {
            while (true) {
                long generation = backend.notifyGeneration();
                slot = backend.reserveSlot();
                if (slot >= 0) {
                    return slot;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new SlotTimeoutException("no free slot in " + backend + " within "
                            + Duration.ofNanos(timeoutNanos) + " (active readers=0x"
                            + Integer.toHexString(backend.activeReaders()) + ")");
                }
                if (wait == null) {
                    wait = WriterWaitEvent.beginWait(backend, 0); // null unless a recording wants it
                }
                backend.waitForChange(generation, Math.min(remaining, MAX_WAIT_SLICE_NANOS));
            }
        } finally {
            counters.recordWait(System.nanoTime() - start);
            if (wait != null) {
                wait.endWait(backend, slot >= 0);
            }
        }
    }

    /**
     * After a commit: reserves the next slot (loan ahead) and returns {@code sequence}. Only where
     * the backend says a reservation costs no reader a sample (on a ring without readers, it
     * would wipe the oldest of the last samples it keeps for whoever reads in place). The sample
     * is published whatever happens here: a reservation that fails leaves none, and the next loan
     * or write meets the same condition (a full ring, a closed backend) and reports it.
     */
    private long committed(long sequence) {
        // one slot ahead at most, also with several claims open
        if (loanAhead && ahead == SlotBackend.NO_FREE_SLOT) {
            aheadSegment = null;
            try {
                if (!backend.reservesAheadFreely()) {
                    return sequence;
                }
                ahead = backend.reserveSlotNoWait();
                if (ahead != SlotBackend.NO_FREE_SLOT) {
                    aheadSegment = backend.slotDataPtr(ahead);
                }
            } catch (RuntimeException e) {
                // no slot when the reservation failed; the slot without its payload otherwise
            }
        }
        return sequence;
    }

    /** Discards {@code slot}, whose write failed with {@code failure}, so the writer loses no slot. */
    private void discardAfter(int slot, Throwable failure) {
        try {
            backend.discardSlot(slot);
        } catch (RuntimeException e) {
            failure.addSuppressed(e); // a backend closed meanwhile, say: the failure is the news
        }
    }

    /** Gives the slot reserved ahead back to the ring. */
    private void discardAhead() {
        int slot = ahead;
        ahead = SlotBackend.NO_FREE_SLOT;
        if (slot != SlotBackend.NO_FREE_SLOT && !backend.isClosed()) {
            backend.discardSlot(slot);
        }
    }


    private void checkOpen() {
        if (closed) {
            throw new BackendClosedException("writer on " + backend);
        }
    }

    /**
     * Ends the stream: readers deliver what was committed, then report the end
     * ({@link FlatReader#isEndOfStream()}; a reactive reader completes). Later writes throw
     * {@link SlotStateException}. Idempotent.
     */
    public void endStream() {
        checkOpen();
        discardAhead();
        backend.markEndOfStream();
    }

    /** Samples a best-effort writer dropped because the ring was full. */
    public long droppedCount() {
        return dropped;
    }

    public SlotBackend backend() {
        return backend;
    }

    /** Discards every open claim and the slot reserved ahead. The backend stays open. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Claim claim : claims) {
            if (claim != null && claim.open && !backend.isClosed()) {
                claim.abort();
            }
        }
        discardAhead();
    }

    /**
     * A loaned slot, written in place. Commit publishes it; {@link #abort()} or {@link #close()}
     * without a commit discards it. A claim object is reused for later loans of the same slot:
     * do not keep it after commit or abort.
     */
    public final class Claim implements AutoCloseable {
        private int slot = -1;
        private MemorySegment segment;
        private boolean open;

        private Claim() {
        }

        private void open(int slot, MemorySegment segment) {
            this.slot = slot;
            this.segment = segment;
            this.open = true;
        }

        private void checkClaimOpen(String operation) {
            if (!open) {
                throw new SlotStateException("cannot " + operation + " claim of slot " + slot
                        + ": it was committed or aborted already");
            }
        }

        /** The slot's payload, writable, {@link SlotBackend#slotCapacity()} bytes. */
        public MemorySegment segment() {
            checkClaimOpen("access");
            return segment;
        }

        /** The slot index in the ring. */
        public int slot() {
            return slot;
        }

        /** Publishes the first {@code length} bytes; returns the sample's sequence number. */
        public long commit(int length) {
            checkClaimOpen("commit");
            long sequence = backend.commitInPlace(slot, length);
            open = false;
            return committed(sequence);
        }

        /** Publishes a sample of the writer's type ({@link FlatType#byteSize()} bytes). */
        public long commit() {
            if (type == null) {
                throw new IllegalStateException("commit() needs a typed writer; use commit(length)");
            }
            return commit((int) type.byteSize());
        }

        /** Discards the loan: nothing is published and the slot is free again. */
        public void abort() {
            checkClaimOpen("abort");
            open = false;
            backend.discardSlot(slot);
        }

        public boolean isOpen() {
            return open;
        }

        /** Discards the claim if it was not committed. */
        @Override
        public void close() {
            if (open) {
                abort();
            }
        }
    }

    /** Settings of a writer. */
    public static final class Builder {
        private final SlotBackend backend;
        private FlatType<?> type;
        private boolean reliable = true;
        private long timeoutNanos = Duration.ofSeconds(5).toNanos();
        private boolean loanAhead = true;

        private Builder(SlotBackend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
        }

        /** Binds the writer to a sample type; the backend must carry the same type hash. */
        public Builder type(FlatType<?> type) {
            this.type = Objects.requireNonNull(type, "type");
            return this;
        }

        /** Wait up to {@code timeout} for a free slot (the default, with 5 seconds). */
        public Builder reliable(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("timeout=" + timeout + " must not be negative");
            }
            this.reliable = true;
            this.timeoutNanos = saturatedNanos(timeout);
            return this;
        }

        /** Drop and count a sample when the ring is full. */
        public Builder bestEffort() {
            this.reliable = false;
            return this;
        }

        /**
         * Whether to reserve the next slot right after each commit while readers are attached
         * (default {@code true}; see "Loan ahead" in {@link FlatWriter}). Turn off for a writer
         * that must hold no slot between samples, e.g. when other code ends the stream with
         * {@link SlotBackend#markEndOfStream()} while this writer is open.
         */
        public Builder loanAhead(boolean loanAhead) {
            this.loanAhead = loanAhead;
            return this;
        }

        public FlatWriter build() {
            if (backend.isClosed()) {
                throw new BackendClosedException(backend.toString());
            }
            return new FlatWriter(this);
        }
    }

    static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
