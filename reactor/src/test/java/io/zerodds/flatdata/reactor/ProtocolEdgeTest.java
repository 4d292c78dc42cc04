package io.zerodds.flatdata.reactor;

import static io.zerodds.flatdata.reactor.TestRings.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.TestBackends;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Subscribers at the edges of the Reactive Streams protocol: one that throws from onSubscribe
 * (rule 2.13 broken), one that requests a non-positive amount (rule 3.9), and one that subscribes
 * while the previous subscriber is still leaving (no signal may overtake onSubscribe, rule 1.9).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProtocolEdgeTest extends RingTestBase {

    /** A subscriber that records its signals and runs {@code onSubscribe} as given. */
    private static class Probe<T> implements CoreSubscriber<T> {
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final CountDownLatch terminated = new CountDownLatch(1);
        private final java.util.function.Consumer<Subscription> onSubscribe;

        Probe(java.util.function.Consumer<Subscription> onSubscribe) {
            this.onSubscribe = onSubscribe;
        }

        @Override
        public void onSubscribe(Subscription s) {
            onSubscribe.accept(s);
        }

        @Override
        public void onNext(T t) {
        }

        @Override
        public void onError(Throwable t) {
            error.set(t);
            terminated.countDown();
        }

        @Override
        public void onComplete() {
            terminated.countDown();
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aSubscriberThatThrowsFromOnSubscribeLeavesTheReaderToTheNextOne(TestBackends.Factory factory) {
        SlotBackend backend = ring(factory, 4);
        ReactiveFlatReader reader = closeFirst(ReactiveFlatReader.attach(backend));
        assertThatThrownBy(() -> reader.flux().subscribe(new Probe<>(s -> {
            throw new IllegalStateException("a subscriber that breaks rule 2.13");
        }))).hasMessageContaining("rule 2.13"); // reported to the caller of subscribe
        write(backend, 7);
        StepVerifier.create(reader.flux().take(1).map(TestRings::decode))
                .expectNext(7L)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    static Function<SlotBackend, ReactiveFlatWriter>[] writers() {
        @SuppressWarnings("unchecked")
        Function<SlotBackend, ReactiveFlatWriter>[] writers = new Function[] {
            (Function<SlotBackend, ReactiveFlatWriter>) ReactiveFlatWriter::reliable,
            (Function<SlotBackend, ReactiveFlatWriter>) ReactiveFlatWriter::bestEffort
        };
        return writers;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aSendSubscriberThatThrowsFromOnSubscribeLeavesTheWriterFree(TestBackends.Factory factory) {
        for (Function<SlotBackend, ReactiveFlatWriter> mode : writers()) {
            SlotBackend backend = ring(factory, 4);
            ReactiveFlatWriter writer = mode.apply(backend);
            assertThatThrownBy(() -> writer.send(Flux.just(1L), ENCODER).subscribe(new Probe<>(s -> {
                throw new IllegalStateException("a subscriber that breaks rule 2.13");
            }))).hasMessageContaining("rule 2.13"); // reported to the caller of subscribe
            StepVerifier.create(writer.send(Flux.just(2L), ENCODER))
                    .expectComplete()
                    .verify(Duration.ofSeconds(10));
            assertThat(writer.sentCount()).as("%s", writer).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aNonPositiveRequestFailsTheSendPerRule309AndFreesTheWriter(TestBackends.Factory factory) throws Exception {
        for (Function<SlotBackend, ReactiveFlatWriter> mode : writers()) {
            SlotBackend backend = ring(factory, 4);
            ReactiveFlatWriter writer = mode.apply(backend);
            Probe<Void> probe = new Probe<>(s -> s.request(0));
            writer.send(Flux.never(), ENCODER).subscribe(probe);
            assertThat(probe.terminated.await(10, TimeUnit.SECONDS)).as("%s terminated", writer).isTrue();
            assertThat(probe.error.get()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.9");
            StepVerifier.create(writer.send(Flux.just(2L), ENCODER))
                    .expectComplete()
                    .verify(Duration.ofSeconds(10));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aSourceThatThrowsFromSubscribeFailsTheSendAndFreesTheWriter(TestBackends.Factory factory) {
        for (Function<SlotBackend, ReactiveFlatWriter> mode : writers()) {
            SlotBackend backend = ring(factory, 4);
            ReactiveFlatWriter writer = mode.apply(backend);
            org.reactivestreams.Publisher<Long> broken = subscriber -> {
                throw new IllegalStateException("a publisher that throws from subscribe");
            };
            StepVerifier.create(writer.send(broken, ENCODER))
                    .expectErrorMessage("a publisher that throws from subscribe")
                    .verify(Duration.ofSeconds(10));
            StepVerifier.create(writer.send(Flux.just(2L), ENCODER))
                    .expectComplete()
                    .verify(Duration.ofSeconds(10));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aNonPositiveRequestAfterACancelIsANoOp(TestBackends.Factory factory) throws Exception {
        for (Function<SlotBackend, ReactiveFlatWriter> mode : writers()) {
            SlotBackend backend = ring(factory, 4);
            ReactiveFlatWriter writer = mode.apply(backend);
            Probe<Void> probe = new Probe<>(s -> {
                s.cancel();
                s.request(0);
            });
            writer.send(Flux.never(), ENCODER).subscribe(probe);
            assertThat(probe.terminated.await(300, TimeUnit.MILLISECONDS)).as("%s signalled", writer).isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aSubscriberQueuedBehindALeavingOneGetsNothingBeforeItsOnSubscribeReturned(TestBackends.Factory factory)
            throws Exception {
        SlotBackend backend = ring(factory, 4);
        ReactiveFlatReader reader = closeFirst(ReactiveFlatReader.attach(backend));
        CountDownLatch leaving = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        // the first subscriber cancels inside onNext and stays there until the second one subscribed
        reader.flux().subscribe(new BaseSubscriber<SampleView>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                request(1);
            }

            @Override
            protected void hookOnNext(SampleView view) {
                cancel();
                leaving.countDown();
                try {
                    letGo.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        write(backend, 1, 2);
        assertThat(leaving.await(10, TimeUnit.SECONDS)).isTrue();

        AtomicBoolean subscribed = new AtomicBoolean();
        AtomicReference<String> overtaken = new AtomicReference<>();
        AtomicReference<Long> received = new AtomicReference<>();
        CountDownLatch delivered = new CountDownLatch(1);
        reader.flux().subscribe(new CoreSubscriber<SampleView>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.request(1);
                letGo.countDown(); // the first subscriber finishes now and hands the reader over
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                subscribed.set(true);
            }

            @Override
            public void onNext(SampleView view) {
                if (!subscribed.get()) {
                    overtaken.set("onNext");
                }
                received.set(decode(view));
                delivered.countDown();
            }

            @Override
            public void onError(Throwable t) {
                overtaken.compareAndSet(null, subscribed.get() ? null : "onError " + t);
            }

            @Override
            public void onComplete() {
                overtaken.compareAndSet(null, subscribed.get() ? null : "onComplete");
            }
        });
        assertThat(delivered.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(overtaken.get()).as("a signal that overtook onSubscribe").isNull();
        assertThat(received.get()).as("the sample after the one the first subscriber took").isEqualTo(2L);
    }
}
