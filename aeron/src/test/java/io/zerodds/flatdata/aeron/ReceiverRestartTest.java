package io.zerodds.flatdata.aeron;

import io.zerodds.flatdata.InMemorySlotBackend;
import io.zerodds.flatdata.test.ChildProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A receiver process is killed with SIGKILL mid-stream and started again: the reliable bridge sees
 * a new instance join, resumes at the first sequence the dead one did not acknowledge, and the
 * second receiver gets everything from there to the end, in order, without a gap.
 */
class ReceiverRestartTest {

    static List<String> childFlags() {
        return List.of("@" + Path.of("jvm-flags.txt").toAbsolutePath(), "-Xmx256m");
    }

    record Join(long instance, long expected, long resume, long acknowledgedBefore) {
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aReceiverKilledAndRestartedGetsEverySampleItDidNotAcknowledge() throws Exception {
        long count = 40_000;
        String data = Ports.loopback();
        String control = Ports.loopback();
        List<Join> joins = new CopyOnWriteArrayList<>();
        List<long[]> gaps = new CopyOnWriteArrayList<>();
        List<String> dirs = new CopyOnWriteArrayList<>();
        try (var local = InMemorySlotBackend.create(64, 256)) {
            RingBridge[] holder = new RingBridge[1];
            try (var bridge = RingBridge.builder(local).dataChannel(data).controlChannel(control)
                    .listener(new BridgeListener() {
                        @Override
                        public void receiverJoined(long instance, long expected, long resume) {
                            joins.add(new Join(instance, expected, resume, holder[0] == null ? -1 : holder[0].acknowledgedSequence()));
                        }

                        @Override
                        public void gap(long from, long to) {
                            gaps.add(new long[] {from, to});
                        }
                    }).start()) {
                holder[0] = bridge;
                Thread writer;
                String firstDir = ReceiverMain.aeronDir();
                String secondDir = ReceiverMain.aeronDir();
                dirs.add(firstDir);
                dirs.add(secondDir);
                try (var first = ChildProcess.java(childFlags(), ReceiverMain.class, data, control, "256", "60", firstDir)) {
                    first.expect("joined", Duration.ofSeconds(30));
                    bridge.awaitReceiver(Duration.ofSeconds(30));
                    writer = Thread.ofPlatform().name("writer").start(() -> LoopbackBridgeTest.writeAll(local, count, 0));
                    while (true) {
                        String line = first.expect("progress", Duration.ofSeconds(30));
                        if (Long.parseLong(line.substring("progress ".length())) >= 10_000) {
                            break;
                        }
                    }
                    first.kill();
                }
                long acknowledgedByFirst = bridge.acknowledgedSequence();
                assertThat(acknowledgedByFirst).isBetween(10_000L, count - 1);
                try (var second = ChildProcess.java(childFlags(), ReceiverMain.class, data, control, "256", "60",
                        secondDir)) {
                    second.expect("joined", Duration.ofSeconds(30));
                    String result = second.expect("RESULT", Duration.ofSeconds(60));
                    assertThat(writer.join(Duration.ofSeconds(10))).as("writer thread finished").isTrue();
                    assertThat(joins).hasSize(2);
                    Join restart = joins.get(1);
                    assertThat(restart.expected()).isEqualTo(-1);
                    assertThat(restart.acknowledgedBefore()).isEqualTo(acknowledgedByFirst);
                    assertThat(restart.resume()).isEqualTo(acknowledgedByFirst);
                    assertThat(result).isEqualTo("RESULT count=" + (count - restart.resume()) + " first=" + restart.resume()
                            + " last=" + (count - 1) + " outOfOrder=0 skipped=0 gaps=0 missing=0 duplicates=0");
                    assertThat(gaps).isEmpty();
                    assertThat(bridge.gapCount()).isZero();
                    assertThat(bridge.receiverCount()).isEqualTo(2);
                }
            }
        } finally {
            for (String dir : dirs) {
                ReceiverMain.removeDir(dir); // the killed child's driver could not
            }
        }
    }
}
