package io.zerodds.flatdata.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.context.ContextRegistry;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.InMemorySlotBackend;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.observability.micrometer.Micrometer;
import reactor.core.publisher.Hooks;
import reactor.util.context.Context;

/**
 * The reactive reader in the Reactor ecosystem's observability: {@code name/tag/tap(Micrometer.metrics)}
 * and {@code tap(Micrometer.observation)} from reactor-core-micrometer, the {@code flatdata.receive}
 * observation, and a ThreadLocal carried by automatic context propagation across the source's own thread.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReactorObservabilityTest {

    @Test
    void reactorCoreMicrometerMetricsAndObservationsWorkOnTheReadersFlux() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        TestObservationRegistry observations = TestObservationRegistry.create();
        try (SlotBackend ring = InMemorySlotBackend.create(16, 16);
             ReactiveFlatReader reader = ReactiveFlatReader.attach(ring)) {
            try (FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(5))) {
                write(writer, 5);
                writer.endStream(); // the Flux completes after the five
            }
            List<Long> values = reader.flux()
                    .map(v -> v.getLong(0))
                    .name("quotes")
                    .tag("desk", "fx")
                    .tap(Micrometer.metrics(meters))
                    .tap(Micrometer.observation(observations))
                    .collectList()
                    .block(Duration.ofSeconds(10));
            assertThat(values).containsExactly(0L, 1L, 2L, 3L, 4L);
        }
        List<String> names = meters.getMeters().stream().map(Meter::getId).map(Meter.Id::getName).distinct().toList();
        assertThat(names).contains("quotes.subscribed", "quotes.requested", "quotes.onNext.delay", "quotes.flow.duration");
        assertThat(meters.get("quotes.onNext.delay").tag("desk", "fx").timer().count()).isEqualTo(5);
        assertThat(meters.get("quotes.flow.duration").tag("desk", "fx").tag("status", "completed").timer().count())
                .isEqualTo(1);
        TestObservationRegistryAssert.assertThat(observations).hasObservationWithNameEqualTo("quotes")
                .that().hasBeenStarted().hasBeenStopped().hasLowCardinalityKeyValue("desk", "fx");
    }

    @Test
    void theReceiveObservationSpansASubscriptionWithTheRingsLowCardinalityKeys() {
        TestObservationRegistry observations = TestObservationRegistry.create();
        try (SlotBackend ring = InMemorySlotBackend.create(16, 16);
             ReactiveFlatReader reader = ReactiveFlatReader.attach(ring)) {
            write(ring, 3);
            Long count = FlatObservations.receive(reader, observations).take(3).count().block(Duration.ofSeconds(10));
            assertThat(count).isEqualTo(3);
            TestObservationRegistryAssert.assertThat(observations).hasObservationWithNameEqualTo("flatdata.receive")
                    .that().hasBeenStarted().hasBeenStopped()
                    .hasContextualNameEqualTo(ring + " receive")
                    .hasLowCardinalityKeyValue("flatdata.backend", "in-memory")
                    .hasLowCardinalityKeyValue("flatdata.reader", Integer.toString(reader.readerIndex()))
                    .hasLowCardinalityKeyValue("flatdata.ring", ring.toString())
                    .hasEvent("cancel");
        }
        assertThat(FlatObservations.OBSERVATION_KEY).isEqualTo(ObservationThreadLocalAccessor.KEY);
    }

    @Test
    void aContextValueIsSeenAsAThreadLocalInOperatorsAfterTheSourceThread() {
        ThreadLocal<String> tenant = new ThreadLocal<>();
        ContextRegistry.getInstance().registerThreadLocalAccessor("flatdata.test.tenant", tenant::get, tenant::set,
                tenant::remove);
        Hooks.enableAutomaticContextPropagation();
        try (SlotBackend ring = InMemorySlotBackend.create(16, 16);
             ReactiveFlatReader reader = ReactiveFlatReader.attach(ring)) {
            write(ring, 3);
            List<String> seen = reader.flux()
                    .map(v -> Thread.currentThread().getName() + "|" + tenant.get())
                    .take(3)
                    .contextWrite(Context.of("flatdata.test.tenant", "acme"))
                    .collectList()
                    .block(Duration.ofSeconds(10));
            assertThat(seen).hasSize(3).allSatisfy(s -> {
                assertThat(s).startsWith("flatdata-reader-"); // delivered on the source's own thread
                assertThat(s).endsWith("|acme");
            });
            assertThat(tenant.get()).isNull();
        } finally {
            Hooks.disableAutomaticContextPropagation();
            ContextRegistry.getInstance().removeThreadLocalAccessor("flatdata.test.tenant");
        }
    }

    private static void write(SlotBackend ring, int n) {
        try (FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(5))) {
            write(writer, n);
        }
    }

    private static void write(FlatWriter writer, int n) {
        for (long i = 0; i < n; i++) {
            FlatWriter.Claim c = writer.loan();
            c.segment().set(ValueLayout.JAVA_LONG, 0, i);
            c.commit(8);
        }
    }
}
