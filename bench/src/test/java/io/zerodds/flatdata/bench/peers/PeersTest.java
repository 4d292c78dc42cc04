package io.zerodds.flatdata.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zerodds.flatdata.test.CapturedOutput;
import io.zerodds.flatdata.test.ShmNames;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * The peer benchmark end to end with the smoke profile: two processes, every system, every
 * phase; the tables, results.md and both charts come out, and nothing is left in /dev/shm.
 */
@Timeout(300)
class PeersTest {

    @Test
    void theSmokeProfileMeasuresEverySystemInEveryPhaseAndWritesTheReportAndCharts(@TempDir Path out)
            throws Exception {
        String printed = run("--smoke", "--out", out.toString());

        assertThat(printed).containsPattern("machine: .+, \\d+ cores, Linux .+, JDK 25");
        for (Peer p : Peers.all()) {
            // a latency row with a ratio for every system at 64 B
            assertThat(printed).containsPattern("(?m)^" + java.util.regex.Pattern.quote(p.name())
                    + " +\\d+ +\\d+ +\\d+ +\\d+ +\\d+ +\\d+ +\\d+ +\\d+\\.\\d\\d$");
        }
        String md = Files.readString(out.resolve("results.md"));
        assertThat(md).contains("**64 B**", "**1 MiB untouched**", "### Throughput", "### Paced: 10,000 samples/s",
                "### Paced: 100,000 samples/s", "### Allocation", "### Idle subscriber", "### Goals");
        for (Peer p : Peers.all()) {
            assertThat(md).contains("| " + p.name() + " |");
        }
        // flatdata's plain paths allocate nothing per round trip, in either process
        assertThat(md).containsPattern("\\| flatdata busy-spin \\| 0\\.00 \\| 0\\.00 \\|");
        assertThat(md).containsPattern("\\| flatdata futex wait \\| 0\\.00 \\| 0\\.00 \\|");
        for (String chart : new String[] {"latency-percentiles.svg", "sizes.svg"}) {
            Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(out.resolve(chart).toFile());
            assertThat(svg.getDocumentElement().getTagName()).isEqualTo("svg");
            assertThat(svg.getElementsByTagName("polyline").getLength()).as(chart).isGreaterThanOrEqualTo(8);
        }
        String pid = Long.toString(ProcessHandle.current().pid());
        assertThat(ShmNames.existing("flatdata-peers-" + pid)).isEmpty();
        assertThat(ShmNames.existing(Rings.prefix("flatdata-peers-" + pid + "-x"))).isEmpty();
    }

    @Test
    void anUnknownOptionOrAnEmptySelectionIsRefusedNamingIt() {
        assertThatThrownBy(() -> Peers.main(new String[] {"--fast"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option --fast");
        assertThatThrownBy(() -> Peers.main(new String[] {"--only", "zeromq"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--only zeromq matches none");
    }

    private static String run(String... args) throws Exception {
        return CapturedOutput.of(() -> Peers.main(args));
    }
}
