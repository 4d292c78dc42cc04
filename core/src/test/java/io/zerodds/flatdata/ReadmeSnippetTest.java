package io.zerodds.flatdata;

import static io.zerodds.flatdata.test.MarkdownSnippets.javaBlocks;
import static io.zerodds.flatdata.test.MarkdownSnippets.program;
import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.test.ChildProcess;
import io.zerodds.flatdata.test.ShmNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's core snippets and the program of docs/posix.md, taken from the files as written and
 * run as the processes they are labelled as: each one a Java program of its own (source-file mode,
 * this JVM's class path), the two-process ones as two processes. What they print is what the
 * comments next to them say.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReadmeSnippetTest {

    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("readme");
    private static final Path README = Path.of("..", "README.md");
    private static final String IMPORTS = "import io.zerodds.flatdata.*; import java.lang.foreign.*; import java.time.*;";
    private static final Duration EXIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void theToursFirstSnippetPrintsTheSequenceAndTheInPlaceValue() throws Exception {
        try (ChildProcess p = run("Tour", javaBlocks(README, "## A short tour").get(0))) {
            assertThat(output(p)).containsExactly("0: hello", "42");
        }
    }

    @Test
    void theTypedSnippetReadsTheFieldItWrote() throws Exception {
        try (ChildProcess p = run("Typed", javaBlocks(README, "## A short tour").get(1))) {
            assertThat(output(p)).containsExactly("7");
        }
    }

    @Test
    void theSharedMemorySnippetWorksAsAWriterProcessAndAReaderProcess() throws Exception {
        String name = NAMES.next();
        String block = javaBlocks(README, "## Shared memory across processes").get(0)
                .replace("\"prices\"", '"' + name + '"');
        int split = block.indexOf("// reader process");
        assertThat(split).as("the snippet labels a reader process").isPositive();
        assertThat(block).as("the snippet labels a writer process").startsWith("// writer process");

        try (ChildProcess writer = run("Writer", block.substring(0, split))) {
            awaitSegment(writer, name);
            try (ChildProcess reader = run("Reader", block.substring(split))) {
                assertThat(output(reader)).as("the reader process").containsExactly("42");
            }
            assertThat(output(writer)).as("the writer process").isEmpty();
        }
        assertThat(NAMES.path(name)).as("the writer unlinked its segment").doesNotExist();
    }

    @Test
    void thePosixGuidesProgramRunsAsTheWriterAndTheReaderItDescribes() throws Exception {
        String name = NAMES.next();
        String source = javaBlocks(Path.of("..", "docs", "posix.md"), "## Shared memory across processes").get(0)
                .replace("\"prices\"", '"' + name + '"');
        Path file = dir.resolve("Prices.java");
        Files.writeString(file, source);
        try (ChildProcess writer = ChildProcess.javaSource(file, "write")) {
            awaitSegment(writer, name);
            try (ChildProcess reader = ChildProcess.javaSource(file)) {
                List<String> lines = output(reader);
                assertThat(lines).hasSize(1_000);
                for (int i = 0; i < 1_000; i++) {
                    assertThat(lines.get(i)).isEqualTo(i + ": " + i);
                }
            }
            assertThat(output(writer)).isEmpty();
        }
        assertThat(NAMES.path(name)).doesNotExist();
    }

    private static void awaitSegment(ChildProcess writer, String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(NAMES.path(name))) {
            assertThat(writer.process().isAlive()).as("the writer process runs until its segment exists; stderr: %s",
                    writer.stderrText()).isTrue();
            assertThat(System.nanoTime()).as("the writer's segment appears within 60 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** Starts {@code body} as the main method of a program of its own. */
    private ChildProcess run(String className, String body) throws Exception {
        Path source = dir.resolve(className + ".java");
        Files.writeString(source, program(className, IMPORTS, body));
        return ChildProcess.javaSource(source);
    }

    /** Waits for the program's exit, asserts code 0 and returns the lines it printed. */
    private static List<String> output(ChildProcess p) {
        int code = p.waitFor(EXIT);
        List<String> out = p.output();
        assertThat(code).as("exit code of %s; stdout: %s; stderr: %s", p, out, p.stderrText()).isZero();
        return out;
    }
}
