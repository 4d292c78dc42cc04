package io.zerodds.flatdata.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bridge benchmark, run small: across a veth link where namespaces can be made, else on
 * loopback; either way it reports both paths at both sizes, with ratios.
 */
@Timeout(150)
class BridgeBenchmarkTest {

    @Test
    void reportsAeronAndTheBridgeAtBothSizesWithRatios() throws Exception {
        String out = run("--round-trips", "200", "--samples", "2000");

        assertThat(out).containsPattern("(?m)^link: (veth fdh\\w+ \\(10\\.213\\.\\d+\\.1\\) <-> fdp\\w+ \\(10\\.213\\.\\d+\\.2\\)"
                + " in network namespace flatdata-\\w+|loopback 127\\.0\\.0\\.1, fallen back because .+)$");
        String number = " +(\\d+)";
        for (String size : new String[] {"64 B", "64 KiB"}) {
            long roundTrips = size.equals("64 B") ? 200 : 20;
            for (String path : new String[] {"aeron udp", "flatdata bridge"}) {
                Matcher m = Pattern.compile("(?m)^" + size + " " + path + " +" + roundTrips + number.repeat(5)
                        + " +(\\d+) +(\\d+\\.\\d)$").matcher(out);
                assertThat(m.find()).as("%s %s row in:%n%s", size, path, out).isTrue();
                long p50 = Long.parseLong(m.group(1));
                long max = Long.parseLong(m.group(5));
                assertThat(p50).isPositive().isLessThanOrEqualTo(max);
                double perSecond = Long.parseLong(m.group(6));
                double megabytes = Double.parseDouble(m.group(7));
                int bytes = size.equals("64 B") ? 64 : 65536;
                double expected = perSecond * bytes / 1e6;
                // MB/s is printed to one decimal
                assertThat(megabytes).as("%s %s MB/s", size, path).isCloseTo(expected, within(0.05 + expected / 100));
            }
            assertThat(out).containsPattern("(?m)^" + size + " bridge/aeron( +\\d+\\.\\d\\d){7}$");
        }
    }

    @Test
    void rejectsAnUnknownArgument() {
        assertThatThrownBy(() -> BridgeBenchmark.main(new String[] {"--fast"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("argument=--fast");
    }

    private static String run(String... args) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            BridgeBenchmark.main(args);
        } finally {
            System.setOut(saved);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        return out;
    }
}
