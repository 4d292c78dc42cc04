package io.zerodds.flatdata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.test.ShmNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ./flatdata demo --seconds 3} as a user runs it, over posix and over iceoryx2: the
 * repository's script, as a process, from the repository root; and in a real terminal (tmux) to
 * see the live lines of demo and the screen of {@code inspect --watch} refresh in place.
 * The script runs with FLATDATA_CLASSPATH (this test's class path), so that it does not start a
 * Maven build inside this one.
 */
class DemoScriptTest {

    @org.junit.jupiter.api.extension.RegisterExtension
    static final ShmNames NAMES = new ShmNames("script");

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    private static String classPath() {
        return System.getProperty("java.class.path");
    }

    @Test
    void theScriptRunsTheDemoAndLeavesDevShmClean() throws Exception {
        assertThat(ROOT.resolve("flatdata")).isExecutable();
        ProcessBuilder pb = new ProcessBuilder("./flatdata", "demo", "--seconds", "3").directory(ROOT.toFile())
                .redirectErrorStream(true);
        pb.environment().put("FLATDATA_CLASSPATH", classPath());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("flatdata demo: writer and 2 readers over posix shared memory /dev/shm/flatdata-demo-"
                        + p.pid() + "-")
                .contains("for 3 s")
                .contains("every sample reached both readers, in order, with valid checksums")
                .containsPattern("segment /dev/shm/flatdata-demo-" + p.pid() + "-[0-9a-f]+ removed");
        List<String> rows = DemoCommandTest.summaryRows(out);
        assertThat(rows).extracting(r -> r.split(" +")[0]).containsExactly("writer", "reader", "reactive");
        assertThat(rows).extracting(DemoCommandTest::samples).allSatisfy(n -> assertThat(n).isPositive())
                .containsOnly(DemoCommandTest.samples(rows.get(0)));
        assertThat(ShmNames.existing("flatdata-demo-" + p.pid() + "-")).isEmpty();
    }

    /**
     * The same over an iceoryx2 service: three processes, every sample in order with valid
     * checksums, and nothing of the run left where iceoryx2 keeps its files. Without the demo's
     * clean-up a cleanly ended run would leave its prefix's {@code ..._node.0_10_0.global_mgmt} in
     * /dev/shm (iceoryx2 keeps it after its processes exit), a killed one every file of the service.
     */
    @Test
    void theScriptRunsTheDemoOverIceoryx2AndLeavesNoFileOfTheService() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("./flatdata", "demo", "--backend", "iceoryx2", "--seconds", "3")
                .directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().put("FLATDATA_CLASSPATH", classPath());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        String prefix = DemoCommandTest.iceoryx2Prefix(p.pid());
        assertThat(out).containsPattern("flatdata demo: writer and 2 readers over iceoryx2 service flatdata/demo/"
                        + p.pid() + "-[0-9a-f]+ \\(file prefix " + prefix + "[0-9a-f]+_\\): 64 slots of 64 bytes")
                .contains("for 3 s")
                .containsPattern("iceoryx2 service flatdata/demo/" + p.pid() + "-[0-9a-f]+ removed: no file of prefix "
                        + prefix + "[0-9a-f]+_ left in /dev/shm or /tmp/iceoryx2")
                .contains("every sample reached both readers, in order, with valid checksums")
                .doesNotContain("Exception");
        List<String> rows = DemoCommandTest.summaryRows(out);
        assertThat(rows).extracting(r -> r.split(" +")[0]).containsExactly("writer", "reader", "reactive");
        assertThat(rows.subList(1, 3)).allSatisfy(r -> assertThat(r).contains(" yes ").contains(" valid "));
        assertThat(rows).extracting(DemoCommandTest::samples).allSatisfy(n -> assertThat(n).isPositive())
                .containsOnly(DemoCommandTest.samples(rows.get(0)));
        assertThat(rows.stream().map(r -> r.split(" +")[1]).distinct()).as("three processes").hasSize(3);
        assertThat(DemoCommandTest.iceoryx2Files(prefix)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"posix", "iceoryx2"})
    void inATerminalTheLiveLinesAreRefreshedInPlace(String backend) throws Exception {
        Assumptions.assumeTrue(which("tmux"),
                "tmux is not installed: the in-place refresh of demo in a terminal is not checked"
                        + " (install tmux to check it)");
        String session = "flatdata-demo-test-" + ProcessHandle.current().pid() + "-" + backend;
        Path done = Files.createTempFile("flatdata-demo-tmux-", ".exit");
        Files.delete(done);
        String command = "cd '" + ROOT + "' && FLATDATA_CLASSPATH='" + classPath()
                + "' ./flatdata demo --backend " + backend + " --seconds 3; echo $? > '" + done + "'; sleep 600";
        run("tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "50", command);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            String middle = null;
            while (!Files.exists(done)) {
                assertThat(System.nanoTime()).as("the demo in tmux ends").isLessThan(deadline);
                String pane = capture(session);
                if (middle == null && pane.contains("  2.")) {
                    middle = pane;
                }
                Thread.sleep(200);
            }
            Thread.sleep(200);
            String pane = capture(session);
            assertThat(Files.readString(done).trim()).as(pane).isEqualTo("0");
            // refreshed in place: one line per process on screen, however many periods passed
            assertThat(pane.lines().filter(DemoScriptTest::isLiveLine).toList()).as(pane).hasSize(3)
                    .allSatisfy(l -> assertThat(l).endsWith("done"));
            assertThat(pane).contains("every sample reached both readers");
            if (backend.equals("iceoryx2")) {
                assertThat(pane).contains("removed: no file of prefix fdemo");
            }
            if (middle != null) {
                assertThat(middle.lines().filter(DemoScriptTest::isLiveLine).count()).as(middle).isEqualTo(3);
            }
        } finally {
            run("tmux", "kill-session", "-t", session);
            Files.deleteIfExists(done);
        }
    }

    @Test
    void inATerminalInspectWatchRedrawsOneScreenInPlace() throws Exception {
        Assumptions.assumeTrue(which("tmux"),
                "tmux is not installed: the in-place refresh of inspect --watch in a terminal is not checked"
                        + " (install tmux to check it)");
        String name = NAMES.next();
        String session = "flatdata-inspect-test-" + ProcessHandle.current().pid();
        try (io.zerodds.flatdata.PosixSlotBackend ring = io.zerodds.flatdata.PosixSlotBackend.create(name)
                .slotCount(4).slotCapacity(16).build();
             io.zerodds.flatdata.FlatReader reader = io.zerodds.flatdata.FlatReader.attach(ring);
             io.zerodds.flatdata.FlatWriter writer = io.zerodds.flatdata.FlatWriter.bestEffort(ring)) {
            String command = "cd '" + ROOT + "' && FLATDATA_CLASSPATH='" + classPath() + "' ./flatdata inspect " + name
                    + " --watch --interval 100ms; sleep 600";
            run("tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "50", command);
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                String header = "segment /dev/shm/" + name + " ";
                while (!capture(session).contains(header)) {
                    assertThat(System.nanoTime()).as("inspect shows the segment").isLessThan(deadline);
                    Thread.sleep(100);
                }
                for (int i = 0; i < 3; i++) {
                    writer.write(new byte[] {(byte) i});
                }
                String pane = capture(session);
                while (!pane.contains("next sequence 3")) {
                    assertThat(System.nanoTime()).as("the screen follows the ring: %s", pane).isLessThan(deadline);
                    Thread.sleep(100);
                    pane = capture(session);
                }
                Thread.sleep(300); // a few more refreshes
                pane = capture(session);
                assertThat(pane.lines().filter(l -> l.startsWith(header)).count())
                        .as("one screen, redrawn in place: %s", pane).isEqualTo(1);
                assertThat(pane).contains("next sequence 3");
                assertThat(pane.lines().filter(l -> l.matches("[0-3] +(committed|free|loaned) .*")).count())
                        .as(pane).isEqualTo(4);
            } finally {
                run("tmux", "kill-session", "-t", session);
            }
        }
    }

    /** A live progress line: elapsed time, then the process. */
    private static boolean isLiveLine(String line) {
        return line.matches(" *[0-9]+\\.[0-9]s (writer|reader|reactive) .*");
    }

    private static String capture(String session) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tmux", "capture-pane", "-p", "-t", session).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return text;
    }

    private static boolean which(String program) {
        try {
            return new ProcessBuilder("which", program).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
