package io.zerodds.flatdata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.test.ChildProcess;
import io.zerodds.flatdata.test.ShmNames;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** demo through picocli in this JVM (both backends), and stopped with Ctrl-C as a child process. */
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
            String line = demo.expect("  1.", Duration.ofSeconds(60)); // the first progress lines, after 1 s
            List<Long> children = demo.output().stream().map(DemoCommandTest::pidOf).filter(p -> p > 0).distinct()
                    .toList();
            assertThat(children).as(line).hasSize(3);
            demo.signal("INT");
            assertThat(demo.waitFor(Duration.ofSeconds(30))).isEqualTo(ExitCode.INTERRUPTED.code);
            assertThat(demo.stderrText()).contains("interrupted; writer and readers stopped, segment /dev/shm/flatdata-demo-"
                    + demo.pid() + "-");
            for (long pid : children) {
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("child " + pid).isNotEqualTo(
                        java.util.Optional.of(true));
            }
            assertThat(ShmNames.existing("flatdata-demo-" + demo.pid() + "-")).isEmpty();
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
