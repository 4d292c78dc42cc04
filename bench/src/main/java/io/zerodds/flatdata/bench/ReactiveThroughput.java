package io.zerodds.flatdata.bench;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.InMemorySlotBackend;
import io.zerodds.flatdata.Sample;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import io.zerodds.flatdata.reactor.ReactiveFlatWriter;
import io.zerodds.flatdata.reactor.SampleView;
import io.zerodds.flatdata.test.CountingPublisher;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.BaseSubscriber;

/**
 * The reactive reading path against plain {@link FlatReader} loops (busy-spinning, and
 * event-driven with {@code take(timeout)}), on the same in-memory ring
 * (256 slots) with the same 64-byte samples and the same writer (a {@link FlatWriter} loan/commit
 * loop on the main thread): samples/s of each, their ratio, and the bytes allocated per sample by
 * the threads involved, measured in a steady-state window (the second half of each run, less
 * its last tenth). Then the fully reactive pipe ({@link ReactiveFlatWriter#send} into the
 * {@code Flux}), and the cost per sample of the alternative view design (a shared arena per view,
 * closed at release) against the scoped-callback design with seqlock validation.
 *
 * <p>Usage: {@code ./flatdata bench reactive-throughput [samples] [rounds]}.
 */
public final class ReactiveThroughput {

    static final int SLOTS = 256;
    static final int SIZE = 64;
    static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private ReactiveThroughput() {
    }

    record Result(double rate, double allocPerSample) {
    }

    public static void main(String[] args) throws Exception {
        long samples = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000L;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.printf("ring: in-memory, %d slots, %d-byte samples, %,d samples per run, best of %d%n",
                SLOTS, SIZE, samples, rounds);
        plain(samples / 5, true); // warm-up
        plain(samples / 5, false);
        flux(samples / 5);
        reactivePipe(samples / 5);
        Result spin = null;
        Result blocking = null;
        Result flux = null;
        Result pipe = null;
        for (int i = 0; i < rounds; i++) {
            spin = best(spin, plain(samples, true));
            blocking = best(blocking, plain(samples, false));
            flux = best(flux, flux(samples));
            pipe = best(pipe, reactivePipe(samples));
        }
        System.out.printf("%-46s %14s %12s%n", "path", "samples/s", "alloc B/op");
        print("FlatReader loop, take() + spin", spin);
        print("FlatReader loop, take(timeout) event-driven", blocking);
        print("Flux<SampleView> (ReactiveFlatReader)", flux);
        print("send(Publisher) -> Flux<SampleView>", pipe);
        Result plain = best(spin, blocking);
        System.out.printf("ratio Flux / best plain loop: %.2f%n", flux.rate / plain.rate);
        viewDesignCost(2_000_000);
    }

    private static Result best(Result a, Result b) {
        return a == null || b.rate > a.rate ? b : a;
    }

    private static void print(String name, Result r) {
        System.out.printf("%-46s %,14.0f %12.3f%n", name, r.rate, r.allocPerSample);
    }

    /** Start and end of the steady-state window in which allocation is measured. */
    static long windowStart(long samples) {
        return samples / 2;
    }

    static long windowEnd(long samples) {
        return samples - samples / 10;
    }

    /**
     * The writer used by both reading paths: loan, write the counter, commit. Returns the bytes it
     * allocated in the steady-state window.
     */
    private static long write(FlatWriter writer, long samples) {
        long from = windowStart(samples);
        long to = windowEnd(samples);
        long before = 0;
        long allocated = 0;
        for (long i = 0; i < samples; i++) {
            if (i == from) {
                before = MX.getCurrentThreadAllocatedBytes();
            } else if (i == to) {
                allocated = MX.getCurrentThreadAllocatedBytes() - before;
            }
            FlatWriter.Claim claim = writer.loan();
            claim.segment().set(ValueLayout.JAVA_LONG, 0, i);
            claim.commit(SIZE);
        }
        return allocated;
    }

    static Result plain(long samples, boolean spin) throws Exception {
        try (SlotBackend backend = InMemorySlotBackend.create(SLOTS, SIZE);
             FlatReader reader = FlatReader.attach(backend);
             FlatWriter writer = FlatWriter.reliable(backend, Duration.ofSeconds(10))) {
            long[] readerAlloc = new long[1];
            long[] sum = new long[1];
            Thread consumer = Thread.ofPlatform().name("plain-reader").start(() -> {
                long before = 0;
                long s = 0;
                for (long i = 0; i < samples; i++) {
                    if (i == windowStart(samples)) {
                        before = MX.getCurrentThreadAllocatedBytes();
                    } else if (i == windowEnd(samples)) {
                        readerAlloc[0] = MX.getCurrentThreadAllocatedBytes() - before;
                    }
                    Sample sample;
                    if (spin) {
                        while ((sample = reader.take()) == null) {
                            Thread.onSpinWait();
                        }
                    } else {
                        sample = reader.take(Duration.ofSeconds(10));
                    }
                    s += sample.segment().get(ValueLayout.JAVA_LONG, 0);
                    sample.release();
                }
                sum[0] = s;
            });
            long start = System.nanoTime();
            long writerAlloc = write(writer, samples);
            consumer.join();
            long nanos = System.nanoTime() - start;
            check(sum[0], samples);
            return new Result(samples * 1e9 / nanos, (writerAlloc + readerAlloc[0]) / (double) window(samples));
        }
    }

    static long window(long samples) {
        return windowEnd(samples) - windowStart(samples);
    }

    static Result flux(long samples) throws Exception {
        try (SlotBackend backend = InMemorySlotBackend.create(SLOTS, SIZE);
             FlatWriter writer = FlatWriter.reliable(backend, Duration.ofSeconds(10))) {
            CopyOnWriteArrayList<Thread> threads = new CopyOnWriteArrayList<>();
            try (ReactiveFlatReader reader = ReactiveFlatReader.builder(backend)
                    .threadFactory(r -> {
                        Thread t = new Thread(r, "flux-source");
                        t.setDaemon(true);
                        threads.add(t);
                        return t;
                    })
                    .build()) {
                SummingSubscriber subscriber = new SummingSubscriber(samples, () -> 0L);
                reader.flux().subscribe(subscriber);
                long start = System.nanoTime();
                long writerAlloc = write(writer, samples);
                subscriber.await();
                long nanos = System.nanoTime() - start;
                check(subscriber.sum, samples);
                long readerAlloc = subscriber.allocatedInWindow;
                return new Result(samples * 1e9 / nanos, (writerAlloc + readerAlloc) / (double) window(samples));
            }
        }
    }

    static Result reactivePipe(long samples) throws Exception {
        try (SlotBackend backend = InMemorySlotBackend.create(SLOTS, SIZE)) {
            CopyOnWriteArrayList<Thread> writing = new CopyOnWriteArrayList<>();
            ReactiveFlatWriter writer = ReactiveFlatWriter.builder(backend).threadFactory(r -> {
                Thread t = new Thread(r, "send-waiter");
                t.setDaemon(true);
                writing.add(t);
                return t;
            }).build();
            try (ReactiveFlatReader reader = ReactiveFlatReader.attach(backend)) {
                // bytes allocated so far by the threads that run the send (sender and waiter)
                SummingSubscriber subscriber = new SummingSubscriber(samples, () -> {
                    long sum = 0;
                    for (Thread t : writing) {
                        sum += Math.max(0, MX.getThreadAllocatedBytes(t.threadId()));
                    }
                    return sum;
                });
                reader.flux().subscribe(subscriber);
                long[] counter = new long[1];
                CountDownLatch sent = new CountDownLatch(1);
                CountDownLatch measured = new CountDownLatch(1);
                long start = System.nanoTime();
                writing.add(Thread.ofPlatform().name("sender").start(() -> {
                    writer.send(new CountingPublisher(samples), (token, slot) -> {
                        slot.set(ValueLayout.JAVA_LONG, 0, counter[0]++);
                        return SIZE;
                    }).subscribe(null, Throwable::printStackTrace, sent::countDown);
                    try {
                        measured.await(); // alive, so measurable, until the run is over
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
                subscriber.await();
                long nanos = System.nanoTime() - start;
                measured.countDown();
                sent.await(10, TimeUnit.SECONDS);
                check(subscriber.sum, samples);
                return new Result(samples * 1e9 / nanos,
                        (subscriber.allocatedInWindow + subscriber.probedInWindow) / (double) window(samples));
            }
        }
    }

    private static void check(long sum, long samples) {
        long expected = samples * (samples - 1) / 2;
        if (sum != expected) {
            throw new AssertionError("checksum " + sum + " != " + expected);
        }
    }

    /**
     * Requests unbounded and sums the first long of each view in place; measures, in the
     * steady-state window, its own thread's allocation and what {@code probe} reports.
     */
    static final class SummingSubscriber extends BaseSubscriber<SampleView> {
        final long samples;
        final java.util.function.LongSupplier probe;
        final CountDownLatch done = new CountDownLatch(1);
        long sum;
        long received;
        long allocStart;
        long probeStart;
        long allocatedInWindow;
        long probedInWindow;

        SummingSubscriber(long samples, java.util.function.LongSupplier probe) {
            this.samples = samples;
            this.probe = probe;
        }

        @Override
        protected void hookOnNext(SampleView view) {
            if (received == windowStart(samples)) {
                allocStart = MX.getCurrentThreadAllocatedBytes();
                probeStart = probe.getAsLong();
            } else if (received == windowEnd(samples)) {
                allocatedInWindow = MX.getCurrentThreadAllocatedBytes() - allocStart;
                probedInWindow = probe.getAsLong() - probeStart;
            }
            sum += view.getLong(0);
            if (++received == samples) {
                dispose();
                done.countDown();
            }
        }

        void await() throws InterruptedException {
            if (!done.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("timed out after " + received + " samples");
            }
        }
    }

    /**
     * What one view costs per sample in the two designs: a shared arena per view, closed at release
     * (so a raw segment handed out dies with the view), against raw access in a scoped callback
     * validated by the slot's sequence (what SampleView does).
     */
    @SuppressWarnings("restricted") // reinterpret: the launcher grants native access
    static void viewDesignCost(int n) {
        try (SlotBackend backend = InMemorySlotBackend.create(4, SIZE)) {
            int slot = backend.reserveSlot(0);
            backend.slotDataPtr(slot).set(ValueLayout.JAVA_LONG, 0, 7L);
            long sequence = backend.commitInPlace(slot, SIZE);
            MemorySegment view = backend.slotReadPtr(slot);
            long sum = 0;
            for (int round = 0; round < 2; round++) { // first round warms up
                long a0 = MX.getCurrentThreadAllocatedBytes();
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    Arena arena = Arena.ofShared();
                    MemorySegment scoped = view.reinterpret(arena, null);
                    sum += scoped.get(ValueLayout.JAVA_LONG, 0);
                    arena.close();
                }
                long t1 = System.nanoTime();
                long a1 = MX.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < n; i++) {
                    sum += view.get(ValueLayout.JAVA_LONG, 0);
                    if (backend.slotSequence(slot) != sequence) {
                        throw new IllegalStateException("recycled");
                    }
                }
                long t2 = System.nanoTime();
                long a2 = MX.getCurrentThreadAllocatedBytes();
                if (round == 1) {
                    System.out.printf("view design, per sample: shared arena per view %.0f ns, %.0f B; "
                                    + "scoped callback + seqlock check %.1f ns, %.1f B%n",
                            (t1 - t0) / (double) n, (a1 - a0) / (double) n,
                            (t2 - t1) / (double) n, (a2 - a1) / (double) n);
                }
            }
            if (sum == 42) {
                System.out.print("");
            }
        }
    }
}
