package io.zerodds.flatdata.reactor;

import static io.zerodds.flatdata.reactor.TestRings.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.BackendClosedException;
import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatType;
import io.zerodds.flatdata.InMemorySlotBackend;
import io.zerodds.flatdata.SampleTooLargeException;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.TestBackends;
import io.zerodds.flatdata.TypeMismatchException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

/** The backpressured writer: demand equals free slots, errors and cancellation both ways. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReactiveFlatWriterTest extends RingTestBase {

    private FlatReader plainReader(SlotBackend backend) {
        FlatReader reader = FlatReader.attach(backend);
        return closeFirst(reader);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void sendCopiesByteArraysByteBuffersAndSegments(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 8);
        FlatReader reader = plainReader(backend);
        ByteBuffer heap = ByteBuffer.allocate(80).position(8);
        heap.put(sample(2)).flip().position(8);
        ByteBuffer direct = ByteBuffer.allocateDirect(SAMPLE_SIZE).put(sample(3)).flip();
        MemorySegment segment = Arena.ofAuto().allocate(SAMPLE_SIZE);
        segment.copyFrom(MemorySegment.ofArray(sample(4)));
        ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
        StepVerifier.create(writer.send(Flux.just(sample(1), heap, direct, segment)))
                .verifyComplete();
        for (long expected = 1; expected <= 4; expected++) {
            assertThat(decode(reader.takeCopy())).isEqualTo(expected);
        }
        assertThat(heap.position()).as("a sent buffer's position is left alone").isEqualTo(8);
        assertThat(writer.sentCount()).isEqualTo(4);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void unsupportedEmptyAndOversizedElementsFailTheSendAndPublishNothingOfThem(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 8);
        FlatReader reader = plainReader(backend);
        ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
        StepVerifier.create(writer.send(Flux.just(sample(1), "text")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("java.lang.String"))
                .verify(Duration.ofSeconds(5));
        StepVerifier.create(writer.send(Flux.just(new byte[0])))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("size=0"))
                .verify(Duration.ofSeconds(5));
        StepVerifier.create(writer.send(Flux.just(new byte[SAMPLE_SIZE + 1])))
                .expectError(SampleTooLargeException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(decode(reader.takeCopy())).isEqualTo(1);
        assertThat(reader.take()).isNull();
        assertThat(freeSlots(backend)).as("no loan left behind").isEqualTo(8);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void demandIsExactlyTheFreeCapacity(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 16);
        FlatReader reader = plainReader(backend);
        TestPublisher<Long> upstream = TestPublisher.create();
        ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
        Disposable sending = writer.send(upstream, ENCODER).subscribe();
        try {
            upstream.assertMinRequested(16).assertMaxRequested(16);
            for (long i = 0; i < 10; i++) {
                upstream.next(i);
            }
            // 10 published, 6 still requested: demand never exceeds the free slots
            upstream.assertMaxRequested(6);
            for (long i = 10; i < 16; i++) {
                upstream.next(i);
            }
            // the ring is full: no demand at all
            upstream.assertMaxRequested(0);
            for (int i = 0; i < 4; i++) {
                reader.take().release();
            }
            // freeing 4 slots raises demand by exactly 4, event-driven (the waiter thread)
            await("demand to follow the freed slots", () -> {
                try {
                    upstream.assertMinRequested(4);
                    return true;
                } catch (AssertionError notYet) {
                    return false;
                }
            });
            upstream.assertMaxRequested(4);
            assertThat(writer.sentCount()).isEqualTo(16);
            upstream.complete();
            await("completion", sending::isDisposed);
        } finally {
            sending.dispose();
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void demandFollowsSlotsFreedOneAtATimeWhileUpstreamDeliversNothing(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 8);
        FlatReader reader = plainReader(backend);
        TestPublisher<Long> upstream = TestPublisher.create();
        ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
        Disposable sending = writer.send(upstream, ENCODER).subscribe();
        try {
            for (long i = 0; i < 8; i++) {
                upstream.next(i);
            }
            upstream.assertMaxRequested(0);
            for (int freed = 1; freed <= 4; freed++) {
                reader.take().release();
                int expected = freed;
                // each freed slot raises demand by one, although no element arrives in between
                await("demand " + expected + " after " + expected + " slots freed one at a time", () -> {
                    try {
                        upstream.assertMinRequested(expected);
                        return true;
                    } catch (AssertionError notYet) {
                        return false;
                    }
                });
                upstream.assertMaxRequested(expected);
            }
            for (long i = 8; i < 12; i++) {
                upstream.next(i);
            }
            upstream.complete();
            await("completion", sending::isDisposed);
            assertThat(writer.sentCount()).isEqualTo(12);
            for (long expected = 4; expected < 12; expected++) {
                assertThat(decode(reader.takeCopy())).isEqualTo(expected);
            }
        } finally {
            sending.dispose();
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void demandFollowsEveryFreedSlotWhileCommitsAndReleasesRace(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 4);
        FlatReader reader = plainReader(backend);
        TestPublisher<Long> upstream = TestPublisher.create();
        ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
        Disposable sending = writer.send(upstream, ENCODER).subscribe();
        java.util.Random random = new java.util.Random(7);
        long next = 0;
        long released = 0;
        try {
            for (int round = 0; round < 500; round++) {
                // emit exactly what is asked for until the ring is full; demand may come in parts
                long freedSoFar = released;
                while (writer.sentCount() - freedSoFar < 4) {
                    int r = round;
                    await("demand in round " + r, () -> outstanding(upstream) > 0
                            || writer.sentCount() - freedSoFar == 4);
                    for (long n = outstanding(upstream); n > 0; n--) {
                        upstream.next(next++);
                    }
                }
                // free 1..4 slots from another thread while the writer may still be committing
                int free = 1 + random.nextInt(4);
                Thread releaser = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < free; i++) {
                        io.zerodds.flatdata.Sample sample;
                        while ((sample = reader.take()) == null) {
                            Thread.onSpinWait();
                        }
                        sample.release();
                    }
                });
                try {
                    assertThat(releaser.join(Duration.ofSeconds(10))).as("releaser finished").isTrue();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                released += free;
            }
            // demand never exceeded the free slots, and every freed slot was asked for again
            long freed = released;
            while (writer.sentCount() - freed < 4) {
                await("the last demand", () -> outstanding(upstream) > 0 || writer.sentCount() - freed == 4);
                for (long n = outstanding(upstream); n > 0; n--) {
                    upstream.next(next++);
                }
            }
            assertThat(writer.sentCount()).isEqualTo(next).isEqualTo(released + 4);
            assertThat(outstanding(upstream)).isZero();
        } finally {
            sending.dispose();
        }
    }

    /** Demand outstanding at a TestPublisher's (single) subscriber. */
    private static long outstanding(TestPublisher<Long> publisher) {
        for (long n = 16; n > 0; n--) {
            try {
                publisher.assertMinRequested(n);
                return n;
            } catch (AssertionError lower) {
                // try a smaller bound
            }
        }
        return 0;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void anUpstreamThatIgnoresDemandGetsAnOverflowErrorAndNothingIsLost(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 4);
        FlatReader reader = plainReader(backend);
        TestPublisher<Long> rogue = TestPublisher.createNoncompliant(TestPublisher.Violation.REQUEST_OVERFLOW);
        List<Object> discarded = new ArrayList<>();
        StepVerifier.create(ReactiveFlatWriter.reliable(backend).send(rogue, ENCODER)
                        .doOnDiscard(Long.class, discarded::add))
                .then(() -> rogue.next(0L, 1L, 2L, 3L, 4L))
                .expectErrorSatisfies(e -> assertThat(Exceptions.isOverflow(e)).as("overflow: %s", e).isTrue())
                .verify(Duration.ofSeconds(5));
        rogue.assertCancelled();
        assertThat(discarded).containsExactly(4L);
        for (long i = 0; i < 4; i++) {
            assertThat(decode(reader.takeCopy())).isEqualTo(i);
        }
        assertThat(freeSlots(backend)).isEqualTo(4);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void cancellingTheSendCancelsUpstreamAndReturnsEveryLoan(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 8);
        plainReader(backend);
        TestPublisher<Long> upstream = TestPublisher.create();
        ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
        StepVerifier.create(writer.send(upstream, ENCODER))
                .then(() -> upstream.next(0L, 1L))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        upstream.assertCancelled();
        assertThat(freeSlots(backend)).as("2 committed and unread, 6 loans returned").isEqualTo(6);
        // the writer is free for the next send
        StepVerifier.create(writer.send(Flux.just(2L, 3L), ENCODER)).verifyComplete();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void anUpstreamErrorFailsTheSendAfterPublishingWhatArrived(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 8);
        FlatReader reader = plainReader(backend);
        Flux<Long> failing = Flux.concat(Flux.just(0L, 1L), Flux.error(new IllegalStateException("boom")));
        StepVerifier.create(ReactiveFlatWriter.reliable(backend).send(failing, ENCODER))
                .expectErrorMessage("boom")
                .verify(Duration.ofSeconds(5));
        assertThat(decode(reader.takeCopy())).isEqualTo(0);
        assertThat(decode(reader.takeCopy())).isEqualTo(1);
        assertThat(freeSlots(backend)).isEqualTo(8);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aFailingEncoderDiscardsItsSlotCancelsUpstreamAndFails(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 8);
        FlatReader reader = plainReader(backend);
        TestPublisher<Long> upstream = TestPublisher.create();
        SlotEncoder<Long> encoder = (value, slot) -> {
            if (value == 2) {
                throw new IllegalArgumentException("cannot encode 2");
            }
            return ENCODER.encode(value, slot);
        };
        StepVerifier.create(ReactiveFlatWriter.reliable(backend).send(upstream, encoder))
                .then(() -> upstream.next(0L, 1L, 2L))
                .expectErrorMessage("cannot encode 2")
                .verify(Duration.ofSeconds(5));
        upstream.assertCancelled();
        assertThat(decode(reader.takeCopy())).isEqualTo(0);
        assertThat(decode(reader.takeCopy())).isEqualTo(1);
        assertThat(reader.take()).isNull();
        assertThat(freeSlots(backend)).isEqualTo(8);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void cancellingTheReaderSideStopsAFullWriterWithoutLoss(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 16);
        ReactiveFlatReader reader = closeFirst(ReactiveFlatReader.attach(backend));
        ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
        AtomicLong cancelled = new AtomicLong();
        Disposable sending = writer.send(Flux.range(0, 1_000_000).doOnCancel(cancelled::incrementAndGet), ENCODER)
                .subscribe();
        StepVerifier.create(reader.flux().map(TestRings::decode).take(1_000))
                .expectNextCount(1_000)
                .verifyComplete();
        sending.dispose();
        await("upstream cancelled", () -> cancelled.get() == 1);
        await("the writer released", () -> {
            try {
                return writer.send(Flux.<Long>empty(), ENCODER).block(Duration.ofSeconds(5)) == null;
            } catch (IllegalStateException busy) {
                return false;
            }
        });
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aSecondConcurrentSendIsRefused(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 4);
        ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
        TestPublisher<Long> upstream = TestPublisher.create();
        Disposable first = writer.send(upstream, ENCODER).subscribe();
        try {
            StepVerifier.create(writer.send(Flux.just(1L), ENCODER))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("busy"))
                    .verify(Duration.ofSeconds(5));
        } finally {
            first.dispose();
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void sendingATypeTheRingDoesNotCarryFailsBeforeSubscribingAndPublishesNothing(TestBackends.Factory factory) {
        FlatType<MemorySegment> quote = FlatType.of("Quote", MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("bid")));
        SlotBackend untyped = ring(factory, 4);
        FlatReader reader = plainReader(untyped);
        TestPublisher<MemorySegment> values = TestPublisher.create();
        StepVerifier.create(ReactiveFlatWriter.reliable(untyped).send(values, quote))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TypeMismatchException.class)
                        .hasMessageContaining(quote.canonicalText()).hasMessageContaining("type hash=none"))
                .verify(Duration.ofSeconds(5));
        values.assertWasNotSubscribed();
        assertThat(reader.take()).isNull();

        FlatType<MemorySegment> trade = FlatType.of("Trade", MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("px")));
        SlotBackend typed = closeFirst(InMemorySlotBackend.builder().slotCount(4).type(trade).build());
        StepVerifier.create(ReactiveFlatWriter.reliable(typed).send(Flux.just(MemorySegment.ofArray(new long[] {7})), quote))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TypeMismatchException.class)
                        .hasMessageContaining(quote.canonicalText()).hasMessageContaining(trade.typeHashHex()))
                .verify(Duration.ofSeconds(5));
        assertThat(typed.nextUnreadSlot(typed.attachReader())).isEqualTo(SlotBackend.NO_SLOT);

        FlatReader typedReader = closeFirst(FlatReader.attach(typed, trade));
        StepVerifier.create(ReactiveFlatWriter.reliable(typed).send(Flux.just(MemorySegment.ofArray(new long[] {7})), trade))
                .verifyComplete();
        assertThat(typedReader.takeCopy()).containsExactly(7, 0, 0, 0, 0, 0, 0, 0);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aClosedBackendFailsTheSend(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 4);
        ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
        backend.close();
        StepVerifier.create(writer.send(Flux.just(1L), ENCODER))
                .expectError(BackendClosedException.class)
                .verify(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aFullRingNeverBlocksTheNonBlockingThreadThatDeliversElements(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 4);
        ReactiveFlatReader reader = closeFirst(ReactiveFlatReader.attach(backend));
        ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
        // elements arrive on parallel threads; the ring fills up at once; BlockHound watches
        Disposable sending = writer.send(Flux.range(0, 20_000).publishOn(Schedulers.parallel()), ENCODER)
                .subscribeOn(Schedulers.parallel())
                .subscribe();
        try {
            StepVerifier.create(reader.flux().map(TestRings::decode)
                            .doOnNext(v -> {
                                if (v % 1_000 == 0) {
                                    java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
                                }
                            })
                            .take(20_000))
                    .expectNextSequence(Flux.range(0, 20_000).map(Long::valueOf).toIterable())
                    .expectComplete()
                    .verify(Duration.ofSeconds(40));
            await("the send to complete", sending::isDisposed);
        } finally {
            sending.dispose();
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void bestEffortDropsCountsAndDiscardsWhatDoesNotFit(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 8);
        FlatReader reader = plainReader(backend);
        ReactiveFlatWriter writer = ReactiveFlatWriter.bestEffort(backend);
        AtomicLong discarded = new AtomicLong();
        StepVerifier.create(writer.send(Flux.range(0, 20).map(Long::valueOf), ENCODER)
                        .doOnDiscard(Long.class, l -> discarded.incrementAndGet()))
                .verifyComplete();
        assertThat(writer.sentCount()).isEqualTo(8);
        assertThat(writer.droppedCount()).isEqualTo(12);
        assertThat(discarded.get()).isEqualTo(12);
        long generation = backend.notifyGeneration();
        for (long i = 0; i < 8; i++) {
            assertThat(decode(reader.takeCopy())).isEqualTo(i);
        }
        assertThat(backend.notifyGeneration()).as("a writer that drops waits for no free slot").isEqualTo(generation);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void bestEffortCancelAndErrorPropagate(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 8);
        ReactiveFlatWriter writer = ReactiveFlatWriter.bestEffort(backend);
        TestPublisher<Long> upstream = TestPublisher.create();
        StepVerifier.create(writer.send(upstream, ENCODER))
                .then(() -> upstream.next(1L))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        upstream.assertCancelled();
        StepVerifier.create(writer.send(Flux.error(new IllegalStateException("upstream failed")), ENCODER))
                .expectErrorMessage("upstream failed")
                .verify(Duration.ofSeconds(5));
        assertThat(writer.sentCount()).isEqualTo(1);
    }
}
