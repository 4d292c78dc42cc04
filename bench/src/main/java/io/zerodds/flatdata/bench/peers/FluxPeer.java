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
    private static final Duration PATIENCE = Duration.ofNanos(Spin.PATIENCE_NANOS);
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
        SlotBackend out = Rings.POSIX.create(base + side.tag(), Rings.SLOTS, maxSize);
        return new Pipes(out, base + side.other().tag());
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

    /** Reads a sample through its view: every byte checked with touch, else the round only. */
    static long read(SampleView view, int size, boolean touch) {
        long round = view.getLong(0);
        if (touch) {
            long sum = 0;
            for (int at = 8; at < size; at += 8) {
                sum += view.getLong(at);
            }
            Payload.checkSum(round, size, sum);
        }
        return round;
    }

    private static final class Pipes implements Link {
        private final SlotBackend out;
        private final ReactiveFlatWriter writer;
        private final String inName;
        private SlotBackend in;
        private ReactiveFlatReader reader;
        private final Pinger pinger = new Pinger();
        private final Echoer echoer = new Echoer();
        private final Streamer streamer = new Streamer();
        private final Drainer drainer = new Drainer();

        Pipes(SlotBackend out, String inName) {
            this.out = out;
            this.writer = ReactiveFlatWriter.reliable(out);
            this.inName = inName;
        }

        @Override
        public void connect() {
            in = Rings.POSIX.open(inName);
            reader = ReactiveFlatReader.attach(in);
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
            Flux<Object> echoes = reader.flux().take(rounds).handle(pinger);
            writer.send(echoes.startWith(KICK), pinger).block(PATIENCE);
            Payload.checkRound(first + rounds, pinger.expected);
        }

        @Override
        public void pong(int rounds, int size, boolean touch) {
            echoer.size = size;
            echoer.touch = touch;
            writer.send(reader.flux().take(rounds), echoer).block(PATIENCE);
        }

        @Override
        public long stream(long first, long count, int size) {
            long t0 = System.nanoTime();
            streamer.start(first, size, 0);
            writer.send(new CountingPublisher(count), streamer).block(PATIENCE);
            awaitAck(first + count - 1, size);
            return System.nanoTime() - t0;
        }

        @Override
        public void drain(long first, long count, int size) {
            drainer.start(first, count, size, null, 0);
            writer.send(reader.flux().take(count).handle(drainer), echoer.of(size)).block(PATIENCE);
        }

        @Override
        public void paced(long count, long intervalNanos, int size) {
            streamer.start(0, size, intervalNanos);
            writer.send(new CountingPublisher(count), streamer).block(PATIENCE);
            awaitAck(streamer.last, size);
        }

        @Override
        public void receivePaced(long count, long intervalNanos, int size, Histogram histogram) {
            drainer.start(-1, count, size, histogram, intervalNanos);
            writer.send(reader.flux().take(count).handle(drainer), echoer.of(size)).block(PATIENCE);
        }

        private void awaitAck(long round, int size) {
            Long acked = reader.flux().take(1).map(v -> read(v, size, true)).blockLast(PATIENCE);
            Payload.checkRound(round, acked == null ? -1 : acked);
        }

        @Override
        public void close() {
            if (reader != null) {
                reader.close();
                in.close();
            }
            out.close();
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
            long round = read(echo, size, touch);
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

        Echoer of(int size) {
            this.size = size;
            this.touch = true;
            return this;
        }

        @Override
        public int encode(SampleView sample, MemorySegment slot) {
            Payload.write(slot, 0, read(sample, size, touch), size, touch);
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
                long now;
                while ((now = System.nanoTime()) < due) {
                    Thread.onSpinWait();
                }
                round = now;
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

        void start(long first, long count, int size, Histogram histogram, long intervalNanos) {
            this.expected = first;
            this.remaining = count;
            this.size = size;
            this.histogram = histogram;
            this.interval = intervalNanos;
        }

        @Override
        public void accept(SampleView sample, SynchronousSink<SampleView> sink) {
            long round = read(sample, size, true);
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
