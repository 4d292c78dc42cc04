package io.zerodds.flatdata.reactor;

import io.zerodds.flatdata.FlatType;
import io.zerodds.flatdata.SlotBackend;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Function;

/**
 * A read-only, zero-copy view of one sample in a slot of the ring, as a {@link ReactiveFlatReader}'s
 * {@code Flux} delivers it.
 *
 * <h2>Lifetime</h2>
 * A view is <em>live</em> from its {@code onNext} until it is released; releasing marks the slot
 * read, so the writer may reuse it. In the default {@link ReleaseMode#AFTER_ON_NEXT} the source
 * releases the view when {@code onNext} returns; {@link #retain()} keeps it live and the caller
 * then owes one {@link #release()} per {@code retain()}. In {@link ReleaseMode#ON_REQUEST} every
 * view delivered so far is released by the subscriber's next {@code request(n)}.
 *
 * <h2>Misuse is loud</h2>
 * Every accessor of a released view throws {@link IllegalStateException}. Every read is validated
 * after the fact against the slot's sequence number (seqlock style): a read that raced the writer
 * recycling the slot throws instead of returning bytes of a later sample.
 *
 * <p>The raw bytes are reachable only inside a scoped callback ({@link #read(Function)},
 * {@link #readBuffer(Function)}), validated when the callback returns. Do not let the segment or
 * buffer escape the callback: nothing can check an access made through it later.
 *
 * <h2>Views are pooled: the precise guarantee</h2>
 * To allocate nothing per sample, a subscription recycles view objects in FIFO order from a pool of
 * {@code P} views ({@link ReactiveFlatReader.Builder#viewPoolSize(int)}, default
 * {@code max(1024, 2 × slotCount)}). A view object is handed out again only after it was released
 * <em>and</em> at least {@code P - 1} other views were delivered after it. So a stale reference to
 * a released view throws on every access for at least the next {@code P - 1} deliveries, which
 * covers the queues of Reactor's operators (256 by default); only a reference kept past {@code P}
 * further deliveries may alias a newer sample. A view that was ever retained leaves the pool for
 * good: after its release every access through any reference to it throws, forever.
 *
 * <h2>Leaks</h2>
 * A retained view that becomes unreachable without {@link #release()} is reported (a
 * {@code WARNING} on the {@code io.zerodds.flatdata.reactor} logger, and
 * {@link ReactiveFlatReader#leakCount()}, and the JFR event {@code io.zerodds.flatdata.ViewLeakRecovered},
 * disabled by default) and its slot is marked read, so the writer recovers it.
 */
public final class SampleView {

    static final Cleaner LEAK_DETECTOR = Cleaner.create(r -> {
        Thread t = new Thread(r, "flatdata-view-leak-detector");
        t.setDaemon(true);
        return t;
    });

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private final ReaderLease lease;
    private final SlotBackend backend;

    // written by the source thread before onNext (happens-before every use through onNext)
    private int slot;
    private long sequence;
    /** The slot's payload area; the sample is its first {@code size} bytes. */
    private MemorySegment area;
    private int size;
    /** A view of exactly {@code size} bytes for the segment-taking methods, made on demand. */
    private MemorySegment exact;

    /** Outstanding references: 1 for the source's own, +1 per retain(); 0 = released. */
    private volatile int refCnt;
    private static final AtomicIntegerFieldUpdater<SampleView> REF_CNT =
            AtomicIntegerFieldUpdater.newUpdater(SampleView.class, "refCnt");

    /** 1 once retained: the view left the pool and carries a leak-detecting retention token. */
    private volatile int detached;
    private static final AtomicIntegerFieldUpdater<SampleView> DETACHED =
            AtomicIntegerFieldUpdater.newUpdater(SampleView.class, "detached");

    private volatile Retention retention;

    /** ON_REQUEST: 1 until the release drain dropped the source's reference; never reused before. */
    volatile int pending;

    SampleView(ReaderLease lease) {
        this.lease = lease;
        this.backend = lease.backend;
    }

    /** Source thread: makes a released (or new) pooled view live for one sample. */
    void open(int slot, long sequence, MemorySegment area, int size) {
        this.slot = slot;
        this.sequence = sequence;
        this.area = area;
        this.size = size;
        this.exact = null;
        REF_CNT.lazySet(this, 1);
    }

    boolean isReusable() {
        return refCnt == 0 && detached == 0 && pending == 0;
    }

    /** The sequence without a liveness check, for the source's own bookkeeping. */
    long sequenceForSource() {
        return sequence;
    }

    boolean isDetached() {
        return detached != 0;
    }

    // ------------------------------------------------------------------ metadata

    /** The sample's 64-bit sequence number. */
    public long sequence() {
        long s = sequence;
        checkLive(s);
        return s;
    }

    /** The sample's size in bytes. */
    public int size() {
        long s = sequence;
        checkLive(s);
        int n = size;
        validate(s);
        return n;
    }

    /** True once released: every accessor then throws. */
    public boolean isReleased() {
        return refCnt == 0;
    }

    // ------------------------------------------------------------------ reads

    public byte getByte(long offset) {
        long s = sequence;
        checkLive(s);
        Objects.checkFromIndexSize(offset, Byte.BYTES, (long) size);
        byte v = area.get(ValueLayout.JAVA_BYTE, offset);
        validate(s);
        return v;
    }

    public short getShort(long offset) {
        long s = sequence;
        checkLive(s);
        Objects.checkFromIndexSize(offset, Short.BYTES, (long) size);
        short v = area.get(SHORT, offset);
        validate(s);
        return v;
    }

    public int getInt(long offset) {
        long s = sequence;
        checkLive(s);
        Objects.checkFromIndexSize(offset, Integer.BYTES, (long) size);
        int v = area.get(INT, offset);
        validate(s);
        return v;
    }

    public long getLong(long offset) {
        long s = sequence;
        checkLive(s);
        Objects.checkFromIndexSize(offset, Long.BYTES, (long) size);
        long v = area.get(LONG, offset);
        validate(s);
        return v;
    }

    public float getFloat(long offset) {
        long s = sequence;
        checkLive(s);
        Objects.checkFromIndexSize(offset, Float.BYTES, (long) size);
        float v = area.get(FLOAT, offset);
        validate(s);
        return v;
    }

    public double getDouble(long offset) {
        long s = sequence;
        checkLive(s);
        Objects.checkFromIndexSize(offset, Double.BYTES, (long) size);
        double v = area.get(DOUBLE, offset);
        validate(s);
        return v;
    }

    /** Typed field access: {@code view.get(tick.longField("id"))}. */
    public long get(FlatType.LongField field) {
        long s = sequence;
        checkLive(s);
        long v = field.get(exact());
        validate(s);
        return v;
    }

    public int get(FlatType.IntField field) {
        long s = sequence;
        checkLive(s);
        int v = field.get(exact());
        validate(s);
        return v;
    }

    public short get(FlatType.ShortField field) {
        long s = sequence;
        checkLive(s);
        short v = field.get(exact());
        validate(s);
        return v;
    }

    public byte get(FlatType.ByteField field) {
        long s = sequence;
        checkLive(s);
        byte v = field.get(exact());
        validate(s);
        return v;
    }

    public double get(FlatType.DoubleField field) {
        long s = sequence;
        checkLive(s);
        double v = field.get(exact());
        validate(s);
        return v;
    }

    public float get(FlatType.FloatField field) {
        long s = sequence;
        checkLive(s);
        float v = field.get(exact());
        validate(s);
        return v;
    }

    /**
     * Decodes the sample with {@code type}'s codec. A codec that returns the slot bytes themselves
     * (a segment-valued type) gets a heap copy instead, so the result never aliases the slot.
     */
    public <T> T decode(FlatType<T> type) {
        Objects.requireNonNull(type, "type");
        long s = sequence;
        checkLive(s);
        T value = type.decode(exact());
        if (value instanceof MemorySegment ms && ms.isNative()) {
            @SuppressWarnings("unchecked")
            T copy = (T) MemorySegment.ofArray(ms.toArray(ValueLayout.JAVA_BYTE));
            value = copy;
        }
        validate(s);
        return value;
    }

    /** A heap copy of the sample's bytes. */
    public byte[] copy() {
        long s = sequence;
        checkLive(s);
        byte[] bytes = new byte[size];
        MemorySegment.copy(area, ValueLayout.JAVA_BYTE, 0, bytes, 0, bytes.length);
        validate(s);
        return bytes;
    }

    /** Copies the sample's bytes into {@code dst} at {@code offset}; returns the size. */
    public int copyTo(byte[] dst, int offset) {
        long s = sequence;
        checkLive(s);
        int n = size;
        Objects.checkFromIndexSize(offset, n, dst.length);
        MemorySegment.copy(area, ValueLayout.JAVA_BYTE, 0, dst, offset, n);
        validate(s);
        return n;
    }

    /** Copies the sample's bytes into {@code dst} at offset 0; returns the size. */
    public int copyTo(MemorySegment dst) {
        long s = sequence;
        checkLive(s);
        int n = size;
        MemorySegment.copy(area, 0, dst, 0, n);
        validate(s);
        return n;
    }

    /**
     * Raw zero-copy access, scoped: {@code reader} gets the read-only sample bytes (writing throws)
     * and its result is returned once the read is validated. If the slot was recycled while the
     * callback ran, this throws {@link IllegalStateException} (with the callback's own exception,
     * if any, suppressed). The segment must not escape the callback.
     */
    public <R> R read(Function<? super MemorySegment, ? extends R> reader) {
        Objects.requireNonNull(reader, "reader");
        long s = sequence;
        checkLive(s);
        R result;
        try {
            result = reader.apply(exact());
        } catch (RuntimeException | Error e) {
            validateAfterFailure(s, e);
            throw e;
        }
        validate(s);
        return result;
    }

    /**
     * {@link #read(Function)} through a read-only {@link ByteBuffer} in host byte order (allocates a
     * small buffer wrapper per call). The buffer must not escape the callback.
     */
    public <R> R readBuffer(Function<? super ByteBuffer, ? extends R> reader) {
        Objects.requireNonNull(reader, "reader");
        long s = sequence;
        checkLive(s);
        R result;
        try {
            result = reader.apply(exact().asByteBuffer().order(java.nio.ByteOrder.nativeOrder()));
        } catch (RuntimeException | Error e) {
            validateAfterFailure(s, e);
            throw e;
        }
        validate(s);
        return result;
    }

    // ------------------------------------------------------------------ lifetime

    /**
     * Keeps the view live beyond the point where it would be released (the end of {@code onNext},
     * or the next {@code request(n)}): the caller owes one {@link #release()} per call. The first
     * retain takes the view out of the pool for good and arms leak detection. Returns {@code this}.
     *
     * @throws IllegalStateException when the view was released already
     */
    public SampleView retain() {
        for (;;) {
            int r = refCnt;
            if (r == 0) {
                throw released(sequence);
            }
            if (REF_CNT.compareAndSet(this, r, r + 1)) {
                break;
            }
        }
        if (DETACHED.compareAndSet(this, 0, 1)) {
            // a live view implies a hold on the reader (its subscription's), so this succeeds
            // unless the reader is already gone; then the token frees nothing
            boolean holding = lease.acquire();
            Retention token = new Retention(lease, slot, sequence, holding);
            token.cleanable = LEAK_DETECTOR.register(this, token);
            retention = token;
        }
        return this;
    }

    /**
     * Drops one reference; the last one marks the slot read and makes every accessor throw.
     * Idempotent once released: extra calls do nothing. Safe from any thread.
     */
    public void release() {
        if (dropReference()) {
            if (detached != 0) {
                retention().released();
            } else if (lease.acquire()) {
                // a user release may race the end of the subscription: never mark a detached index
                try {
                    lease.markRead(slot);
                } finally {
                    lease.release();
                }
            }
        }
    }

    /** The source's own release: it holds the subscription's hold on the reader. */
    void releaseFromSource() {
        if (dropReference()) {
            if (detached != 0) {
                retention().released();
            } else {
                lease.markRead(slot);
            }
        }
    }

    /** Decrements the reference count unless it is 0; true when this call released the view. */
    private boolean dropReference() {
        for (;;) {
            int r = refCnt;
            if (r == 0) {
                return false;
            }
            if (REF_CNT.compareAndSet(this, r, r - 1)) {
                return r == 1;
            }
        }
    }

    private Retention retention() {
        Retention token = retention;
        while (token == null) {
            // retain() is publishing the token on another thread right now
            Thread.onSpinWait();
            token = retention;
        }
        return token;
    }

    /**
     * The sample as a segment of exactly its size: the backend's cached view of the slot (no
     * allocation for samples of one size), or the area itself when the sample fills it.
     */
    private MemorySegment exact() {
        MemorySegment e = exact;
        if (e == null) {
            e = area.byteSize() == size ? area : backend.slotReadPtr(slot);
            exact = e;
        }
        return e;
    }

    // ------------------------------------------------------------------ validation

    private void checkLive(long expectedSequence) {
        if (refCnt == 0) {
            throw released(expectedSequence);
        }
    }

    /** Seqlock validation after a read: still live, still this sample, slot not recycled. */
    private void validate(long expectedSequence) {
        if (refCnt == 0 || sequence != expectedSequence) {
            throw released(expectedSequence);
        }
        long current;
        try {
            current = backend.slotSequence(slot);
        } catch (IllegalStateException closed) {
            throw new IllegalStateException("sample sequence=" + expectedSequence + " (slot " + slot
                    + ") is gone: " + closed.getMessage(), closed);
        }
        if (current != expectedSequence) {
            throw new IllegalStateException("sample sequence=" + expectedSequence + " (slot " + slot
                    + ") was recycled by the writer while it was read (slot now holds "
                    + (current == SlotBackend.NO_SEQUENCE ? "no sample" : "sequence=" + current)
                    + "): it was released or its reader closed; retain() views you keep");
        }
    }

    private void validateAfterFailure(long expectedSequence, Throwable failure) {
        try {
            validate(expectedSequence);
        } catch (IllegalStateException invalid) {
            invalid.addSuppressed(failure);
            throw invalid;
        }
    }

    private IllegalStateException released(long expectedSequence) {
        return new IllegalStateException("sample view sequence=" + expectedSequence + " (slot " + slot
                + ", reader " + lease.index + ") was released: views live only until onNext returns "
                + "(or the next request in ON_REQUEST mode); retain() the ones you keep");
    }

    @Override
    public String toString() {
        return refCnt == 0 ? "SampleView[released]"
                : "SampleView[sequence=" + sequence + ", slot=" + slot + ", size=" + size
                + ", refCnt=" + refCnt + "]";
    }

    /**
     * The leak-detection token of a retained view: what is needed to free its slot, and nothing
     * that reaches the view (so the view can become unreachable).
     */
    static final class Retention implements Runnable {
        private final ReaderLease lease;
        private final int slot;
        private final long sequence;
        Cleaner.Cleanable cleanable;

        private volatile int done;
        private static final AtomicIntegerFieldUpdater<Retention> DONE =
                AtomicIntegerFieldUpdater.newUpdater(Retention.class, "done");

        private final boolean holding;

        Retention(ReaderLease lease, int slot, long sequence, boolean holding) {
            this.lease = lease;
            this.slot = slot;
            this.sequence = sequence;
            this.holding = holding;
        }

        /** The view's last release: free the slot, drop the hold, unregister from the cleaner. */
        void released() {
            if (DONE.compareAndSet(this, 0, 1) && holding) {
                lease.markRead(slot);
                lease.release();
            }
            cleanable.clean();
        }

        /** The cleaner's action: runs once, also from {@code clean()} after a proper release. */
        @Override
        public void run() {
            if (DONE.compareAndSet(this, 0, 1)) {
                if (holding) {
                    lease.markRead(slot);
                }
                lease.reportLeak(slot, sequence, holding);
                if (holding) {
                    lease.release();
                }
            }
        }
    }
}
