package io.zerodds.flatdata.reactor;

import static io.zerodds.flatdata.reactor.TestRings.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zerodds.flatdata.BackendClosedException;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.TestBackends;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The Flux of sample views: demand, lifetime, termination; every test on every backend. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReactiveFlatReaderTest extends RingTestBase {

    private ReactiveFlatReader reader(ReactiveFlatReader.Builder builder) {
        ReactiveFlatReader reader = builder.build();
        return closeFirst(reader);
    }

    // ------------------------------------------------------------------ demand

    @ParameterizedTest
    @MethodSource("backends")
    void requestZeroTakesNothingAndTheWriterStallsAtSlotCountThenResumesOnDemand(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 16);
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend));
        ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
        AtomicLong upstreamRequested = new AtomicLong();
        Disposable sending = writer.send(Flux.range(0, 40).doOnRequest(upstreamRequested::addAndGet), ENCODER)
                .subscribe();
        try {
            StepVerifier.create(reader.flux().map(TestRings::decode), 0)
                    .expectSubscription()
                    .then(() -> await("the writer to fill the ring", () -> writer.sentCount() == 16))
                    .expectNoEvent(Duration.ofMillis(300))
                    .then(() -> {
                        assertThat(writer.sentCount()).as("published").isEqualTo(16);
                        assertThat(upstreamRequested.get()).as("requested from upstream").isEqualTo(16);
                        assertThat(unreadBy(backend, reader.readerIndex())).as("unread in the ring").isEqualTo(16);
                    })
                    .thenRequest(5)
                    .expectNext(0L, 1L, 2L, 3L, 4L)
                    .then(() -> await("the writer to use the 5 freed slots", () -> writer.sentCount() == 21))
                    .then(() -> assertThat(upstreamRequested.get()).isEqualTo(21))
                    .thenRequest(35)
                    .expectNextSequence(Flux.range(5, 35).map(Long::valueOf).toIterable())
                    .thenCancel()
                    .verify(Duration.ofSeconds(30));
            await("the send to finish", sending::isDisposed);
        } finally {
            sending.dispose();
        }
    }

    // ------------------------------------------------------------------ operators

    private static final int SAMPLES = 100_000;

    record Pipeline(String name, java.util.function.Function<Flux<SampleView>, Flux<Long>> apply) {
        @Override
        public String toString() {
            return name;
        }
    }

    static long copyAndRelease(SampleView view) {
        try {
            return decode(view.copy());
        } finally {
            view.release();
        }
    }

    static List<Pipeline> pipelines() {
        return List.of(
                new Pipeline("retain, publishOn(parallel), map(copy)", f -> f.map(SampleView::retain)
                        .publishOn(Schedulers.parallel())
                        .map(ReactiveFlatReaderTest::copyAndRelease)),
                new Pipeline("map(copy), publishOn(parallel)", f -> f.map(SampleView::copy)
                        .publishOn(Schedulers.parallel())
                        .map(TestRings::decode)),
                new Pipeline("limitRate(7)", f -> f.limitRate(7).map(TestRings::decode)),
                new Pipeline("flatMap(concurrency 4) of copies", f -> f.flatMap(v -> Mono.just(v.copy()), 4)
                        .map(TestRings::decode)),
                new Pipeline("buffer(10) of copies", f -> f.map(SampleView::copy).buffer(10)
                        .flatMapIterable(list -> list).map(TestRings::decode)),
                new Pipeline("take(n)", f -> f.take(SAMPLES).map(TestRings::decode)),
                new Pipeline("retain, concatMap", f -> f.map(SampleView::retain)
                        .concatMap(v -> Mono.fromCallable(() -> copyAndRelease(v)))),
                new Pipeline("slow subscriber, fast writer", f -> f.map(v -> {
                    long value = decode(v);
                    if (value % 16 == 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                    }
                    return value;
                })));
    }

    static List<org.junit.jupiter.params.provider.Arguments> backendsAndPipelines() {
        List<org.junit.jupiter.params.provider.Arguments> cases = new ArrayList<>();
        for (Named<TestBackends.Factory> backend : TestBackends.all()) {
            for (Pipeline pipeline : pipelines()) {
                cases.add(org.junit.jupiter.params.provider.Arguments.of(backend, pipeline));
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("backendsAndPipelines")
    void everySampleArrivesOnceInOrderThroughA16SlotRing(TestBackends.Factory factory, Pipeline pipeline) {
        SlotBackend backend = ring(factory, 16);
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend));
        ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
        Disposable sending = writer.send(Flux.range(0, SAMPLES), ENCODER).subscribe();
        try {
            AtomicLong next = new AtomicLong();
            AtomicReference<String> wrong = new AtomicReference<>();
            Long count = pipeline.apply().apply(reader.flux())
                    .take(SAMPLES)
                    .doOnNext(v -> {
                        long expected = next.getAndIncrement();
                        if (v != expected && wrong.get() == null) {
                            wrong.set("expected " + expected + " but got " + v);
                        }
                    })
                    .count()
                    .block(Duration.ofSeconds(50));
            assertThat(wrong.get()).as("order").isNull();
            assertThat(count).isEqualTo(SAMPLES);
            await("the send to complete", sending::isDisposed);
            assertThat(writer.sentCount()).isEqualTo(SAMPLES);
            assertThat(reader.leakCount()).isZero();
        } finally {
            sending.dispose();
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aSpinningSourceDeliversEverySampleInOrder(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 16);
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend).spinIterations(1_024));
        Disposable sending = ReactiveFlatWriter.reliable(backend).send(Flux.range(0, SAMPLES), ENCODER).subscribe();
        try {
            StepVerifier.create(reader.flux().limitRate(7).map(TestRings::decode).take(SAMPLES))
                    .expectNextSequence(Flux.range(0, SAMPLES).map(Long::valueOf).toIterable())
                    .expectComplete()
                    .verify(Duration.ofSeconds(50));
        } finally {
            sending.dispose();
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void cancelRacingDeliveryNeitherLosesNorDuplicatesNorLeaksASlot(TestBackends.Factory factory) throws Exception {
        SlotBackend backend = ring(factory, 8);
        List<Thread> sources = new CopyOnWriteArrayList<>();
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend)
                .releaseMode(ReleaseMode.ON_REQUEST)
                .threadFactory(r -> {
                    Thread t = new Thread(r, "race-source");
                    sources.add(t);
                    return t;
                }));
        java.util.Random random = new java.util.Random(42);
        long next = 0;   // the next value the writer commits
        long expected = 0; // the next value a subscriber must see
        for (int round = 0; round < 300; round++) {
            while (next - expected < 8) {
                write(backend, next++);
            }
            List<Long> seen = new CopyOnWriteArrayList<>();
            int demand = 1 + random.nextInt(8);
            Disposable d = reader.flux().map(TestRings::decode).subscribeWith(new BaseSubscriber<Long>() {
                @Override
                protected void hookOnSubscribe(Subscription subscription) {
                    subscription.request(demand);
                }

                @Override
                protected void hookOnNext(Long value) {
                    seen.add(value);
                }
            });
            if (random.nextBoolean()) {
                Thread.onSpinWait();
            }
            d.dispose(); // races the deliveries on the source thread
            Thread source = sources.get(sources.size() - 1);
            source.join(10_000);
            assertThat(source.isAlive()).isFalse();
            for (long v : seen) {
                assertThat(v).as("round %d", round).isEqualTo(expected++);
            }
            assertThat(reader.nextSequence()).as("round %d: resumes after the last delivered", round).isEqualTo(expected);
            // every delivered view was released by the cancel, nothing else was taken
            assertThat(unreadBy(backend, reader.readerIndex())).as("round %d", round).isEqualTo((int) (next - expected));
        }
        assertThat(reader.leakCount()).isZero();
    }

    // ------------------------------------------------------------------ lifetime

    @ParameterizedTest
    @MethodSource("backends")
    void aViewQueuedPastOnNextWithoutRetainFailsLoudly(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 64);
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend));
        write(backend, 0, 1, 2, 3, 4, 5, 6, 7);
        // the consumer behind the queue is slower than the source: every view it takes was released
        StepVerifier.create(reader.flux()
                        .publishOn(Schedulers.boundedElastic())
                        .doOnNext(v -> java.util.concurrent.locks.LockSupport.parkNanos(20_000_000))
                        .map(SampleView::copy))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("was released"))
                .verify(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void everyAccessorOfAReleasedViewThrows(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 8);
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend));
        write(backend, 42, 43);
        List<SampleView> kept = new CopyOnWriteArrayList<>();
        StepVerifier.create(reader.flux().doOnNext(kept::add).map(TestRings::decode).take(2))
                .expectNext(42L, 43L)
                .verifyComplete();
        SampleView released = kept.get(0);
        assertThat(released.isReleased()).isTrue();
        List<Runnable> accessors = List.of(released::sequence, released::size, () -> released.getLong(0),
                () -> released.getInt(0), () -> released.getByte(0), () -> released.getDouble(0),
                released::copy, () -> released.copyTo(new byte[64], 0), () -> released.read(s -> s.byteSize()),
                () -> released.readBuffer(b -> b.remaining()), released::retain);
        for (Runnable accessor : accessors) {
            assertThatThrownBy(accessor::run).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("released");
        }
        released.release(); // idempotent
        assertThat(freeSlots(backend)).isEqualTo(8);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aRetainedViewStaysLiveUntilReleasedAndHoldsItsSlot(TestBackends.Factory factory) throws Exception {
        SlotBackend backend = ring(factory, 4);
        List<Thread> sources = new CopyOnWriteArrayList<>();
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend).threadFactory(r -> {
            Thread t = new Thread(r, "test-source");
            sources.add(t);
            return t;
        }));
        write(backend, 7);
        SampleView view = reader.flux().map(SampleView::retain).blockFirst(Duration.ofSeconds(10));
        // blockFirst returns from inside onNext: wait until the source dropped its own reference
        sources.get(0).join(10_000);
        assertThat(view.getLong(0)).isEqualTo(7);
        assertThat(view.sequence()).isZero();
        assertThat(view.size()).isEqualTo(SAMPLE_SIZE);
        assertThat(freeSlots(backend)).as("the retained slot is not free").isEqualTo(3);
        view.retain();
        view.release();
        assertThat(view.getLong(56)).isEqualTo(7);
        view.release();
        assertThat(view.isReleased()).isTrue();
        assertThatThrownBy(() -> view.getLong(0)).isInstanceOf(IllegalStateException.class);
        assertThat(freeSlots(backend)).isEqualTo(4);
    }

    // ------------------------------------------------------------------ termination frees every slot

    @ParameterizedTest
    @MethodSource("backends")
    void cancelReleasesEveryHeldViewAndClosingTheReaderFreesTheRest(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 16);
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend).releaseMode(ReleaseMode.ON_REQUEST));
        write(backend, 0, 1, 2, 3, 4, 5, 6, 7);
        StepVerifier.create(reader.flux().map(TestRings::decode), 5)
                .expectNext(0L, 1L, 2L, 3L, 4L)
                .then(() -> assertThat(freeSlots(backend)).as("5 held + 3 undelivered").isEqualTo(8))
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        await("cancel to release the held views", () -> freeSlots(backend) == 13);
        assertThat(reader.nextSequence()).isEqualTo(5);
        reader.close();
        assertThat(freeSlots(backend)).isEqualTo(16);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void completionThroughTakeReleasesEveryHeldView(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 16);
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend).releaseMode(ReleaseMode.ON_REQUEST));
        write(backend, 0, 1, 2, 3, 4, 5);
        StepVerifier.create(reader.flux().take(4).map(TestRings::decode))
                .expectNext(0L, 1L, 2L, 3L)
                .verifyComplete();
        await("completion to release the views", () -> freeSlots(backend) == 14);
        // the next subscriber resumes with the first undelivered sample
        StepVerifier.create(reader.flux().take(2).map(TestRings::decode))
                .expectNext(4L, 5L)
                .verifyComplete();
        await("every slot free", () -> freeSlots(backend) == 16);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void anErrorReleasesEveryHeldView(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 16);
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend).releaseMode(ReleaseMode.ON_REQUEST));
        write(backend, 0, 1, 2, 3, 4, 5);
        StepVerifier.create(reader.flux().map(TestRings::decode), 3)
                .expectNext(0L, 1L, 2L)
                .then(reader::close)
                .expectError(BackendClosedException.class)
                .verify(Duration.ofSeconds(10));
        await("every slot free after the error", () -> freeSlots(backend) == 16);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aPerSubscriberFluxDetachesOnCancelAndLeavesEverySlotFree(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 16);
        Flux<Long> values = ReactiveFlatReader.builder(backend).flux().map(TestRings::decode);
        StepVerifier.create(values, 2)
                .then(() -> write(backend, 10, 11, 12, 13))
                .expectNext(10L, 11L)
                .then(() -> assertThat(backend.activeReaders()).isNotZero())
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        await("the reader to detach", () -> backend.activeReaders() == 0);
        assertThat(freeSlots(backend)).isEqualTo(16);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void viewsDroppedByFilterAreReleasedThroughTheDiscardHook(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 16);
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend));
        ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
        Disposable sending = writer.send(Flux.range(0, 2_000), ENCODER).subscribe();
        try {
            AtomicLong discarded = new AtomicLong();
            List<Long> even = reader.flux()
                    .take(2_000)
                    .map(SampleView::retain)
                    .filter(v -> v.getLong(0) % 2 == 0)
                    .map(ReactiveFlatReaderTest::copyAndRelease)
                    .doOnDiscard(SampleView.class, v -> {
                        discarded.incrementAndGet();
                        v.release();
                    })
                    .collectList()
                    .block(Duration.ofSeconds(30));
            assertThat(even).hasSize(1_000).startsWith(0L, 2L, 4L);
            assertThat(discarded.get()).isEqualTo(1_000);
            await("every slot free", () -> freeSlots(backend) == 16);
        } finally {
            sending.dispose();
        }
    }

    // ------------------------------------------------------------------ ON_REQUEST

    @ParameterizedTest
    @MethodSource("backends")
    void onRequestModeReleasesWhatWasDeliveredWhenTheSubscriberRequestsAgain(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 8);
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend).releaseMode(ReleaseMode.ON_REQUEST));
        ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
        Disposable sending = writer.send(Flux.range(0, 5_000), ENCODER).subscribe();
        List<Long> seen = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            reader.flux().subscribe(new BaseSubscriber<SampleView>() {
                SampleView previous;

                @Override
                protected void hookOnSubscribe(Subscription subscription) {
                    request(1);
                }

                @Override
                protected void hookOnNext(SampleView view) {
                    try {
                        if (previous != null && !previous.isReleased()) {
                            throw new AssertionError("the previous view should have been released by request(1)");
                        }
                        seen.add(decode(view)); // still live after onNext: released by the next request
                        previous = view;
                        if (seen.size() == 5_000) {
                            cancel();
                        } else {
                            request(1);
                        }
                    } catch (Throwable t) {
                        failure.set(t);
                        cancel();
                    }
                }
            });
            await("5000 samples", () -> seen.size() == 5_000 || failure.get() != null);
            assertThat(failure.get()).isNull();
            for (int i = 0; i < seen.size(); i++) {
                assertThat(seen.get(i)).isEqualTo(i);
            }
        } finally {
            sending.dispose();
        }
    }

    // ------------------------------------------------------------------ subscription rules

    @ParameterizedTest
    @MethodSource("backends")
    void aSecondConcurrentSubscriberIsRefused(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 4);
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend));
        Disposable first = reader.flux().subscribe();
        try {
            StepVerifier.create(reader.flux())
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("already has a subscriber"))
                    .verify(Duration.ofSeconds(5));
        } finally {
            first.dispose();
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void subscribersThatFollowEachOtherImmediatelyResumeWhereThePreviousOneStopped(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 256);
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend));
        for (long i = 0; i < 200; i++) {
            write(backend, i);
        }
        for (long i = 0; i < 200; i++) {
            // take(1) completes inside onNext: the next subscriber queues behind the leaving one
            assertThat(reader.flux().map(TestRings::decode).take(1).blockLast(Duration.ofSeconds(10))).isEqualTo(i);
        }
        await("every sample read", () -> unreadBy(backend, reader.readerIndex()) == 0);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aClosedBackendFailsTheSubscriber(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 4);
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend));
        backend.close();
        StepVerifier.create(reader.flux())
                .expectError(BackendClosedException.class)
                .verify(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void closingTheBackendWhileWaitingFailsTheSubscriber(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 4);
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend));
        StepVerifier.create(reader.flux())
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(100))
                .then(backend::close)
                .expectError(IllegalStateException.class)
                .verify(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aNonPositiveRequestFailsTheSubscriberPerRule309(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 4);
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend));
        AtomicReference<Throwable> error = new AtomicReference<>();
        reader.flux().subscribe(new BaseSubscriber<SampleView>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                subscription.request(0);
            }

            @Override
            protected void hookOnError(Throwable throwable) {
                error.set(throwable);
            }
        });
        await("onError", () -> error.get() != null);
        assertThat(error.get()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.9");
    }

    @ParameterizedTest
    @MethodSource("backends")
    void cancelWakesASourceThatWaitsForSamples(TestBackends.Factory factory) throws Exception {
        SlotBackend backend = ring(factory, 4);
        List<Thread> threads = new CopyOnWriteArrayList<>();
        ReactiveFlatReader reader = reader(ReactiveFlatReader.builder(backend).spinIterations(0).threadFactory(r -> {
            Thread t = new Thread(r, "test-source");
            threads.add(t);
            return t;
        }));
        Disposable d = reader.flux().subscribe();
        // blocked in the backend's wait (a monitor wait, or a futex call that shows as RUNNABLE)
        await("the source to block", () -> !threads.isEmpty() && java.util.Arrays.stream(threads.get(0).getStackTrace())
                .anyMatch(f -> f.getMethodName().equals("waitForChange")));
        long t0 = System.nanoTime();
        d.dispose();
        threads.get(0).join(10_000);
        assertThat(threads.get(0).isAlive()).isFalse();
        assertThat(System.nanoTime() - t0).as("woken at once, not at the 5 s wait slice")
                .isLessThan(TimeUnit.MILLISECONDS.toNanos(2_000));
    }
}
