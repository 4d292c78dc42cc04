package io.zerodds.flatdata.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.InMemorySlotBackend;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/** The README's Reactive API examples, as written there. */
class ReadmeExampleTest {

    @Test
    void theReadmeExampleSumsAThousandSamples() {
        long sum;
        try (var backend = InMemorySlotBackend.create(16, 64);
             var reader = ReactiveFlatReader.attach(backend)) {
            ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
            writer.send(Flux.range(0, 1_000), (i, slot) -> {
                slot.set(ValueLayout.JAVA_LONG, 0, i);
                return 8;
            }).subscribe();
            sum = reader.flux()
                    .map(view -> view.getLong(0))
                    .take(1_000)
                    .reduce(0L, Long::sum)
                    .block(Duration.ofSeconds(30));
        }
        assertThat(sum).isEqualTo(499_500L);
    }

    @Test
    void theReadmeAsyncBoundaryExamplesWork() {
        try (var backend = InMemorySlotBackend.create(16, 64);
             var reader = ReactiveFlatReader.attach(backend)) {
            ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
            writer.send(Flux.just("a".getBytes(), "b".getBytes())).block(Duration.ofSeconds(10));
            List<byte[]> copies = reader.flux().map(SampleView::copy).publishOn(Schedulers.parallel())
                    .take(2).collectList().block(Duration.ofSeconds(10));
            assertThat(copies).extracting(String::new).containsExactly("a", "b");
            writer.send(Flux.range(0, 3), (i, slot) -> {
                slot.set(ValueLayout.JAVA_LONG, 0, i);
                return 8;
            }).block(Duration.ofSeconds(10));
            List<Long> values = reader.flux().map(SampleView::retain).publishOn(Schedulers.parallel())
                    .map(v -> {
                        try {
                            return v.getLong(0);
                        } finally {
                            v.release();
                        }
                    })
                    .take(3).collectList().block(Duration.ofSeconds(10));
            assertThat(values).containsExactly(0L, 1L, 2L);
        }
    }
}
