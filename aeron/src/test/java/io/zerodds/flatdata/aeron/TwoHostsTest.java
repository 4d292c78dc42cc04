package io.zerodds.flatdata.aeron;

import io.zerodds.flatdata.InMemorySlotBackend;
import io.zerodds.flatdata.test.ChildProcess;
import io.zerodds.flatdata.test.NetworkNamespaces;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two hosts on this machine: the bridge here, the receiver in a child JVM in another network
 * namespace, over a veth pair. A million checksummed samples cross, in order, none lost.
 */
class TwoHostsTest {

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aMillionChecksummedSamplesCrossAVethLinkInOrder() throws Exception {
        NetworkNamespaces ns = NetworkNamespaces.create();
        Assumptions.assumeTrue(ns != null, () -> "skipped: " + NetworkNamespaces.whyNot);
        long count = 1_000_000;
        try (ns) {
            String data = ns.peerAddress + ":" + ThreadLocalRandom.current().nextInt(20_000, 40_000);
            String control = ns.hostAddress + ":" + Ports.freeUdp();
            try (var local = InMemorySlotBackend.create(256, 64);
                 var bridge = RingBridge.builder(local).dataChannel(data).controlChannel(control).start()) {
                List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
                java.addAll(ReceiverRestartTest.childFlags());
                String aeronDir = ReceiverMain.aeronDir();
                java.addAll(List.of("-cp", System.getProperty("java.class.path"), ReceiverMain.class.getName(),
                        data, control, "64", "120", aeronDir));
                try (var receiver = ChildProcess.start("receiver in " + ns.namespace, ns.inside(java))) {
                    receiver.expect("joined", Duration.ofSeconds(30));
                    bridge.awaitReceiver(Duration.ofSeconds(30));
                    long start = System.nanoTime();
                    LoopbackBridgeTest.writeAll(local, count, 0);
                    String result = receiver.expect("RESULT", Duration.ofSeconds(120));
                    double seconds = (System.nanoTime() - start) / 1e9;
                    System.out.printf("%,d samples across %s in %.1f s (%,.0f samples/s)%n", count, ns.hostLink, seconds, count / seconds);
                    assertThat(result).isEqualTo("RESULT count=" + count + " first=0 last=" + (count - 1)
                            + " outOfOrder=0 skipped=0 gaps=0 missing=0 duplicates=0");
                    assertThat(bridge.droppedCount()).isZero();
                    assertThat(receiver.waitFor(Duration.ofSeconds(20))).isZero();
                } finally {
                    ReceiverMain.removeDir(aeronDir);
                }
            }
        }
    }
}
