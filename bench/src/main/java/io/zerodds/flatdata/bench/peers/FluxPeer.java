package io.zerodds.flatdata.bench.peers;

import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import io.zerodds.flatdata.reactor.ReactiveFlatWriter;
import io.zerodds.flatdata.reactor.SampleView;
import io.zerodds.flatdata.reactor.SlotEncoder;
import io.zerodds.flatdata.test.CountingPublisher;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.function.BiConsumer;
import org.HdrHistogram.Histogram;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;

/**
 * Flatdata's reactive path: each process reads the other's ring through
 * {@link ReactiveFlatReader#flux()} (its own source thread, waiting event-driven, the default) and
 * writes its own through {@link ReactiveFlatWriter#send(org.reactivestreams.Publisher, SlotEncoder)},
 * encoding in place. A block of round trips is one pipeline per side: the pong side sends what its
 * {@code Flux} delivers, echoed; the ping side sends a first ping, then one ping per echo. So the
 * loops are overridden; a single blocking {@link #send}/{@link #receive} is not what this path is.
 */
final class FluxPeer implements Peer {
    private static final Duration PATIENCE = Patience.LIMIT;
    /** The element that starts a ping pipeline (the encoder ignores what it encodes). */
    private static final Object KICK = CountingPublisher.TOKEN;

    @Override
    public String name() {
        return "flatdata Flux + send";
    }

    @Override
    public boolean flatdata() {
        return true;
    }

    @Override
    public Link open(Side side, String tag, int maxSize) {
        String base = tag + "-flux-";
        return new Pipes(base + side.tag(), base + side.other().tag());
    }

    @Override
    public AutoCloseable idleSubscriber(String tag, ThreadFactory threads) {
        SlotBackend ring = Rings.POSIX.create(tag + "-flux-idle", Rings.SLOTS, Sizes.SMALLEST);
        ReactiveFlatReader reader = ReactiveFlatReader.builder(ring).threadFactory(threads).build();
        Disposable subscription = reader.flux().subscribe(SampleView::size);
        return () -> {
            subscription.dispose();
            reader.close();
            ring.close();
        };
    }

    /**
     * Reads a sample in place through {@link SampleView#read}, validated once for the whole
     * payload: every byte checked with touch, else the round only. One per pipeline (not thread-safe).
     */
    static final class ViewReader implements java.util.function.Function<MemorySegment, Object> {
        private int size;
        private boolean touch;
        private long round;

        long read(SampleView view, int size, boolean touch) {
            this.size = size;
            this.touch = touch;
            view.read(this);
            return round;
        }

        @Override
        public Object apply(MemorySegment bytes) {
            round = Payload.read(bytes, 0, size, touch);
            return null;
        }
    }

    /** One ring per size each way, slots sized for the sample as a user would size them. */
    private static final class Pipes implements Link {
        private final SlotBackend[] out = new SlotBackend[Sizes.ALL.length];
        private final ReactiveFlatWriter[] writers = new ReactiveFlatWriter[Sizes.ALL.length];
        private final String inName;
        private final SlotBackend[] in = new SlotBackend[Sizes.ALL.length];
        private final ReactiveFlatReader[] readers = new ReactiveFlatReader[Sizes.ALL.length];
        private final ViewReader acks = new ViewReader();
        private final Pinger pinger = new Pinger();
        private final Echoer echoer = new Echoer();
        private final Streamer streamer = new Streamer();
        private final Drainer drainer = new Drainer();

        Pipes(String outName, String inName) {
            for (int i = 0; i < Sizes.ALL.length; i++) {
                int size = Sizes.ALL[i];
                out[i] = Rings.POSIX.create(outName + "-" + size, Rings.slots(size), size);
                writers[i] = ReactiveFlatWriter.reliable(out[i]);
            }
            this.inName = inName;
        }

        @Override
        public void connect() {
            for (int i = 0; i < Sizes.ALL.length; i++) {
                in[i] = Rings.POSIX.open(inName + "-" + Sizes.ALL[i]);
                readers[i] = ReactiveFlatReader.attach(in[i]);
            }
        }

        private ReactiveFlatReader reader(int size) {
            return readers[Sizes.index(size)];
        }

        private ReactiveFlatWriter writer(int size) {
            return writers[Sizes.index(size)];
        }

        @Override
        public void send(long round, int size, boolean touch) {
            throw new UnsupportedOperationException("the Flux link runs whole pipelines (ping, pong, stream), not "
                    + "single sends");
        }

        @Override
        public long receive(int size, boolean touch) {
            throw new UnsupportedOperationException("the Flux link runs whole pipelines (ping, pong, stream), not "
                    + "single receives");
        }

        @Override
        public long allocatedBytes() {
            return Allocation.process(); // the source and waiter threads come and go with the pipelines
        }

        @Override
        public void ping(long first, int rounds, int size, boolean touch, Histogram histogram) {
            pinger.start(first, rounds, size, touch, histogram);
            Flux<Object> echoes = reader(size).flux().take(rounds).handle(pinger);
            writer(size).send(echoes.startWith(KICK), pinger).block(PATIENCE);
            Payload.checkRound(first + rounds, pinger.expected);
        }

        @Override
        public void pong(int rounds, int size, boolean touch) {
            echoer.size = size;
            echoer.touch = touch;
            writer(size).send(reader(size).flux().take(rounds), echoer).block(PATIENCE);
        }

        @Override
        public long stream(long first, long count, int size) {
            long t0 = System.nanoTime();
            streamer.start(first, size, 0);
            writer(size).send(new CountingPublisher(count), streamer).block(PATIENCE);
            awaitAck(first + count - 1, size);
            return System.nanoTime() - t0;
        }

        @Override
        public void drain(long first, long count, int size) {
            drainer.start(first, count, size, null, 0);
            writer(size).send(reader(size).flux().take(count).handle(drainer), echoer.of(size)).block(PATIENCE);
        }

        @Override
        public void paced(long count, long intervalNanos, int size) {
            streamer.start(0, size, intervalNanos);
            writer(size).send(new CountingPublisher(count), streamer).block(PATIENCE);
            awaitAck(streamer.last, size);
        }

        @Override
        public void receivePaced(long count, long intervalNanos, int size, Histogram histogram) {
            drainer.start(-1, count, size, histogram, intervalNanos);
            writer(size).send(reader(size).flux().take(count).handle(drainer), echoer.of(size)).block(PATIENCE);
        }

        private void awaitAck(long round, int size) {
            Long acked = reader(size).flux().take(1).map(v -> acks.read(v, size, true)).blockLast(PATIENCE);
            Payload.checkRound(round, acked == null ? -1 : acked);
        }

        @Override
        public void close() {
            for (int i = 0; i < Sizes.ALL.length; i++) {
                if (readers[i] != null) {
                    readers[i].close();
                    in[i].close();
                }
                out[i].close();
            }
        }
    }

    /**
     * The ping side's pipeline: encodes a ping (the clock starts), takes its echo (the clock
     * stops) and passes it on as the element that encodes the next ping, until the block's last echo.
     */
    private static final class Pinger implements SlotEncoder<Object>, BiConsumer<SampleView, SynchronousSink<Object>> {
        private static final VarHandle T0;

        static {
            try {
                T0 = MethodHandles.lookup().findVarHandle(Pinger.class, "t0", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private long next;
        private long expected;
        private long end;
        private int size;
        private boolean touch;
        private Histogram histogram;
        private final ViewReader echoes = new ViewReader();
        /** Written on the thread that encodes the ping, read on the source thread that takes its echo. */
        @SuppressWarnings("unused")
        private long t0;

        void start(long first, int rounds, int size, boolean touch, Histogram histogram) {
            this.next = first;
            this.expected = first;
            this.end = first + rounds;
            this.size = size;
            this.touch = touch;
            this.histogram = histogram;
        }

        @Override
        public int encode(Object element, MemorySegment slot) {
            T0.setRelease(this, System.nanoTime());
            Payload.write(slot, 0, next++, size, touch);
            return size;
        }

        @Override
        public void accept(SampleView echo, SynchronousSink<Object> sink) {
            long round = echoes.read(echo, size, touch);
            long t1 = System.nanoTime();
            histogram.recordValue((t1 - (long) T0.getAcquire(this)) / 2);
            Payload.checkRound(expected++, round);
            if (expected < end) {
                sink.next(echo);
            }
        }
    }

    /** The pong side's encoder: the sample it is given, echoed into the slot; also the acknowledgement. */
    private static final class Echoer implements SlotEncoder<SampleView> {
        int size;
        boolean touch;
        private final ViewReader pings = new ViewReader();

        Echoer of(int size) {
            this.size = size;
            this.touch = true;
            return this;
        }

        @Override
        public int encode(SampleView sample, MemorySegment slot) {
            Payload.write(slot, 0, pings.read(sample, size, touch), size, touch);
            return size;
        }
    }

    /** Encodes a stream of messages: consecutive rounds, or (paced) each send's time at a fixed interval. */
    private static final class Streamer implements SlotEncoder<Object> {
        private long next;
        private int size;
        private long interval;
        private long due;
        long last;

        void start(long first, int size, long intervalNanos) {
            this.next = first;
            this.size = size;
            this.interval = intervalNanos;
            this.due = System.nanoTime();
        }

        @Override
        public int encode(Object element, MemorySegment slot) {
            long round;
            if (interval > 0) {
                due += interval;
                round = Payload.awaitDue(due);
            } else {
                round = next++;
            }
            Payload.write(slot, 0, round, size, true);
            last = round;
            return size;
        }
    }

    /**
     * Receives a stream: checks consecutive rounds, or (paced) records each one-way latency with
     * the expected-interval correction; passes the last on, to be acknowledged.
     */
    private static final class Drainer implements BiConsumer<SampleView, SynchronousSink<SampleView>> {
        private long expected;
        private long remaining;
        private int size;
        private Histogram histogram;
        private long interval;
        private final ViewReader samples = new ViewReader();

        void start(long first, long count, int size, Histogram histogram, long intervalNanos) {
            this.expected = first;
            this.remaining = count;
            this.size = size;
            this.histogram = histogram;
            this.interval = intervalNanos;
        }

        @Override
        public void accept(SampleView sample, SynchronousSink<SampleView> sink) {
            long round = samples.read(sample, size, true);
            if (histogram != null) {
                histogram.recordValueWithExpectedInterval(Math.max(0, System.nanoTime() - round), interval);
            } else {
                Payload.checkRound(expected++, round);
            }
            if (--remaining == 0) {
                sink.next(sample);
            }
        }
    }
}
