package io.zerodds.flatdata.reactor;

import static io.zerodds.flatdata.reactor.TestRings.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.TestBackends;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The writer's end of stream completes the readers' Flux after everything before it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EndOfStreamTest extends RingTestBase {

    private ReactiveFlatReader reader(SlotBackend backend) {
        ReactiveFlatReader reader = ReactiveFlatReader.attach(backend);
        return closeFirst(reader);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void theFluxCompletesAfterDeliveringEverySampleBeforeTheEnd(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 8);
        ReactiveFlatReader reader = reader(backend);
        write(backend, 0, 1, 2);
        backend.markEndOfStream();
        StepVerifier.create(reader.flux().map(TestRings::decode), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(100))
                .thenRequest(2)
                .expectNext(0L, 1L)
                .thenRequest(5)
                .expectNext(2L)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        await("every sample marked read", () -> unreadBy(backend, reader.readerIndex()) == 0);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void anEndedEmptyStreamCompletesWithoutDemand(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 4);
        ReactiveFlatReader reader = reader(backend);
        backend.markEndOfStream();
        StepVerifier.create(reader.flux(), 0)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aWriterThatEndsTheStreamOnCompleteCompletesTheReaderAfterEverySample(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 16);
        ReactiveFlatReader reader = reader(backend);
        ReactiveFlatWriter writer = ReactiveFlatWriter.builder(backend).endStreamOnComplete().build();
        writer.send(Flux.range(0, 10_000), ENCODER).subscribe();
        StepVerifier.create(reader.flux().map(TestRings::decode))
                .expectNextSequence(Flux.range(0, 10_000).map(Long::valueOf).toIterable())
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        StepVerifier.create(writer.send(Flux.just(1L), ENCODER))
                .expectError(IllegalStateException.class)
                .verify(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aBestEffortWriterEndsTheStreamOnCompleteToo(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 16);
        ReactiveFlatReader reader = reader(backend);
        ReactiveFlatWriter writer = ReactiveFlatWriter.builder(backend).bestEffort().endStreamOnComplete().build();
        StepVerifier.create(writer.send(Flux.range(0, 5), ENCODER)).verifyComplete();
        StepVerifier.create(reader.flux().map(TestRings::decode))
                .expectNext(0L, 1L, 2L, 3L, 4L)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    /**
     * Ending the stream may wait (over iceoryx2 the end marker needs a chunk readers may hold), so a
     * send whose upstream completes on one of Reactor's non-blocking threads ends it, and
     * completes, on a thread that may block.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void aSendCompletingOnANonBlockingThreadEndsTheStreamOnAThreadThatMayBlock(TestBackends.Factory factory) {
        for (boolean reliable : new boolean[] {true, false}) {
            SlotBackend backend = ring(factory, 16);
            ReactiveFlatReader reader = reader(backend);
            ReactiveFlatWriter.Builder builder = ReactiveFlatWriter.builder(backend).endStreamOnComplete();
            ReactiveFlatWriter writer = (reliable ? builder : builder.bestEffort()).build();
            AtomicReference<Boolean> completedOnNonBlocking = new AtomicReference<>();
            StepVerifier.create(writer.send(Flux.range(0, 5).publishOn(Schedulers.parallel()), ENCODER)
                            .doOnSuccess(nothing -> completedOnNonBlocking.set(Schedulers.isInNonBlockingThread())))
                    .verifyComplete();
            assertThat(completedOnNonBlocking.get()).as("reliable=%s: completed on a non-blocking thread", reliable)
                    .isFalse();
            StepVerifier.create(reader.flux().map(TestRings::decode))
                    .expectNext(0L, 1L, 2L, 3L, 4L)
                    .expectComplete()
                    .verify(Duration.ofSeconds(10));
        }
    }
}
