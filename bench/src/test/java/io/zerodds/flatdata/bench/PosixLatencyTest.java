package io.zerodds.flatdata.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zerodds.flatdata.test.CapturedOutput;
import io.zerodds.flatdata.test.ShmNames;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The latency benchmark, run small: it completes, reports every mode, and leaves nothing in /dev/shm. */
@Timeout(120)
class PosixLatencyTest {
    private static final String PREFIX = "flatdata-bench-" + ProcessHandle.current().pid();

    @Test
    void reportsEveryModeFromOneProcessPairAndCleansUp() throws Exception {
        String out = run("1000");

        // 1000 requested: blocks of the minimum 1000 round trips, 40 triples in each of 5 passes
        assertThat(out).contains("interleaved in blocks of 1000 round trips, 40 triples per pass, 5 passes");
        assertThat(lines(out, "^pass \\d: ")).hasSize(5);
        for (String mode : List.of("busy-spin", "protocol floor")) {
            Matcher m = Pattern.compile("(?m)^" + mode + " p50 / bare p50 per triple: median of 200 (\\d+\\.\\d+) "
                    + "\\(10th percentile (\\d+\\.\\d+), 90th (\\d+\\.\\d+)\\)$").matcher(out);
            assertThat(m.find()).as(mode + " summary in:%n%s", out).isTrue();
            double median = Double.parseDouble(m.group(1));
            assertThat(median).isPositive();
            assertThat(Double.parseDouble(m.group(2))).isPositive().isLessThanOrEqualTo(median);
            assertThat(Double.parseDouble(m.group(3))).isGreaterThanOrEqualTo(median);
        }
        assertThat(lines(out, "^bare cache line \\(baseline\\) +200000 ")).hasSize(1);
        assertThat(lines(out, "^protocol floor \\(no library\\) +200000 ")).hasSize(1);
        assertThat(lines(out, "^flatdata busy-spin +200000 ")).hasSize(1);
        // a tenth of the requested round trips, at least 1000
        assertThat(lines(out, "^flatdata futex wait +1000 ")).hasSize(1);
        assertThat(ShmNames.existing(PREFIX)).isEmpty();
    }

    @Test
    void rejectsANonPositiveRoundCount() {
        assertThatThrownBy(() -> PosixLatency.main(new String[] {"0"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("round-trips=0");
    }

    private static String run(String... args) throws Exception {
        return CapturedOutput.of(() -> PosixLatency.main(args));
    }

    private static List<String> lines(String out, String regex) {
        Pattern p = Pattern.compile(regex);
        return out.lines().filter(l -> p.matcher(l).find()).toList();
    }
}
