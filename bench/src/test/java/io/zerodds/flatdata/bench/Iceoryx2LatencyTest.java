package io.zerodds.flatdata.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.bench.peers.NativeIceoryx2Pair;
import io.zerodds.flatdata.test.ChildProcess;
import io.zerodds.flatdata.test.ShmNames;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The iceoryx2 latency benchmark, run small in a JVM of its own (it names the native library the
 * backend loads, which a test JVM may have loaded from the jar already): every mode reports, the
 * per-hop split into FFM crossing, backend calls and FlatWriter/FlatReader is printed, the native
 * ping-pong runs in the same processes between the Java blocks, and nothing is left in /dev/shm.
 */
@Timeout(180)
class Iceoryx2LatencyTest {

    @Test
    void reportsTheJavaAndTheInProcessNativeBlocksSideBySideAndCleansUp() throws Exception {
        List<String> out;
        long pid;
        try (ChildProcess bench = ChildProcess.java(Iceoryx2Latency.class, "800")) {
            pid = bench.pid();
            assertThat(bench.waitFor(Duration.ofSeconds(150))).as("exit code; output %s", bench.output()).isZero();
            out = bench.output();
        }
        String text = String.join("\n", out);
        // 800 requested: blocks of the minimum 200 round trips, 25 groups of the 6 modes in each of 4 passes after a
        // warm-up pass, so 20000 round trips per mode
        assertThat(text).contains("6 modes interleaved in blocks of 200 round trips, 25 groups per pass, 4 passes");
        assertThat(text).contains("per hop over native iceoryx2 in the same processes and threads (p50 one-way, the block"
                + " minus the native block of its group), median of 100 groups:");
        for (String layer : List.of("Java \\+ FFM, FlatWriter/FlatReader", "Java \\+ FFM, the backend's calls",
                "FFM alone, native's calls")) {
            Matcher hop = Pattern.compile("(?m)^  " + layer + ": +(-?\\d+) ns \\(10th percentile (-?\\d+), 90th"
                    + " (-?\\d+)\\)$").matcher(text);
            assertThat(hop.find()).as(layer + " per-hop line in:%n%s", text).isTrue();
            assertThat(Long.parseLong(hop.group(2))).isLessThanOrEqualTo(Long.parseLong(hop.group(1)));
            assertThat(Long.parseLong(hop.group(3))).isGreaterThanOrEqualTo(Long.parseLong(hop.group(1)));
        }
        for (String mode : List.of("bare cache line \\(baseline\\)", "flatdata POSIX busy-spin",
                "flatdata iceoryx2 busy-spin", "iceoryx2 backend calls alone", "native's calls through FFM",
                "native iceoryx2, same processes")) {
            Matcher m = Pattern.compile("(?m)^" + mode + " +20000 +\\d+ +(\\d+) ").matcher(text);
            assertThat(m.find()).as(mode + " in:%n%s", text).isTrue();
            assertThat(Long.parseLong(m.group(1))).as(mode + " p50").isPositive();
        }
        Matcher single = Pattern.compile("through the Java backend (\\d+) ns \\(its calls alone (\\d+) ns, the native"
                + " calls through FFM (\\d+) ns\\), native Rust iceoryx2 from the same crate in this process (\\d+) ns")
                .matcher(text);
        assertThat(single.find()).as("single-threaded line in:%n%s", text).isTrue();
        for (int layer = 1; layer <= 4; layer++) {
            assertThat(Long.parseLong(single.group(layer))).as("single-threaded layer %d", layer).isPositive();
        }
        String tag = "flatdata-bench-iox2-" + pid;
        assertThat(ShmNames.existing(tag)).isEmpty();
        assertThat(ShmNames.existing(NativeIceoryx2Pair.prefix(tag))).isEmpty();
    }
}
