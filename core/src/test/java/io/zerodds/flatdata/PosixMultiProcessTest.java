package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.test.ChildProcess;
import io.zerodds.flatdata.test.ShmNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One writer process, three reader processes, a million checksummed samples. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PosixMultiProcessTest {

    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("multi");

    @Test
    void aWriterProcessDeliversAMillionSamplesToThreeReaderProcessesEachInOrderAndIntact() {
        String name = NAMES.next();
        long count = 1_000_000;
        List<ChildProcess> readers = new ArrayList<>();
        try (ChildProcess writer = PosixChild.start("writer", name, Long.toString(count), "1024")) {
            writer.expect("READY", Duration.ofSeconds(30));
            for (int i = 0; i < 3; i++) {
                readers.add(PosixChild.start("reader", name, Long.toString(count)));
            }
            List<String> indexes = new ArrayList<>();
            for (ChildProcess r : readers) {
                indexes.add(r.expect("ATTACHED", Duration.ofSeconds(30)));
            }
            assertThat(indexes).doesNotHaveDuplicates();
            writer.send("GO");
            for (ChildProcess r : readers) {
                assertThat(r.expect("OK", Duration.ofSeconds(150))).isEqualTo("OK count=" + count);
                assertThat(r.waitFor(Duration.ofSeconds(30))).isZero();
            }
            writer.expect("DONE", Duration.ofSeconds(30));
            writer.send("EXIT");
            assertThat(writer.waitFor(Duration.ofSeconds(30))).isZero();
        } finally {
            readers.forEach(ChildProcess::close);
        }
        assertThat(NAMES.path(name)).as("the owner unlinked its segment on close").doesNotExist();
    }
}
