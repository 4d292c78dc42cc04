package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.test.ShmNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    @TempDir
    Path dir;

    @Test
    void theToursFirstSnippetPrintsTheSequenceAndTheInPlaceValue() throws Exception {
        Program p = run("Tour", javaBlocks("## A short tour").get(0));
        assertThat(output(p)).containsExactly("0: hello", "42");
    }

    @Test
    void theTypedSnippetReadsTheFieldItWrote() throws Exception {
        Program p = run("Typed", javaBlocks("## A short tour").get(1));
        assertThat(output(p)).containsExactly("7");
    }

    @Test
    void theSharedMemorySnippetWorksAsAWriterProcessAndAReaderProcess() throws Exception {
        String name = NAMES.next();
        String block = javaBlocks("## Shared memory across processes").get(0).replace("\"prices\"", '"' + name + '"');
        int split = block.indexOf("// reader process");
        assertThat(split).as("the snippet labels a reader process").isPositive();
        assertThat(block).as("the snippet labels a writer process").startsWith("// writer process");

        Program writer = run("Writer", block.substring(0, split));
        awaitSegment(writer, name);
        Program reader = run("Reader", block.substring(split));

        assertThat(output(reader)).as("the reader process").containsExactly("42");
        assertThat(output(writer)).as("the writer process").isEmpty();
        assertThat(NAMES.path(name)).as("the writer unlinked its segment").doesNotExist();
    }

    @Test
    void thePosixGuidesProgramRunsAsTheWriterAndTheReaderItDescribes() throws Exception {
        String name = NAMES.next();
        String source = javaBlocks(Path.of("..", "docs", "posix.md"), "## Shared memory across processes").get(0)
                .replace("\"prices\"", '"' + name + '"');
        Path file = dir.resolve("Prices.java");
        Files.writeString(file, source);
        Program writer = start(file, "Prices-writer", "write");
        awaitSegment(writer, name);
        Program reader = start(file, "Prices-reader");

        List<String> lines = output(reader);
        assertThat(lines).hasSize(1_000);
        for (int i = 0; i < 1_000; i++) {
            assertThat(lines.get(i)).isEqualTo(i + ": " + i);
        }
        assertThat(output(writer)).isEmpty();
        assertThat(NAMES.path(name)).doesNotExist();
    }

    private void awaitSegment(Program writer, String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(NAMES.path(name))) {
            assertThat(writer.isAlive()).as("the writer process runs until its segment exists").isTrue();
            assertThat(System.nanoTime()).as("the writer's segment appears within 60 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** The java blocks of the README section that starts with {@code heading}, in order. */
    private static List<String> javaBlocks(String heading) throws IOException {
        return javaBlocks(README, heading);
    }

    /** The java blocks of {@code file}'s section that starts with {@code heading}, in order. */
    private static List<String> javaBlocks(Path file, String heading) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        int at = lines.indexOf(heading);
        assertThat(at).as("%s section %s", file, heading).isNotNegative();
        List<String> blocks = new ArrayList<>();
        StringBuilder block = null;
        for (int i = at + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
            String line = lines.get(i);
            if (block == null && line.equals("```java")) {
                block = new StringBuilder();
            } else if (block != null && line.equals("```")) {
                blocks.add(block.toString());
                block = null;
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return blocks;
    }

    /** A snippet running as a program of its own. */
    private record Program(Process process, Path stderr) {
        boolean isAlive() {
            return process.isAlive();
        }
    }

    /** Starts {@code body} as the main method of a program of its own. */
    private Program run(String className, String body) throws IOException {
        Path source = dir.resolve(className + ".java");
        Files.writeString(source, IMPORTS + "\npublic class " + className
                + " { public static void main(String[] args) throws Exception {\n" + body + "\n} }\n");
        return start(source, className);
    }

    /** Runs the source file {@code source} with {@code args}; {@code label} names its stderr file. */
    private Program start(Path source, String label, String... args) throws IOException {
        Path stderr = dir.resolve(label + ".err");
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx128m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), source.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        return new Program(p, stderr);
    }

    /** Waits for the program's exit, asserts code 0 and returns the lines it printed. */
    private static List<String> output(Program program) throws Exception {
        Process p = program.process();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("exits within 120 s").isTrue();
        assertThat(p.exitValue()).as("exit code; stdout: %s; stderr: %s", out, Files.readString(program.stderr()))
                .isZero();
        return out.lines().toList();
    }
}
