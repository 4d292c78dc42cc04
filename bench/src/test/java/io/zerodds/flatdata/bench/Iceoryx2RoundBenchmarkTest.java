package io.zerodds.flatdata.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.bench.peers.NativeIceoryx2Pair;
import io.zerodds.flatdata.test.ChildProcess;
import io.zerodds.flatdata.test.ShmNames;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JMH single-threaded round, run short in a JVM of its own (JMH without forks, so the JVM's
 * pid tags the services): every layer reports a time per round and, with {@code -prof gc}, its
 * allocation per round, and nothing is left in /dev/shm.
 */
@Timeout(180)
class Iceoryx2RoundBenchmarkTest {

    @Test
    void everyLayerReportsItsTimeAndAllocationPerRoundAndCleansUp() throws Exception {
        String text;
        long pid;
        try (ChildProcess bench = ChildProcess.java(Iceoryx2RoundBenchmark.class, "-f", "0", "-wi", "1", "-w",
                "300ms", "-i", "2", "-r", "300ms", "-prof", "gc")) {
            pid = bench.pid();
            assertThat(bench.waitFor(Duration.ofSeconds(150))).as("exit code; output %s", bench.output()).isZero();
            text = String.join("\n", bench.output());
        }
        for (String layer : SingleRound.LAYERS) {
            Matcher time = Pattern.compile("(?m)^Iceoryx2RoundBenchmark\\.round +" + layer
                    + " +avgt +2 +(\\d+[.,]\\d+)").matcher(text);
            assertThat(time.find()).as("%s time in:%n%s", layer, text).isTrue();
            assertThat(Double.parseDouble(time.group(1).replace(',', '.'))).as(layer + " ns per round").isPositive();
            Matcher allocation = Pattern.compile("(?m)^Iceoryx2RoundBenchmark\\.round:gc\\.alloc\\.rate\\.norm +" + layer
                    + " +avgt +2 +(\\d+[.,]\\d+|≈ 10⁻\\d+)").matcher(text);
            assertThat(allocation.find()).as("%s allocation in:%n%s", layer, text).isTrue();
        }
        String tag = "flatdata-bench-round-" + pid;
        assertThat(ShmNames.existing(NativeIceoryx2Pair.prefix(tag))).isEmpty();
    }
}
