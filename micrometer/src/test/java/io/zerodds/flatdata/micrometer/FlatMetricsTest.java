package io.zerodds.flatdata.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.TestBackends;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import io.zerodds.flatdata.reactor.ReactiveFlatWriter;
import io.zerodds.flatdata.test.ShmNames;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;

/**
 * Every meter of a ring, by name and tags, after real runs on both backends: a stalled reader's lag
 * grows and the free slots shrink, a writer that blocks counts a ring-full event and a wait, a
 * best-effort writer counts its drops, and the reactive writer and reader count like the plain ones.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlatMetricsTest {
    @RegisterExtension
    static final ShmNames NAMES = TestBackends.NAMES;

    static List<Named<TestBackends.Factory>> backends() {
        return TestBackends.all();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void theMetersFollowAStalledReaderABlockedWriterAndTheirCounts(TestBackends.Factory factory) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SlotBackend ring = factory.create(8, 16);
             FlatReader fast = FlatReader.attach(ring);
             FlatWriter writer = FlatWriter.builder(ring).reliable(Duration.ofSeconds(10)).loanAhead(false).build()) {
            FlatMetrics metrics = FlatMetrics.bind(ring, registry, Tags.of("app", "test"));
            String backend = ring.getClass().getSimpleName().startsWith("Posix") ? "posix" : "in-memory";
            assertThat(metrics.tags().stream().map(t -> t.getKey() + "=" + t.getValue()))
                    .contains("backend=" + backend, "app=test").anyMatch(t -> t.startsWith("ring="));
            assertThat(gauge(registry, "flatdata.ring.slots")).isEqualTo(8);
            assertThat(gauge(registry, "flatdata.ring.free.slots")).isEqualTo(8);
            // a reader attached after binding: its meters appear with the next sample of the active readers
            FlatReader stalled = FlatReader.attach(ring);
            assertThat(gauge(registry, "flatdata.readers.active")).isEqualTo(2);
            String stalledIndex = Integer.toString(stalled.readerIndex());
            String fastIndex = Integer.toString(fast.readerIndex());

            for (int i = 0; i < 8; i++) {
                write(writer, i);
                fast.take().release();
            }
            assertThat(readerGauge(registry, "flatdata.reader.lag", stalledIndex)).isEqualTo(8);
            assertThat(readerGauge(registry, "flatdata.reader.lag", fastIndex)).isZero();
            assertThat(gauge(registry, "flatdata.ring.free.slots")).isZero();
            assertThat(counter(registry, "flatdata.samples.committed")).isEqualTo(8);
            assertThat(readerCounter(registry, "flatdata.samples.taken", fastIndex)).isEqualTo(8);
            assertThat(readerCounter(registry, "flatdata.samples.taken", stalledIndex)).isZero();
            assertThat(readerCounter(registry, "flatdata.reader.leaks", stalledIndex)).isZero();

            // the stalled reader blocks the writer: one ring-full event, one wait of about the stall
            CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> write(writer, 8));
            Thread.sleep(100);
            assertThat(blocked).isNotDone();
            stalled.take().release();
            blocked.get(10, TimeUnit.SECONDS);
            assertThat(counter(registry, "flatdata.writer.ring.full")).isEqualTo(1);
            FunctionTimer wait = registry.get("flatdata.writer.wait").functionTimer();
            assertThat(wait.count()).isEqualTo(1);
            assertThat(wait.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(80);
            assertThat(readerGauge(registry, "flatdata.reader.lag", stalledIndex)).isEqualTo(8);
            assertThat(counter(registry, "flatdata.writer.dropped")).isZero();
            stalled.close();
        }
        assertThat(gauge(registry, "flatdata.ring.free.slots")).isNaN();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aBestEffortWriterCountsItsDropsAndTheReactivePathsCountLikeThePlainOnes(TestBackends.Factory factory)
            throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SlotBackend ring = factory.create(4, 16);
             ReactiveFlatReader reader = ReactiveFlatReader.attach(ring)) {
            FlatMetrics.bind(ring, registry, Tags.empty());
            String index = Integer.toString(reader.readerIndex());
            // nobody reads: 4 fit, 6 are dropped
            ReactiveFlatWriter.bestEffort(ring).send(Flux.range(0, 10).map(i -> new byte[] {i.byteValue()}))
                    .block(Duration.ofSeconds(10));
            assertThat(counter(registry, "flatdata.writer.dropped")).isEqualTo(6);
            assertThat(counter(registry, "flatdata.writer.ring.full")).isEqualTo(6);
            assertThat(counter(registry, "flatdata.samples.committed")).isEqualTo(4);
            assertThat(readerGauge(registry, "flatdata.reader.lag", index)).isEqualTo(4);
            assertThat(reader.flux().take(4).count().block(Duration.ofSeconds(10))).isEqualTo(4);
            // the last view is marked read once its onNext returned, after take(4) completed downstream
            await(() -> readerCounter(registry, "flatdata.samples.taken", index) == 4);
            assertThat(readerGauge(registry, "flatdata.reader.lag", index)).isZero();
            // a reliable send into a ring nobody reads: once its four slots are committed it holds no
            // loan and upstream gets no demand: one ring-full event, then a wait until the reader frees
            CompletableFuture<Void> sent = ReactiveFlatWriter.reliable(ring)
                    .send(Flux.range(0, 6).map(i -> new byte[] {i.byteValue()})).toFuture();
            await(() -> counter(registry, "flatdata.samples.committed") == 8);
            assertThat(counter(registry, "flatdata.writer.ring.full")).isEqualTo(7);
            Thread.sleep(100);
            assertThat(sent).isNotDone();
            assertThat(reader.flux().take(6).count().block(Duration.ofSeconds(10))).isEqualTo(6);
            sent.get(10, TimeUnit.SECONDS);
            assertThat(counter(registry, "flatdata.samples.committed")).isEqualTo(10);
            FunctionTimer wait = registry.get("flatdata.writer.wait").functionTimer();
            assertThat(wait.count()).isGreaterThanOrEqualTo(1);
            assertThat(wait.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(80);
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    private static void write(FlatWriter writer, long value) {
        FlatWriter.Claim claim = writer.loan();
        claim.segment().set(ValueLayout.JAVA_LONG, 0, value);
        claim.commit(8);
    }

    private static double gauge(SimpleMeterRegistry registry, String name) {
        return registry.get(name).gauge().value();
    }

    private static double counter(SimpleMeterRegistry registry, String name) {
        return registry.get(name).functionCounter().count();
    }

    private static double readerGauge(SimpleMeterRegistry registry, String name, String reader) {
        return registry.get(name).tag("reader", reader).gauge().value();
    }

    private static double readerCounter(SimpleMeterRegistry registry, String name, String reader) {
        return registry.get(name).tag("reader", reader).functionCounter().count();
    }

    static List<String> names(SimpleMeterRegistry registry) {
        return registry.getMeters().stream().map(Meter::getId).map(Meter.Id::getName).distinct().sorted().toList();
    }
}
