package io.zerodds.flatdata.reactor;

import io.zerodds.flatdata.FlatType;
import io.zerodds.flatdata.SampleChecks;
import io.zerodds.flatdata.SlotBackend;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * The writing end of a slot ring for Project Reactor: {@code send} subscribes to a
 * {@link Publisher} and places its elements in the ring, with backpressure mapped to free slots.
 *
 * <pre>{@code
 * ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
 * Mono<Void> done = writer.send(Flux.range(0, 1_000).map(i -> ("tick " + i).getBytes()));
 * done.block();                                            // or subscribe()
 *
 * // zero-copy: encode each element straight into its slot
 * writer.send(Flux.range(0, 1_000), (i, slot) -> {
 *     slot.set(ValueLayout.JAVA_LONG, 0, i);
 *     return 8;
 * }).block();
 * }</pre>
 *
 * <h2>Reliable (the default): demand is exactly the free capacity</h2>
 * The writer loans free slots from the ring first and then requests exactly as many elements from
 * upstream as it holds loans (at most {@link Builder#maxInFlight(int)}, default {@code slotCount}).
 * When the ring is full ({@link SlotBackend#NO_FREE_SLOT}) it requests nothing; a waiter thread of
 * its own blocks on {@link SlotBackend#waitForChange} and resumes requesting once readers free
 * slots. So no call of {@code send} ever blocks the thread it runs on: elements are written on the
 * thread that delivers them, without waiting. Each element is encoded before the {@code onNext}
 * that delivered it returns (while the waiter thread holds the writing loop, it encodes the element
 * and {@code onNext} spins the few steps until it has), so an encoder may read the
 * {@link SampleView}s of a reader's {@code Flux}: {@code send(reader.flux(), encoder)} relays a ring
 * without retaining a view. An upstream that emits more than it was asked for
 * fails the send with an overflow error (nothing is silently dropped). Cancelling the returned
 * {@code Mono} cancels upstream; an upstream error fails the {@code Mono} after every element
 * received before it was published; either way every loaned slot is discarded. A stall, the ring
 * full while the send holds not one loan for the next element, is the JFR event
 * {@link io.zerodds.flatdata.WriterWaitEvent io.zerodds.flatdata.WriterWait} (disabled by default),
 * one per stall, from its start until a slot is free again.
 *
 * <h2>Best effort: drop and count</h2>
 * {@link #bestEffort(SlotBackend)} requests unbounded and drops (and counts, and hands to
 * Reactor's discard hook) every element that finds the ring full: for streams where the newest
 * data matters and a slow reader must never slow the source.
 *
 * <h2>End of stream</h2>
 * A writer built with {@link Builder#endStreamOnComplete()} ends the ring's stream when a send's
 * upstream completes: readers' {@code Flux}es complete once they delivered every sample before the
 * end. Ending a stream may wait (over iceoryx2 the end marker needs a chunk, and readers may hold
 * every one for a while), so when the upstream completes on one of Reactor's non-blocking threads
 * the end is sent, and the send completes, on {@code Schedulers.boundedElastic()}.
 *
 * <h2>One writer</h2>
 * A ring has one writer: one {@code send} runs at a time on a {@code ReactiveFlatWriter} (a second
 * concurrent one fails with {@link IllegalStateException}), and no other writer may write to the
 * same ring meanwhile.
 *
 * <h2>Elements</h2>
 * {@link #send(Publisher)} accepts {@code byte[]}, {@link ByteBuffer} (its remaining bytes, its
 * position unchanged) and {@link MemorySegment} elements and copies each into a slot; the encoder
 * form writes in place. A sample is 1..slotCapacity bytes; anything else fails the send.
 */
public final class ReactiveFlatWriter {

    final SlotBackend backend;
    final boolean reliable;
    final int maxInFlight;
    final ThreadFactory waiterThreads;
    final boolean endStreamOnComplete;

    private volatile int busy;
    private static final AtomicIntegerFieldUpdater<ReactiveFlatWriter> BUSY =
            AtomicIntegerFieldUpdater.newUpdater(ReactiveFlatWriter.class, "busy");

    private volatile long sent;
    private static final AtomicLongFieldUpdater<ReactiveFlatWriter> SENT =
            AtomicLongFieldUpdater.newUpdater(ReactiveFlatWriter.class, "sent");
    private volatile long dropped;
    private static final AtomicLongFieldUpdater<ReactiveFlatWriter> DROPPED =
            AtomicLongFieldUpdater.newUpdater(ReactiveFlatWriter.class, "dropped");

    private ReactiveFlatWriter(Builder b) {
        this.backend = b.backend;
        this.reliable = b.reliable;
        this.maxInFlight = b.maxInFlight > 0 ? b.maxInFlight : b.backend.slotCount();
        this.endStreamOnComplete = b.endStreamOnComplete;
        this.waiterThreads = b.threadFactory != null ? b.threadFactory : r -> {
            Thread t = new Thread(r, "flatdata-writer-wait");
            t.setDaemon(true);
            return t;
        };
    }

    /** A writer whose demand is the ring's free capacity. */
    public static ReactiveFlatWriter reliable(SlotBackend backend) {
        return builder(backend).build();
    }

    /** A writer that drops and counts what does not fit. */
    public static ReactiveFlatWriter bestEffort(SlotBackend backend) {
        return builder(backend).bestEffort().build();
    }

    public static Builder builder(SlotBackend backend) {
        return new Builder(backend);
    }

    /**
     * Sends every element of {@code samples} ({@code byte[]}, {@link ByteBuffer} or
     * {@link MemorySegment}; any other type fails the send), copying each into a slot. The
     * {@code Mono} completes when upstream completed and everything was published.
     */
    public Mono<Void> send(Publisher<?> samples) {
        return send(samples, ElementEncoder.INSTANCE);
    }

    /** Sends every element of {@code elements}, written in place by {@code encoder} (zero copy). */
    public <T> Mono<Void> send(Publisher<T> elements, SlotEncoder<? super T> encoder) {
        Objects.requireNonNull(elements, "elements");
        Objects.requireNonNull(encoder, "encoder");
        return new MonoSend<>(this, elements, encoder);
    }

    /**
     * Sends values of a fixed-layout type, encoded in place with its codec. A ring that does not
     * carry {@code type}'s hash (or whose slots are smaller than the type) fails the returned
     * {@code Mono} with {@link io.zerodds.flatdata.TypeMismatchException} (or
     * {@link io.zerodds.flatdata.SampleTooLargeException}) before {@code values} is subscribed.
     */
    public <T> Mono<Void> send(Publisher<T> values, FlatType<T> type) {
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(type, "type");
        try {
            SampleChecks.checkType(backend, type, "writer");
        } catch (RuntimeException e) {
            return Mono.error(e);
        }
        int size = (int) type.byteSize();
        return send(values, (value, slot) -> {
            type.encode(value, slot);
            return size;
        });
    }

    /** Samples published so far, over all sends. */
    public long sentCount() {
        return sent;
    }

    /** Elements a best-effort writer dropped because the ring was full. */
    public long droppedCount() {
        return dropped;
    }

    public SlotBackend backend() {
        return backend;
    }

    boolean claim() {
        return BUSY.compareAndSet(this, 0, 1);
    }

    void unclaim() {
        busy = 0;
    }

    /** Called only by the one active send. */
    void countSent() {
        SENT.lazySet(this, sent + 1);
    }

    /** Called only by the one active send. */
    void countDropped() {
        DROPPED.lazySet(this, dropped + 1);
    }

    @Override
    public String toString() {
        return "ReactiveFlatWriter[" + (reliable ? "reliable" : "best-effort") + ", " + backend + "]";
    }


    /** Copies byte[], ByteBuffer and MemorySegment elements into the slot. */
    enum ElementEncoder implements SlotEncoder<Object> {
        INSTANCE;

        @Override
        public int encode(Object element, MemorySegment slot) {
            int capacity = (int) slot.byteSize();
            if (element instanceof byte[] bytes) {
                SampleChecks.checkLength(bytes.length, capacity);
                MemorySegment.copy(bytes, 0, slot, ValueLayout.JAVA_BYTE, 0, bytes.length);
                return bytes.length;
            }
            if (element instanceof ByteBuffer buffer) {
                int length = SampleChecks.checkLength(buffer.remaining(), capacity);
                if (buffer.hasArray()) {
                    MemorySegment.copy(buffer.array(), buffer.arrayOffset() + buffer.position(), slot,
                            ValueLayout.JAVA_BYTE, 0, length);
                } else {
                    MemorySegment.copy(MemorySegment.ofBuffer(buffer), 0, slot, 0, length);
                }
                return length;
            }
            if (element instanceof MemorySegment segment) {
                int length = SampleChecks.checkLength(segment.byteSize(), capacity);
                MemorySegment.copy(segment, 0, slot, 0, length);
                return length;
            }
            throw new IllegalArgumentException("cannot send element of " + element.getClass().getName()
                    + ": send(Publisher) takes byte[], ByteBuffer or MemorySegment; use send(Publisher, SlotEncoder)");
        }
    }

    /** Settings of a reactive writer. */
    public static final class Builder {
        private final SlotBackend backend;
        private boolean reliable = true;
        private int maxInFlight;
        private ThreadFactory threadFactory;
        private boolean endStreamOnComplete;

        private Builder(SlotBackend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
        }

        /** Drop and count elements that find the ring full, instead of backpressuring. */
        public Builder bestEffort() {
            this.reliable = false;
            return this;
        }

        /** Most slots loaned (and elements requested) at once; default and maximum slotCount. */
        public Builder maxInFlight(int n) {
            if (n < 1 || n > backend.slotCount()) {
                throw new IllegalArgumentException("maxInFlight=" + n + " outside 1.." + backend.slotCount());
            }
            this.maxInFlight = n;
            return this;
        }

        /** Where the reliable writer's waiter thread comes from (default: a daemon platform thread). */
        public Builder threadFactory(ThreadFactory factory) {
            this.threadFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Ends the ring's stream when a send's upstream completes (after its last sample): readers'
         * {@code Flux}es then complete once they delivered everything. No send can follow
         * ({@link SlotBackend#markEndOfStream()}). From a non-blocking thread the end is sent on
         * {@code Schedulers.boundedElastic()} (see "End of stream" above).
         */
        public Builder endStreamOnComplete() {
            this.endStreamOnComplete = true;
            return this;
        }

        public ReactiveFlatWriter build() {
            return new ReactiveFlatWriter(this);
        }
    }
}
