package io.zerodds.flatdata.reactor;

import static io.zerodds.flatdata.reactor.TestRings.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.TestBackends;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/** Use after release is loud, also against a racing writer; leaked views come back. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ViewLifetimeTest extends RingTestBase {

    private ReactiveFlatReader reader(ReactiveFlatReader.Builder builder) {
        ReactiveFlatReader reader = builder.build();
        return closeFirst(reader);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aRetainedViewWhoseSlotWasRecycledThrowsInsteadOfReturningTheNewBytes(TestBackends.Factory factory)
            throws Exception {
        SlotBackend backend = ring(factory, 2);
        List<Thread> sources = new CopyOnWriteArrayList<>();
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend).threadFactory(r -> {
            Thread t = new Thread(r, "test-source");
            sources.add(t);
            return t;
        }));
        write(backend, 100);
        SampleView view = reader.flux().map(SampleView::retain).blockFirst(Duration.ofSeconds(10));
        sources.get(0).join(10_000);
        assertThat(view.getLong(0)).isEqualTo(100);
        // closing the reader lets the writer recycle the slot while the view is still retained
        reader.close();
        write(backend, 101, 102);
        assertThat(view.isReleased()).as("still retained").isFalse();
        assertThatThrownBy(() -> view.getLong(0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("recycled by the writer");
        assertThatThrownBy(() -> view.read(TestRings::decode)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("recycled");
        view.release();
        assertThat(reader.leakCount()).isZero();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void readingAViewThatIsReleasedWhileTheWriterRecyclesItsSlotNeverReturnsForeignBytes(TestBackends.Factory factory)
            throws Exception {
        SlotBackend backend = ring(factory, 2);
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend));
        ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
        int samples = 100_000;
        AtomicReference<SampleView> latest = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong valid = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicReference<Throwable> wrong = new AtomicReference<>();
        Thread racer = Thread.ofPlatform().name("racer").start(() -> {
            while (!stop.get()) {
                SampleView v = latest.get();
                if (v == null) {
                    continue;
                }
                try {
                    long sequence = v.sequence();
                    long value = v.read(TestRings::decode); // AssertionError on a torn sample
                    if (value != sequence) {
                        wrong.compareAndSet(null, new AssertionError("view of sequence " + sequence
                                + " returned the bytes of sample " + value));
                    }
                    valid.incrementAndGet();
                } catch (IllegalStateException released) {
                    refused.incrementAndGet();
                } catch (Throwable t) {
                    wrong.compareAndSet(null, t);
                }
            }
        });
        Disposable sending = writer.send(Flux.range(0, samples), ENCODER).subscribe();
        try {
            Long count = reader.flux()
                    .doOnNext(v -> {
                        // hand a retained view to the racer, release the previous one under its feet
                        SampleView previous = latest.getAndSet(v.retain());
                        if (previous != null) {
                            previous.release();
                        }
                    })
                    .take(samples)
                    .count()
                    .block(Duration.ofSeconds(60));
            assertThat(count).isEqualTo(samples);
        } finally {
            stop.set(true);
            racer.join(10_000);
            sending.dispose();
        }
        SampleView last = latest.get();
        if (last != null) {
            last.release();
        }
        assertThat(wrong.get()).as("a read returned bytes that were not the view's own").isNull();
        assertThat(valid.get() + refused.get()).isPositive();
        assertThat(refused.get()).as("released views were read and refused").isPositive();
        await("every slot free", () -> freeSlots(backend) == 2);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aRetainedViewThatIsGarbageCollectedIsReportedAsALeakAndItsSlotComesBack(TestBackends.Factory factory)
            throws Exception {
        SlotBackend backend = ring(factory, 4);
        List<Thread> sources = new CopyOnWriteArrayList<>();
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend).threadFactory(r -> {
            Thread t = new Thread(r, "test-source");
            sources.add(t);
            return t;
        }));
        write(backend, 1, 2);
        AtomicLong received = new AtomicLong();
        // the subscriber retains the first view and forgets it: a leak
        reader.flux().take(2).subscribe(v -> {
            if (received.getAndIncrement() == 0) {
                v.retain();
            }
        });
        await("both samples delivered", () -> received.get() == 2);
        sources.get(0).join(10_000);
        assertThat(freeSlots(backend)).as("the leaked view still holds its slot").isEqualTo(3);
        await("the leak to be detected", Duration.ofSeconds(30), () -> {
            System.gc();
            return reader.leakCount() == 1;
        });
        assertThat(freeSlots(backend)).as("the slot came back").isEqualTo(4);
        // a detected leak also gives back the reader's hold: close detaches at once
        reader.close();
        await("the reader index freed", () -> backend.activeReaders() == 0);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void viewsRetainedAndLeakedInOnRequestModeAreRecoveredWhileTheSubscriptionLives(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 4);
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend).releaseMode(ReleaseMode.ON_REQUEST));
        int samples = 24;
        AtomicLong received = new AtomicLong();
        // every view is retained and forgotten: without recovery the ring is stuck after 4
        reactor.core.publisher.BaseSubscriber<SampleView> subscription = new reactor.core.publisher.BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                request(1);
            }

            @Override
            protected void hookOnNext(SampleView view) {
                view.retain();
                received.incrementAndGet();
                request(1);
            }
        };
        reader.flux().subscribe(subscription);
        try {
            ReactiveFlatWriter.reliable(backend).send(Flux.range(0, samples), ENCODER).subscribe();
            await("every sample delivered, the leaked slots recovered", Duration.ofSeconds(60), () -> {
                System.gc();
                return received.get() == samples;
            });
            await("the leaks reported", Duration.ofSeconds(30), () -> {
                System.gc();
                return reader.leakCount() >= samples - 1;
            });
        } finally {
            subscription.dispose();
        }
    }
}
