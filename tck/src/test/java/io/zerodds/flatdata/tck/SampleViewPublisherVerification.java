package io.zerodds.flatdata.tck;

import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import io.zerodds.flatdata.reactor.ReactiveFlatWriter;
import io.zerodds.flatdata.reactor.SampleView;
import io.zerodds.flatdata.reactor.SlotEncoder;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterMethod;
import reactor.core.publisher.Flux;

/**
 * The Reactive Streams TCK against the {@code Flux<SampleView>} of a {@link ReactiveFlatReader}:
 * a real ring, a real writer that commits exactly {@code n} samples and then ends the stream (or
 * writes forever for {@code Long.MAX_VALUE}), and the reader's publisher under test. Any {@code n}
 * up to the TCK's default maximum works: the samples are generated as they are requested.
 */
abstract class SampleViewPublisherVerification extends PublisherVerification<SampleView> {

    /** Generous for a loaded 2-core machine: signals are expected within 5 s, silence checked for 200 ms. */
    static TestEnvironment environment() {
        return new TestEnvironment(5_000, 200, 5_000);
    }

    static final SlotEncoder<Long> ENCODER = (i, slot) -> {
        slot.set(ValueLayout.JAVA_LONG, 0, i);
        return Long.BYTES;
    };

    private final Rings rings;
    private final TestEnvironment env;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<Thread> sourceThreads = new ArrayList<>();

    SampleViewPublisherVerification(Rings rings) {
        this(rings, environment());
    }

    private SampleViewPublisherVerification(Rings rings, TestEnvironment env) {
        super(env, 2_000);
        this.rings = rings;
        this.env = env;
    }

    /** A reader whose source threads we know, so that cleanup can wait for them to finish. */
    private ReactiveFlatReader reader(SlotBackend backend) {
        return track(ReactiveFlatReader.builder(backend).threadFactory(task -> {
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
        }).build());
    }

    @Override
    public Publisher<SampleView> createPublisher(long elements) {
        SlotBackend backend = track(rings.create());
        ReactiveFlatReader reader = reader(backend);
        // 0, 1, 2, ... and then the end of the stream after exactly `elements` samples
        Flux<Long> numbers = Flux.generate(() -> 0L, (i, sink) -> {
            if (i < elements) {
                sink.next(i);
            } else {
                sink.complete();
            }
            return i + 1;
        });
        if (elements == Long.MAX_VALUE) {
            // endless: runs until the ring closes after the test; that failure is expected and ignored
            ReactiveFlatWriter.reliable(backend).send(numbers, ENCODER).subscribe(null, closed -> { });
        } else {
            ReactiveFlatWriter writer = ReactiveFlatWriter.builder(backend).endStreamOnComplete().build();
            writer.send(numbers, ENCODER).subscribe(null, closed -> { });
        }
        return reader.flux();
    }

    /** A reader whose ring was closed: it must signal onSubscribe, then onError. */
    @Override
    public Publisher<SampleView> createFailedPublisher() {
        SlotBackend backend = track(rings.create());
        ReactiveFlatReader reader = reader(backend);
        backend.close();
        return reader.flux();
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
