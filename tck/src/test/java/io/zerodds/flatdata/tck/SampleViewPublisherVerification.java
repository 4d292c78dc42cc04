package io.zerodds.flatdata.tck;

import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import io.zerodds.flatdata.reactor.ReactiveFlatWriter;
import io.zerodds.flatdata.reactor.SampleView;
import io.zerodds.flatdata.reactor.SlotEncoder;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterMethod;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The Reactive Streams TCK against a {@code Flux<SampleView>} of a reactive reader: a real ring, a
 * real writer that commits exactly {@code n} samples and then ends the stream (or writes forever
 * for {@code Long.MAX_VALUE}), and the reader's publisher under test. Any {@code n} up to the TCK's
 * default maximum works: the samples are generated as they are requested.
 */
abstract class SampleViewPublisherVerification extends PublisherVerification<SampleView> {

    /** The two publishers a reactive reader offers. */
    enum Readers {
        /** {@link ReactiveFlatReader#flux()}: one reader index, attached before the writer starts. */
        UNICAST,
        /**
         * {@link ReactiveFlatReader.Builder#flux()}: every subscriber attaches a reader index of
         * its own when it subscribes and receives what is committed from then on. The writer starts
         * {@link #SETTLE_MILLIS} after the first subscriber attached, so that the subscribers a
         * TCK rule makes one after the other all see the first sample (rule 1.11, multicast).
         */
        PER_SUBSCRIBER
    }

    static final long SETTLE_MILLIS = 100;

    /**
     * Generous for a loaded 2-core machine: signals are expected within 5 s, silence is checked for
     * 200 ms; an expected asynchronous error is looked for every 50 ms (the poll interval, not a
     * timeout: the TCK otherwise sleeps a whole timeout before its first look).
     */
    static TestEnvironment environment() {
        return new TestEnvironment(5_000, 200, 50);
    }

    static final SlotEncoder<Long> ENCODER = (i, slot) -> {
        slot.set(ValueLayout.JAVA_LONG, 0, i);
        return Long.BYTES;
    };

    private final Rings rings;
    private final Readers readers;
    private final TestEnvironment env;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<Thread> sourceThreads = new ArrayList<>();

    SampleViewPublisherVerification(Rings rings, Readers readers) {
        this(rings, readers, environment());
    }

    private SampleViewPublisherVerification(Rings rings, Readers readers, TestEnvironment env) {
        super(env, 2_000);
        this.rings = rings;
        this.readers = readers;
        this.env = env;
    }

    /** The publisher under test on {@code backend}. */
    private Flux<SampleView> publisher(SlotBackend backend) {
        return switch (readers) {
            case UNICAST -> track(readerSettings(backend).build()).flux();
            case PER_SUBSCRIBER -> readerSettings(backend).flux();
        };
    }

    /** Reader settings whose source threads we know, so that cleanup can wait for them to finish. */
    private ReactiveFlatReader.Builder readerSettings(SlotBackend backend) {
        return ReactiveFlatReader.builder(backend).threadFactory(task -> {
            // listed only while running: a finished thread must not keep its subscriber reachable
            // (rule 3.13 checks that a cancelled subscriber can be garbage-collected)
            Thread thread = new Thread(() -> {
                try {
                    task.run();
                } finally {
                    synchronized (sourceThreads) {
                        sourceThreads.remove(Thread.currentThread());
                    }
                }
            }, "tck-reader");
            thread.setDaemon(true);
            synchronized (sourceThreads) {
                sourceThreads.add(thread);
            }
            return thread;
        });
    }

    @Override
    public Publisher<SampleView> createPublisher(long elements) {
        SlotBackend backend = track(rings.create());
        Flux<SampleView> publisher = publisher(backend);
        // 0, 1, 2, ... and then the end of the stream after exactly `elements` samples
        Flux<Long> numbers = Flux.generate(() -> 0L, (i, sink) -> {
            if (i < elements) {
                sink.next(i);
            } else {
                sink.complete();
            }
            return i + 1;
        });
        if (readers == Readers.PER_SUBSCRIBER) {
            numbers = numbers.delaySubscription(firstReaderAttached(backend));
        }
        if (elements == Long.MAX_VALUE) {
            // endless: runs until the ring closes after the test; that failure is expected and ignored
            ReactiveFlatWriter.reliable(backend).send(numbers, ENCODER).subscribe(null, closed -> { });
        } else {
            ReactiveFlatWriter writer = ReactiveFlatWriter.builder(backend).endStreamOnComplete().build();
            writer.send(numbers, ENCODER).subscribe(null, closed -> { });
        }
        return publisher;
    }

    /** Completes {@link #SETTLE_MILLIS} after the first reader attached to {@code backend}. */
    private static Mono<Long> firstReaderAttached(SlotBackend backend) {
        return Flux.interval(Duration.ofMillis(1))
                .filter(tick -> backend.isClosed() || backend.activeReaders() != 0)
                .next()
                .delayElement(Duration.ofMillis(SETTLE_MILLIS));
    }

    /** A reader whose ring was closed: it must signal onSubscribe, then onError. */
    @Override
    public Publisher<SampleView> createFailedPublisher() {
        SlotBackend backend = track(rings.create());
        Flux<SampleView> publisher = publisher(backend);
        backend.close();
        return publisher;
    }

    private <T extends AutoCloseable> T track(T resource) {
        synchronized (resources) {
            resources.add(resource);
        }
        return resource;
    }

    @AfterMethod
    public void closeRings() throws Exception {
        List<AutoCloseable> toClose;
        synchronized (resources) {
            toClose = new ArrayList<>(resources.reversed());
            resources.clear();
        }
        for (AutoCloseable resource : toClose) {
            resource.close();
        }
        // A subscriber a test left subscribed sees the close as onError on the source thread;
        // wait for those threads, then drop what they reported so it is not charged to the next test.
        List<Thread> threads;
        synchronized (sourceThreads) {
            threads = new ArrayList<>(sourceThreads);
            sourceThreads.clear();
        }
        for (Thread thread : threads) {
            thread.join(5_000);
        }
        env.clearAsyncErrors();
    }
}
