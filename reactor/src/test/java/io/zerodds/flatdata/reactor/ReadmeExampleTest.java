package io.zerodds.flatdata.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.InMemorySlotBackend;
import io.zerodds.flatdata.test.ChildProcess;
import io.zerodds.flatdata.test.MarkdownSnippets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/** The README's Reactive API examples: the first as written there, the fragments after it completed. */
class ReadmeExampleTest {

    /** The README's example as written, run as a program of its own; it prints the {@code sum} it computed. */
    @Test
    void theReadmeExampleSumsAThousandSamples(@TempDir Path dir) throws Exception {
        String block = MarkdownSnippets.javaBlocks(Path.of("..", "README.md"), "## Reactive API").get(0);
        int end = block.lastIndexOf('}');
        Path source = dir.resolve("ReactiveTour.java");
        Files.writeString(source, MarkdownSnippets.program("ReactiveTour", "",
                block.substring(0, end) + "System.out.println(sum);\n" + block.substring(end)));
        try (ChildProcess p = ChildProcess.javaSource(source)) {
            int code = p.waitFor(Duration.ofSeconds(120));
            assertThat(code).as("exit code; stderr: %s", p.stderrText()).isZero();
            assertThat(p.output()).containsExactly("499500");
        }
    }

    /** The fragments after it ({@code ...} in the README), completed the smallest way. */
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
