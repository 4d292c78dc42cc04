package io.zerodds.flatdata.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.test.ChildProcess;
import io.zerodds.flatdata.test.MarkdownSnippets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Observability example, run as written as a program of its own. */
class ReadmeObservabilityTest {

    @Test
    void theReadmeExampleBindsTheMetersAndPrintsWhatItsCommentsSay(@TempDir Path dir) throws Exception {
        String block = MarkdownSnippets.javaBlocks(Path.of("..", "README.md"), "## Observability").get(0);
        Path source = dir.resolve("ObservabilityTour.java");
        Files.writeString(source, MarkdownSnippets.program("ObservabilityTour", """
                import io.micrometer.core.instrument.Tags;
                import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
                import io.zerodds.flatdata.*;
                import io.zerodds.flatdata.micrometer.FlatMetrics;
                import java.lang.foreign.ValueLayout;
                import java.time.Duration;
                """, block));
        try (ChildProcess p = ChildProcess.javaSource(source)) {
            int code = p.waitFor(Duration.ofSeconds(120));
            assertThat(code).as("exit code; stderr: %s", p.stderrText()).isZero();
            assertThat(p.output()).containsExactly("10.0", "10.0");
        }
    }
}
