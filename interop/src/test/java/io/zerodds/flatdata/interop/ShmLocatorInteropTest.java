package io.zerodds.flatdata.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.ShmLocator;
import io.zerodds.flatdata.test.ChildProcess;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Our ShmLocator against the crate's: the same bytes out, each side decodes the other's. */
class ShmLocatorInteropTest {

    static String rust(Object... args) throws Exception {
        try (ChildProcess p = RustRef.start(args)) {
            String line = p.nextLine(Duration.ofSeconds(30));
            assertThat(p.waitFor(Duration.ofSeconds(30))).as("%s", line).isZero();
            return line;
        }
    }

    @Test
    void ourBytesAreTheCratesBytesForPathsOfEveryPadding() throws Exception {
        for (String path : new String[] {"/zddspub_AB12CD", "/a", "/ab", "/abc", "/tmp/zerodds/7f3a.flink", "/ü"}) {
            ShmLocator ours = ShmLocator.of("node1.local", 1000, 16, 256, path);
            String theirs = rust("locator", "node1.local", 1000, path, 16, 256);
            assertThat(HexFormat.of().formatHex(ours.encode())).as("path %s", path).isEqualTo(theirs);
            assertThat(ShmLocator.decode(HexFormat.of().parseHex(theirs))).isEqualTo(ours);
            String decoded = rust("decode-locator", HexFormat.of().formatHex(ours.encode()));
            assertThat(decoded).isEqualTo(Integer.toUnsignedString(ours.hostnameHash()) + " 1000 16 256 " + path);
        }
    }
}
