package io.zerodds.flatdata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.test.ChildProcess;
import io.zerodds.flatdata.test.ShmNames;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * demo through picocli in this JVM (posix and in-memory; iceoryx2 runs through the script in
 * {@link DemoScriptTest}), and stopped with Ctrl-C as a child process, over posix and iceoryx2.
 */
class DemoCommandTest {

    /** The demo names its segment flatdata-demo-PID-...: none of this JVM's may be left. */
    private static String ourSegments() {
        return "flatdata-demo-" + ProcessHandle.current().pid() + "-";
    }

    @Test
    void overPosixSharedMemoryEverySampleReachesBothReaderProcessesAndTheSegmentIsRemoved() {
        CliRun run = CliRun.of("demo", "--seconds", "1", "--size", "256", "--slots", "32");
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out()).contains("over posix shared memory /dev/shm/" + ourSegments())
                .contains("every sample reached both readers, in order, with valid checksums")
                .containsPattern("segment /dev/shm/" + ourSegments() + "[0-9a-f]+ removed");
        List<String> table = summaryRows(run.out());
        assertThat(table).hasSize(3);
        long written = samples(table.get(0));
        assertThat(written).isPositive();
        assertThat(table.get(1)).startsWith("reader").contains(" yes ").contains(" valid ");
        assertThat(table.get(2)).startsWith("reactive").contains(" yes ").contains(" valid ");
        assertThat(samples(table.get(1))).isEqualTo(written);
        assertThat(samples(table.get(2))).isEqualTo(written);
        // three processes: three pids, none of them this JVM's
        assertThat(table.stream().map(r -> r.split(" +")[1]).distinct()).hasSize(3)
                .doesNotContain(Long.toString(ProcessHandle.current().pid()));
        assertThat(ShmNames.existing(ourSegments())).isEmpty();
    }

    @Test
    void overTheInMemoryRingTheThreePartsAreThreadsOfThisProcess() {
        CliRun run = CliRun.of("demo", "--backend", "in-memory", "--seconds", "60", "--samples", "3000");
        assertThat(run.code()).as(run.toString()).isZero();
        List<String> table = summaryRows(run.out());
        assertThat(table).hasSize(3).allSatisfy(r -> assertThat(samples(r)).isEqualTo(3_000))
                .allSatisfy(r -> assertThat(r.split(" +")[1]).isEqualTo(Long.toString(ProcessHandle.current().pid())));
        assertThat(run.out()).contains("every sample reached both readers");
    }

    @Test
    void ctrlCStopsTheChildrenAndRemovesTheSegment() {
        try (ChildProcess demo = ChildProcess.java(Main.class, "demo", "--seconds", "60", "--rate", "2000")) {
            interruptAfterTheFirstLines(demo);
            assertThat(demo.stderrText()).contains("interrupted; writer and readers stopped, segment /dev/shm/flatdata-demo-"
                    + demo.pid() + "-");
            assertThat(ShmNames.existing("flatdata-demo-" + demo.pid() + "-")).isEmpty();
        }
    }

    /**
     * The children are killed (SIGKILL), so iceoryx2 cleans up nothing of its own: every service,
     * node and event file of the run stays, until the demo removes its prefix's files.
     */
    @Test
    void ctrlCOverIceoryx2StopsTheChildrenAndLeavesNoFileOfTheService() {
        try (ChildProcess demo = ChildProcess.java(Main.class, "demo", "--backend", "iceoryx2", "--seconds", "60",
                "--rate", "2000")) {
            String prefix = iceoryx2Prefix(demo.pid());
            String header = demo.expect("flatdata demo: writer and 2 readers over iceoryx2 service", Duration.ofSeconds(60));
            assertThat(header).contains("(file prefix " + prefix);
            assertThat(iceoryx2Files(prefix)).as("the run's files while it runs").isNotEmpty();
            interruptAfterTheFirstLines(demo);
            assertThat(demo.stderrText()).contains("interrupted; writer and readers stopped, iceoryx2 service flatdata/demo/"
                    + demo.pid() + "-").contains("removed: no file of prefix " + prefix);
            assertThat(iceoryx2Files(prefix)).isEmpty();
        }
    }

    /** Waits for the first progress lines (after 1 s), sends SIGINT, and checks the exit code and that the children are gone. */
    private static void interruptAfterTheFirstLines(ChildProcess demo) {
        String line = demo.expect("  1.", Duration.ofSeconds(60));
        List<Long> children = demo.output().stream().map(DemoCommandTest::pidOf).filter(p -> p > 0).distinct()
                .toList();
        assertThat(children).as(line).hasSize(3);
        demo.signal("INT");
        assertThat(demo.waitFor(Duration.ofSeconds(30))).isEqualTo(ExitCode.INTERRUPTED.code);
        for (long pid : children) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("child " + pid).isNotEqualTo(
                    java.util.Optional.of(true));
        }
    }

    /** What the iceoryx2 file prefixes of the demo with pid {@code demoPid} start with ({@code fdemo<pid>x<run>_}). */
    static String iceoryx2Prefix(long demoPid) {
        return "fdemo" + demoPid + "x";
    }

    /**
     * Every file and directory in /dev/shm and anywhere under iceoryx2's root /tmp/iceoryx2 whose name
     * starts with {@code prefix} (what iceoryx2 makes under a file prefix: segments, service and
     * node files, event sockets, the prefix's global_mgmt).
     */
    static List<Path> iceoryx2Files(String prefix) {
        List<Path> found = new ArrayList<>();
        for (Path root : List.of(Path.of("/dev/shm"), Path.of("/tmp/iceoryx2"))) {
            collect(root, prefix, found);
        }
        return found;
    }

    private static void collect(Path dir, String prefix, List<Path> found) {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        } catch (IOException | DirectoryIteratorException gone) {
            return; // not there, or removed by its owner while we looked
        }
        for (Path p : entries) {
            if (p.getFileName().toString().startsWith(prefix)) {
                found.add(p);
            }
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                collect(p, prefix, found);
            }
        }
    }

    private static final Pattern PID = Pattern.compile(" pid (\\d+) ");

    private static long pidOf(String line) {
        Matcher m = PID.matcher(line);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The rows of the summary table (after its header line). */
    static List<String> summaryRows(String out) {
        List<String> lines = out.lines().toList();
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("process ")) {
                header = i;
            }
        }
        assertThat(header).as(out).isNotNegative();
        return lines.subList(header + 1, Math.min(lines.size(), header + 4));
    }

    static long samples(String row) {
        return Long.parseLong(row.split(" +")[2].replace(",", ""));
    }
}
