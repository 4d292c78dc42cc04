package io.zerodds.flatdata.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zerodds.flatdata.AllocationProbe;
import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.TestBackends;
import io.zerodds.flatdata.test.ShmNames;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A writer thread and a reader thread allocate nothing per sample with the ring's meters bound and a
 * third thread reading every meter every millisecond all the while (as a registry's publisher would,
 * a thousand times more often).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BoundAllocationTest {
    private static final int MEASURED = 1_000_000;
    /** At most this many bytes in all, over {@link #MEASURED} samples: under 0.02 bytes per sample. */
    private static final long ONE_OFF = 16 * 1024;
    @RegisterExtension
    static final ShmNames NAMES = TestBackends.NAMES;

    static List<Named<TestBackends.Factory>> backends() {
        return TestBackends.all();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void theHotPathAllocatesNothingWithARegistryBoundAndScraped(TestBackends.Factory factory) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicBoolean scraping = new AtomicBoolean(true);
        try (SlotBackend ring = factory.create(64, 64);
             FlatReader reader = FlatReader.attach(ring);
             FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(10))) {
            FlatMetrics.bind(ring, registry, Tags.of("test", "allocation"));
            Thread scraper = Thread.ofPlatform().daemon().name("scraper").start(() -> {
                while (scraping.get()) {
                    for (Meter m : registry.getMeters()) {
                        m.measure().forEach(measurement -> measurement.getValue());
                    }
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            AllocationProbe.Result r = AllocationProbe.measure(writer, reader, 200_000, MEASURED);
            scraping.set(false);
            assertThat(scraper.join(Duration.ofSeconds(10))).as("scraper finished").isTrue();
            // nothing per sample: a one-off of a few KiB (a wait's first time down a rarer branch, a
            // recompilation) is allowed, as the reactive AllocationTest allows, not one byte per sample
            assertThat(r.writerBytes()).as("writer thread bytes over %d samples", MEASURED).isLessThanOrEqualTo(ONE_OFF);
            assertThat(r.readerBytes()).as("reader thread bytes over %d samples", MEASURED).isLessThanOrEqualTo(ONE_OFF);
            assertThat(registry.get("flatdata.samples.committed").functionCounter().count()).isEqualTo(r.samples());
            assertThat(registry.get("flatdata.samples.taken").tag("reader", Integer.toString(reader.readerIndex()))
                    .functionCounter().count()).isEqualTo(r.samples());
        }
    }
}
