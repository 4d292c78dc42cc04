package io.zerodds.flatdata;

import java.time.Duration;
import java.util.Objects;

/**
 * The reading end of a slot ring, generic over any {@link SlotBackend}: attaches a reader index,
 * delivers every sample committed after the attach exactly once, in sequence order. One thread
 * reads; {@link Sample#release()} may come from any thread.
 *
 * <pre>{@code
 * try (FlatReader reader = FlatReader.attach(backend)) {
 *     try (Sample s = reader.take(Duration.ofSeconds(1))) {     // null on timeout
 *         if (s != null) System.out.println(s.sequence() + ": " + s.size() + " bytes");
 *     }
 * }
 * }</pre>
 */
public final class FlatReader implements AutoCloseable {

    private final SlotBackend backend;
    private final FlatType<?> type;
    private final int index;
    private final Sample[] samples;
    private long expected;
    private volatile boolean closed;

    private FlatReader(SlotBackend backend, FlatType<?> type, int index) {
        this.backend = backend;
        this.type = type;
        this.index = index;
        this.samples = new Sample[backend.slotCount()];
        this.expected = backend.readerStartSequence(index);
    }

    /** Attaches a new reader at the lowest free index. */
    public static FlatReader attach(SlotBackend backend) {
        Objects.requireNonNull(backend, "backend");
        return new FlatReader(backend, null, backend.attachReader());
    }

    /** Attaches a typed reader; the backend must carry {@code type}'s hash. */
    public static FlatReader attach(SlotBackend backend, FlatType<?> type) {
        Objects.requireNonNull(backend, "backend");
        SampleChecks.checkType(backend, Objects.requireNonNull(type, "type"), "reader");
        return new FlatReader(backend, type, backend.attachReader());
    }

    /** Attaches at a given reader index (as assigned by discovery). */
    public static FlatReader attach(SlotBackend backend, int readerIndex) {
        Objects.requireNonNull(backend, "backend");
        return new FlatReader(backend, null, backend.attachReader(readerIndex));
    }

    /**
     * The next sample in sequence order, or {@code null} when none is pending. Release it when done.
     *
     * @throws ReaderDisconnectedException when this reader was disconnected
     */
    public Sample take() {
        checkOpen();
        int slot = backend.nextUnreadSlot(index, expected);
        if (slot == SlotBackend.NO_SLOT) {
            return null;
        }
        Sample sample = samples[slot];
        if (sample == null) {
            sample = new Sample(this);
            samples[slot] = sample;
        }
        sample.open(slot, expected, backend.slotReadArea(slot), backend.slotReadSize(slot));
        expected++;
        return sample;
    }

    /**
     * True once the writer ended the stream and this reader took every sample before the end:
     * {@link #take()} returns {@code null} from here on, without waiting.
     */
    public boolean isEndOfStream() {
        checkOpen();
        return expected >= backend.endOfStreamSequence();
    }

    /**
     * {@link #take()}, waiting event-driven up to {@code timeout}; {@code null} on timeout or, at
     * once, at the end of the stream.
     */
    public Sample take(Duration timeout) {
        return takeNanos(FlatWriter.saturatedNanos(checkTimeout(timeout)));
    }

    private Sample takeNanos(long timeoutNanos) {
        Sample sample = take();
        if (sample != null || timeoutNanos == 0) {
            return sample;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            long generation = backend.notifyGeneration();
            sample = take();
            if (sample != null) {
                return sample;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0 || backend.isClosed() || expected >= backend.endOfStreamSequence()) {
                return null;
            }
            backend.waitForChange(generation, remaining);
        }
    }

    /** Takes the next sample as a heap copy and releases its slot at once; {@code null} when none. */
    public byte[] takeCopy() {
        try (Sample sample = take()) {
            return sample == null ? null : sample.copy();
        }
    }

    /** {@link #takeCopy()}, waiting up to {@code timeout}; {@code null} on timeout. */
    public byte[] takeCopy(Duration timeout) {
        try (Sample sample = take(timeout)) {
            return sample == null ? null : sample.copy();
        }
    }

    private static Duration checkTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout=" + timeout + " must not be negative");
        }
        return timeout;
    }

    void release(int slot) {
        if (!closed) {
            backend.markRead(slot, index);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new BackendClosedException("reader " + index + " on " + backend);
        }
    }

    /** This reader's index in the reader mask. */
    public int readerIndex() {
        return index;
    }

    /** The sequence number the next {@link #take()} delivers. */
    public long nextSequence() {
        return expected;
    }

    public FlatType<?> type() {
        return type;
    }

    public SlotBackend backend() {
        return backend;
    }

    /** Detaches the reader (its unread samples no longer hold the writer back). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!backend.isClosed()) {
            backend.detachReader(index);
        }
    }
}
