package io.zerodds.flatdata.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The native iceoryx2 ping-pong pair, run small: every round trip is reported, the RTT/2 values
 * are plausible, 1 MiB messages pass with every byte written and checked, and the pair's services
 * leave nothing in /dev/shm once removed. Skipped when the binary is not built.
 */
@Timeout(120)
class NativeIceoryx2PairTest {
    private static final String TAG = "flatdata-bench-pairtest-" + ProcessHandle.current().pid();

    private static NativeIceoryx2Pair pair;

    /** Each test, not the class, is skipped, so that the report counts them as skipped. */
    @BeforeEach
    void findBinary() {
        Path binary = NativeIceoryx2Pair.binary();
        Assumptions.assumeTrue(Files.isExecutable(binary), () -> "the native iceoryx2 ping-pong " + binary.toAbsolutePath()
                + " is not built (mvn -pl iceoryx2 -am package builds it, or name it with -D"
                + NativeIceoryx2Pair.PROPERTY + "=PATH)");
        if (pair == null) {
            pair = NativeIceoryx2Pair.find(TAG);
        }
        assertThat(pair).isNotNull();
    }

    @AfterAll
    static void removeFiles() throws Exception {
        if (pair != null) {
            pair.removeFiles();
            try (var files = Files.list(Path.of("/dev/shm"))) {
                assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith(pair.prefix())))
                        .isEmpty();
            }
        }
    }

    @ParameterizedTest(name = "{0} bytes, touch={1}")
    @CsvSource({"64, true", "64, false", "1048576, true", "1048576, false"})
    void reportsEveryRoundTrip(int size, boolean touch) throws Exception {
        int rounds = size > 4096 ? 300 : 3000;
        Histogram h = pair.run(rounds, size, touch);

        assertThat(h.getTotalCount()).isEqualTo(rounds);
        long p50 = h.getValueAtPercentile(50);
        System.out.printf("native iceoryx2 %d bytes touch=%b: p50 %d ns, p99 %d ns, max %d ns%n", size, touch, p50,
                h.getValueAtPercentile(99), h.getMaxValue());
        // a hop is more than nothing and, on any machine that runs the suite, well under 50 ms
        assertThat(h.getMinValue()).isPositive();
        assertThat(p50).isBetween(h.getMinValue(), h.getMaxValue()).isLessThan(50_000_000L);
        assertThat(h.getValueAtPercentile(99)).isGreaterThanOrEqualTo(p50);
    }

    @Test
    void writingAndCheckingEveryByteOfAMebibyteCostsMoreThanTheRoundNumberAlone() throws Exception {
        int size = 1 << 20;
        long touched = pair.run(200, size, true).getValueAtPercentile(50);
        long untouched = pair.run(200, size, false).getValueAtPercentile(50);
        // 1 MiB written by one process and summed by the other, both ways: tens of microseconds
        assertThat(touched).as("touched p50 %d ns, untouched %d ns", touched, untouched).isGreaterThan(untouched);
    }

    @Test
    void refusesASizeThatIsNotWholeWords() {
        assertThatThrownBy(() -> pair.run(10, 12, true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size=12");
    }
}
