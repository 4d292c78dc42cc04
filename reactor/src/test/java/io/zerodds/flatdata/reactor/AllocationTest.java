package io.zerodds.flatdata.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.TestBackends;
import io.zerodds.flatdata.test.CountingPublisher;
import io.zerodds.flatdata.test.ShmNames;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.BaseSubscriber;

/**
 * Zero allocation per sample in steady state, measured per thread with
 * {@code ThreadMXBean#getThreadAllocatedBytes} over a million samples after warm-up. One object
 * per sample would cost at least 16 MB in that window, one per blocking wait or wake-up (there are
 * thousands) tens of kilobytes; the bound leaves room only for a one-off lazy initialisation.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AllocationTest {

    /** Every POSIX ring a test made is gone after its class. */
    @RegisterExtension
    static final ShmNames NAMES = TestBackends.NAMES;

    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final long WARM_UP = 300_000;
    private static final long MEASURED = 1_000_000;
    private static final long MAX_BYTES_IN_WINDOW = 4096;

    static List<Named<TestBackends.Factory>> backends() {
        return TestBackends.all();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void theFluxSourceAllocatesNothingPerSample(TestBackends.Factory factory) throws Exception {
        fluxSourceAllocation(factory, i -> 64);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void theFluxSourceAllocatesNothingPerSampleWhenTheSizeChangesEveryTime(TestBackends.Factory factory)
            throws Exception {
        fluxSourceAllocation(factory, i -> 8 + (int) ((i * 7) % 57)); // 8..64 bytes, a new size each time
    }

    private static void fluxSourceAllocation(TestBackends.Factory factory, java.util.function.LongToIntFunction sizeOf)
            throws Exception {
        try (SlotBackend backend = factory.create(256, 64)) {
            List<Thread> sources = new CopyOnWriteArrayList<>();
            try (ReactiveFlatReader reader = ReactiveFlatReader.builder(backend).threadFactory(r -> {
                Thread t = new Thread(r, "alloc-source");
                t.setDaemon(true);
                sources.add(t);
                return t;
            }).build(); FlatWriter writer = FlatWriter.reliable(backend, Duration.ofSeconds(30))) {
                Measuring subscriber = new Measuring(WARM_UP, MEASURED, MX::getCurrentThreadAllocatedBytes);
                reader.flux().subscribe(subscriber);
                Thread producer = Thread.ofPlatform().name("alloc-writer").start(() -> {
                    for (long i = 0; i < subscriber.total; i++) {
                        FlatWriter.Claim claim = writer.loan();
                        claim.segment().set(ValueLayout.JAVA_LONG, 0, i);
                        claim.commit(sizeOf.applyAsInt(i));
                    }
                });
                subscriber.await();
                // the producer writes through the FlatWriter this block closes: it must be done first
                assertThat(producer.join(Duration.ofSeconds(30))).as("producer finished").isTrue();
                assertThat(subscriber.sum).isEqualTo(expectedSum(0, subscriber.total));
                assertThat(subscriber.allocated).as("bytes the source thread allocated over %d samples", MEASURED)
                        .isLessThanOrEqualTo(MAX_BYTES_IN_WINDOW);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void theReliableSendAllocatesNothingPerSample(TestBackends.Factory factory) throws Exception {
        try (SlotBackend backend = factory.create(256, 64)) {
            List<Thread> waiters = new CopyOnWriteArrayList<>();
            ReactiveFlatWriter writer = ReactiveFlatWriter.builder(backend).threadFactory(r -> {
                Thread t = new Thread(r, "alloc-waiter");
                t.setDaemon(true);
                waiters.add(t);
                return t;
            }).build();
            List<Thread> senders = new CopyOnWriteArrayList<>();
            try (ReactiveFlatReader reader = ReactiveFlatReader.attach(backend)) {
                // the send's drain runs on the sender thread while slots are free, on the waiter after a wait
                LongSupplier writingThreads = () -> {
                    long sum = 0;
                    for (Thread t : senders) {
                        sum += Math.max(0, MX.getThreadAllocatedBytes(t.threadId()));
                    }
                    for (Thread t : waiters) {
                        sum += Math.max(0, MX.getThreadAllocatedBytes(t.threadId()));
                    }
                    return sum;
                };
                Measuring subscriber = new Measuring(WARM_UP, MEASURED, writingThreads);
                reader.flux().subscribe(subscriber);
                long[] counter = new long[1];
                CountDownLatch sent = new CountDownLatch(1);
                CountDownLatch finished = new CountDownLatch(1);
                senders.add(Thread.ofPlatform().name("alloc-sender").start(() -> {
                    writer.send(new CountingPublisher(subscriber.total), (token, slot) -> {
                        slot.set(ValueLayout.JAVA_LONG, 0, counter[0]++);
                        return 64;
                    }).subscribe(null, null, sent::countDown);
                    try {
                        finished.await(); // stay alive (measurable) until the window closed
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
                subscriber.await();
                finished.countDown();
                assertThat(sent.await(30, TimeUnit.SECONDS)).isTrue();
                assertThat(subscriber.sum).isEqualTo(expectedSum(0, subscriber.total));
                assertThat(subscriber.allocated).as("bytes the writing threads allocated over %d samples", MEASURED)
                        .isLessThanOrEqualTo(MAX_BYTES_IN_WINDOW);
            }
        }
    }

    private static long expectedSum(long from, long to) {
        return (to * (to - 1) - from * (from - 1)) / 2;
    }

    /**
     * Sums the first long of each view in place; reads {@code probe} (bytes allocated by the threads
     * under test) when the measured window opens and closes. A tail after the window keeps every
     * measured thread alive until the window closed.
     */
    static final class Measuring extends BaseSubscriber<SampleView> {
        static final long TAIL = 50_000;
        final long warmUp;
        final long windowEnd;
        final long total;
        final LongSupplier probe;
        final CountDownLatch done = new CountDownLatch(1);
        long received;
        long sum;
        long before;
        long allocated;

        Measuring(long warmUp, long measured, LongSupplier probe) {
            this.warmUp = warmUp;
            this.windowEnd = warmUp + measured;
            this.total = windowEnd + TAIL;
            this.probe = probe;
        }

        @Override
        protected void hookOnNext(SampleView view) {
            if (received == warmUp) {
                before = probe.getAsLong();
            }
            sum += view.getLong(0);
            if (++received == windowEnd) {
                allocated = probe.getAsLong() - before;
            }
            if (received == total) {
                dispose();
                done.countDown();
            }
        }

        void await() throws InterruptedException {
            assertThat(done.await(90, TimeUnit.SECONDS)).as("received %d of %d", received, total).isTrue();
        }
    }
}
