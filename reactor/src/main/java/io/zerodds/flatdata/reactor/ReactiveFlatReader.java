package io.zerodds.flatdata.reactor;

import io.zerodds.flatdata.BackendClosedException;
import io.zerodds.flatdata.FlatType;
import io.zerodds.flatdata.SampleChecks;
import io.zerodds.flatdata.SlotBackend;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import reactor.core.publisher.Flux;

/**
 * A reader of a slot ring as a Project Reactor {@code Flux} of zero-copy {@link SampleView}s.
 *
 * <pre>{@code
 * try (ReactiveFlatReader reader = ReactiveFlatReader.attach(backend)) {
 *     reader.flux()
 *           .map(view -> view.getLong(0))          // read in place while onNext runs
 *           .take(1_000)
 *           .blockLast();
 * }
 * }</pre>
 *
 * <h2>Demand drives the ring</h2>
 * A sample is taken from the ring only while the subscriber has outstanding demand; nothing is
 * buffered outside the ring. Without demand, committed samples stay unread in their slots, the
 * writer runs out of free slots and is backpressured. With demand but no sample, the source waits
 * on {@link SlotBackend#waitForChange} on a dedicated thread of its own (never a Reactor scheduler
 * thread), after an optional short adaptive spin; it wakes on a commit, on new demand and on
 * cancellation, and uses no CPU while idle. Samples are delivered in sequence order, each exactly
 * once, on that thread.
 *
 * <h2>One subscriber at a time</h2>
 * The reader attaches its reader index when built: from then on it receives every sample the writer
 * commits. Its {@link #flux()} is unicast: a second concurrent subscriber gets an
 * {@link IllegalStateException}; a subscriber that comes after a cancelled or terminated one
 * (also while that one is still winding down, e.g. right after a {@code take(n)} completed) resumes
 * at the first sample not yet delivered. For a {@code Flux} on which every subscriber gets a reader index of its
 * own, attached at subscription and detached at termination, use {@link Builder#flux()}.
 *
 * <h2>Termination</h2>
 * The {@code Flux} completes when the writer ended the stream ({@code FlatWriter.endStream()},
 * {@code SlotBackend.markEndOfStream()}, or a {@link ReactiveFlatWriter} built with
 * {@link ReactiveFlatWriter.Builder#endStreamOnComplete()})
 * and every sample before the end was delivered; an end that arrives while the subscriber has no
 * demand is signalled with the next demand. An open stream never completes by itself: bound it
 * downstream ({@code take(n)}, {@code takeUntil}, ...) where needed. It fails with
 * {@link BackendClosedException} when the backend or this reader is closed, and with
 * {@link io.zerodds.flatdata.ReaderDisconnectedException} when the reader was disconnected.
 * Cancellation, error and completion release every view the source still holds.
 *
 * <p>See {@link SampleView} for the lifetime rules and {@link ReleaseMode} for when views are
 * released.
 */
public final class ReactiveFlatReader implements AutoCloseable {

    final ReaderLease lease;
    final ReleaseMode releaseMode;
    final int spinIterations;
    final int viewPoolSize;
    final ThreadFactory threadFactory;
    volatile long nextSequence;
    private final FluxSlotSource flux;

    private volatile FluxSlotSource.SlotSubscription current;
    private static final AtomicReferenceFieldUpdater<ReactiveFlatReader, FluxSlotSource.SlotSubscription> CURRENT =
            AtomicReferenceFieldUpdater.newUpdater(ReactiveFlatReader.class, FluxSlotSource.SlotSubscription.class,
                    "current");

    private ReactiveFlatReader(Builder b, int index) {
        this.lease = new ReaderLease(b.backend, index);
        this.releaseMode = b.releaseMode;
        this.spinIterations = b.spinIterations;
        this.viewPoolSize = b.viewPoolSize > 0 ? b.viewPoolSize
                : Math.max(1024, 2 * b.backend.slotCount());
        this.threadFactory = b.threadFactory != null ? b.threadFactory : r -> {
            Thread t = new Thread(r, "flatdata-reader-" + index);
            t.setDaemon(true);
            return t;
        };
        this.nextSequence = b.backend.readerStartSequence(index);
        this.flux = new FluxSlotSource(this);
    }

    /** Attaches a reader with the defaults (release after onNext, no spin). */
    public static ReactiveFlatReader attach(SlotBackend backend) {
        return builder(backend).build();
    }

    /** Settings for a reader of {@code backend}. */
    public static Builder builder(SlotBackend backend) {
        return new Builder(backend);
    }

    /**
     * The samples of this reader: unicast, delivered on the reader's own thread, completing at the
     * writer's end of stream (see the class documentation).
     */
    public Flux<SampleView> flux() {
        return flux;
    }

    /** This reader's index in the ring's reader mask. */
    public int readerIndex() {
        return lease.index;
    }

    /** The sequence number the next delivered sample carries. */
    public long nextSequence() {
        return nextSequence;
    }

    /** Retained views that were garbage-collected without release (each one was reported). */
    public long leakCount() {
        return lease.leakCount();
    }

    public SlotBackend backend() {
        return lease.backend;
    }

    /**
     * Closes the reader: an active subscription fails with {@link BackendClosedException}, the
     * writer no longer waits for this reader, and retained views may be recycled (reading them
     * then throws). The reader index is freed for reuse once the last retained view is released.
     * Idempotent.
     */
    @Override
    public void close() {
        lease.close();
        FluxSlotSource.SlotSubscription s = current;
        if (s != null) {
            s.wake();
        }
    }

    boolean claim(FluxSlotSource.SlotSubscription s) {
        return CURRENT.compareAndSet(this, null, s);
    }

    void unclaim(FluxSlotSource.SlotSubscription s) {
        CURRENT.compareAndSet(this, s, null);
    }

    void handOver(FluxSlotSource.SlotSubscription from, FluxSlotSource.SlotSubscription to) {
        CURRENT.compareAndSet(this, from, to);
    }

    FluxSlotSource.SlotSubscription current() {
        return current;
    }

    @Override
    public String toString() {
        return "ReactiveFlatReader[reader=" + lease.index + ", " + releaseMode + ", " + lease.backend + "]";
    }

    /** Settings of a reactive reader. */
    public static final class Builder {
        private final SlotBackend backend;
        private FlatType<?> type;
        private ReleaseMode releaseMode = ReleaseMode.AFTER_ON_NEXT;
        private int spinIterations;
        private int viewPoolSize;
        private ThreadFactory threadFactory;
        private int readerIndex = -1;

        private Builder(SlotBackend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
        }

        /** Checks at attach time that the ring carries {@code type}'s hash and fits its layout. */
        public Builder type(FlatType<?> type) {
            this.type = Objects.requireNonNull(type, "type");
            return this;
        }

        /** When views are released (default {@link ReleaseMode#AFTER_ON_NEXT}). */
        public Builder releaseMode(ReleaseMode mode) {
            this.releaseMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Upper bound of the busy-spin (in {@link Thread#onSpinWait()} iterations, followed by a few
         * {@link Thread#yield()}s) before the source blocks on the backend; adaptive between a quarter
         * of the bound and the bound. Default 0: purely event-driven, which measured best on a
         * loaded 2-core machine; a few hundred iterations can cut wake-up latency where a core is
         * free. The spin runs only while a subscriber has demand and the ring just went empty, so
         * an idle reader uses no CPU either way.
         */
        public Builder spinIterations(int iterations) {
            if (iterations < 0) {
                throw new IllegalArgumentException("spinIterations=" + iterations + " must be >= 0");
            }
            this.spinIterations = iterations;
            return this;
        }

        /**
         * Number of pooled views recycled in FIFO order (see {@link SampleView}); at least
         * {@code slotCount + 1}. Default {@code max(1024, 2 × slotCount)}.
         */
        public Builder viewPoolSize(int size) {
            if (size <= backend.slotCount()) {
                throw new IllegalArgumentException("viewPoolSize=" + size + " must exceed slotCount="
                        + backend.slotCount());
            }
            this.viewPoolSize = size;
            return this;
        }

        /** Where the source thread comes from (default: a daemon platform thread per subscription). */
        public Builder threadFactory(ThreadFactory factory) {
            this.threadFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /** Attach at this reader index (as discovery assigns it) instead of the lowest free one. */
        public Builder readerIndex(int index) {
            if (index < 0 || index >= SlotBackend.MAX_READERS) {
                throw new IllegalArgumentException("readerIndex=" + index + " outside 0.." + (SlotBackend.MAX_READERS - 1));
            }
            this.readerIndex = index;
            return this;
        }

        /** Attaches the reader now: it receives every sample committed from here on. */
        public ReactiveFlatReader build() {
            if (backend.isClosed()) {
                throw new BackendClosedException(backend.toString());
            }
            if (type != null) {
                SampleChecks.checkType(backend, type, "reader");
            }
            int index = readerIndex >= 0 ? backend.attachReader(readerIndex) : backend.attachReader();
            try {
                return new ReactiveFlatReader(this, index);
            } catch (RuntimeException e) {
                backend.detachReader(index);
                throw e;
            }
        }

        /**
         * A cold {@code Flux}: each subscriber attaches a reader of its own with these settings when
         * it subscribes (receiving the samples committed from then on) and closes it when it
         * terminates. Attach failures (closed backend, type mismatch, all 32 indexes taken) arrive
         * as {@code onError}.
         */
        public Flux<SampleView> flux() {
            return Flux.using(this::build, ReactiveFlatReader::flux, ReactiveFlatReader::close);
        }
    }
}
