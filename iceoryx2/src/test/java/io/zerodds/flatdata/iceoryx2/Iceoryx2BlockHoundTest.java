package io.zerodds.flatdata.iceoryx2;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.Sample;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import io.zerodds.flatdata.reactor.ReactiveFlatWriter;
import io.zerodds.flatdata.test.BlockHoundExtension;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.blockhound.BlockingMethod;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * BlockHound over the iceoryx2 backend, with the reactor module's service-loaded integration (every
 * test of this module runs under it, {@link BlockHoundExtension}): the backend's wait in the
 * iceoryx2 listener, a native call BlockHound cannot see by itself, is reported on a non-blocking
 * thread; the port lock's short spin, yield and park under contention is not; and a reactive
 * writer and reader over the backend on Reactor's parallel threads make no blocking call.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Iceoryx2BlockHoundTest {

    private static final Iox2Names NAMES = new Iox2Names("blockhound");

    private static Iceoryx2SlotBackend ring() {
        return ring(8);
    }

    private static Iceoryx2SlotBackend ring(int slots) {
        return Iceoryx2SlotBackend.create(NAMES.next()).prefix(Iox2Names.PREFIX).slotCount(slots).slotCapacity(64).build();
    }

    private static int writeLong(long value, MemorySegment slot) {
        slot.set(ValueLayout.JAVA_LONG, 0, value);
        return Long.BYTES;
    }

    @Test
    void waitingInTheIceoryx2ListenerOnANonBlockingThreadIsReported() {
        try (Iceoryx2SlotBackend backend = ring()) {
            Mono<Boolean> wait = Mono.fromCallable(() -> backend.waitForChange(backend.notifyGeneration(), 1_000_000L))
                    .subscribeOn(Schedulers.parallel());
            StepVerifier.create(wait)
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BlockingOperationError.class)
                            .hasMessageContaining("Iceoryx2SlotBackend#waitForChange"))
                    .verify(Duration.ofSeconds(10));
            assertThat(BlockHoundExtension.takeDetected()).extracting(BlockingMethod::getName)
                    .containsExactly("waitForChange");
        }
    }

    @Test
    void aPortLockContendedOnANonBlockingThreadIsNotReported() throws Exception {
        PortLock lock = new PortLock();
        CountDownLatch asking = new CountDownLatch(1);
        lock.lock();
        Mono<Long> contender = Mono.fromCallable(() -> {
            asking.countDown();
            long t0 = System.nanoTime();
            lock.lock(); // spins, yields, then parks until this test thread unlocks
            try {
                return System.nanoTime() - t0;
            } finally {
                lock.unlock();
            }
        }).subscribeOn(Schedulers.parallel());
        var result = contender.toFuture();
        assertThat(asking.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(50); // long enough for every stage: spin, yield, park
        lock.unlock();
        long waited = result.get(10, TimeUnit.SECONDS);
        assertThat(waited).as("the contender waited for the lock").isGreaterThan(TimeUnit.MILLISECONDS.toNanos(40));
        assertThat(BlockHoundExtension.takeDetected()).isEmpty();
    }

    @Test
    void aReactiveWriterAndReaderOnParallelThreadsMakeNoBlockingCall() throws Exception {
        int samples = 20_000;
        try (Iceoryx2SlotBackend backend = ring();
             ReactiveFlatReader reader = ReactiveFlatReader.attach(backend)) {
            AtomicLong expected = new AtomicLong();
            var received = reader.flux()
                    .map(view -> view.retain()) // kept past onNext: released on a parallel thread while the source receives
                    .publishOn(Schedulers.parallel(), 4)
                    .take(samples)
                    .doOnNext(view -> {
                        assertThat(view.getLong(0)).isEqualTo(expected.getAndIncrement());
                        view.release();
                    })
                    .count()
                    .toFuture();
            ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
            var sent = writer.send(Flux.range(0, samples).publishOn(Schedulers.parallel()).map(Integer::longValue),
                    Iceoryx2BlockHoundTest::writeLong).toFuture();
            assertThat(received.get(45, TimeUnit.SECONDS)).isEqualTo(samples);
            sent.get(10, TimeUnit.SECONDS);
            assertThat(writer.sentCount()).isEqualTo(samples);
        }
        assertThat(BlockHoundExtension.takeDetected()).isEmpty();
    }

    @ParameterizedTest(name = "reliable={0}")
    @ValueSource(booleans = {true, false})
    void aSendCompletingOnAParallelThreadWaitsForTheEndMarkersChunkOffThatThread(boolean reliable) throws Exception {
        int slots = 4;
        try (Iceoryx2SlotBackend backend = ring(slots);
             FlatReader reader = FlatReader.attach(backend)) {
            ReactiveFlatWriter.Builder builder = ReactiveFlatWriter.builder(backend).endStreamOnComplete();
            ReactiveFlatWriter writer = (reliable ? builder : builder.bestEffort()).build();
            // as many samples as chunks, none taken yet: the end marker finds no chunk and waits
            var sent = writer.send(Flux.range(0, slots).publishOn(Schedulers.parallel()).map(Integer::longValue),
                    Iceoryx2BlockHoundTest::writeLong).toFuture();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (writer.sentCount() < slots && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            Thread.sleep(100);
            assertThat(writer.sentCount()).isEqualTo(slots);
            assertThat(sent).as("waiting for a chunk to carry the end marker").isNotDone();
            for (long i = 0; i < slots; i++) {
                try (Sample sample = reader.take(Duration.ofSeconds(10))) {
                    assertThat(sample).isNotNull();
                    assertThat(sample.segment().get(ValueLayout.JAVA_LONG, 0)).isEqualTo(i);
                }
            }
            sent.get(10, TimeUnit.SECONDS);
            assertThat(reader.take(Duration.ofSeconds(10))).isNull();
            assertThat(reader.isEndOfStream()).isTrue();
        }
        assertThat(BlockHoundExtension.takeDetected()).isEmpty();
    }
}
