package io.zerodds.flatdata.aeron;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.InMemorySlotBackend;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import io.zerodds.flatdata.test.Checksummed;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bridge closed and started again while the receiver runs: the receiver notices the session
 * gone, joins the new bridge, and reports exactly the samples written while no bridge read the
 * local ring as one gap; a reactive pipeline on the receiving ring sees everything else, in order.
 */
class BridgeRestartTest {

    private static void write(FlatWriter writer, long from, long to, int capacity) {
        for (long i = from; i < to; i++) {
            try (FlatWriter.Claim claim = writer.loan()) {
                claim.commit(Checksummed.write(i, claim.segment(), capacity));
            }
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aRestartedBridgeIsJoinedAgainAndTheSamplesNoBridgeReadAreReportedAsOneGap() throws Exception {
        String data = Ports.loopback();
        String control = Ports.loopback();
        List<long[]> gaps = new CopyOnWriteArrayList<>();
        List<Long> seen = new CopyOnWriteArrayList<>();
        try (var local = InMemorySlotBackend.create(64, 256);
             var remote = InMemorySlotBackend.create(64, 256);
             var writer = FlatWriter.reliable(local, Duration.ofSeconds(30));
             var reactive = ReactiveFlatReader.attach(remote);
             var receiver = RingReceiver.builder(remote).dataChannel(data).controlChannel(control)
                     .listener(new BridgeListener() {
                         @Override
                         public void gap(long from, long to) {
                             gaps.add(new long[] {from, to});
                         }
                     }).start()) {
            var done = reactive.flux()
                    .doOnNext(view -> seen.add(Checksummed.verify(MemorySegment.ofArray(view.copy()))))
                    .count().toFuture();
            try (var first = RingBridge.builder(local).dataChannel(data).controlChannel(control).start()) {
                first.awaitReceiver(Duration.ofSeconds(20));
                write(writer, 0, 1_000, local.slotCapacity());
                first.awaitAcknowledged(1_000, Duration.ofSeconds(30));
            }
            // no bridge reads the local ring now: these never leave the host
            write(writer, 1_000, 1_500, local.slotCapacity());
            try (var second = RingBridge.builder(local).dataChannel(data).controlChannel(control).start()) {
                second.awaitReceiver(Duration.ofSeconds(20));
                write(writer, 1_500, 2_000, local.slotCapacity());
                writer.endStream();
                receiver.awaitEndOfStream(Duration.ofSeconds(30));
            }
            assertThat(done.get(30, TimeUnit.SECONDS)).isEqualTo(1_500);
            assertThat(seen.subList(0, 1_000)).isEqualTo(java.util.stream.LongStream.range(0, 1_000).boxed().toList());
            assertThat(seen.subList(1_000, 1_500))
                    .isEqualTo(java.util.stream.LongStream.range(1_500, 2_000).boxed().toList());
            assertThat(gaps).hasSize(1);
            assertThat(gaps.get(0)).containsExactly(1_000, 1_500);
            assertThat(receiver.gapCount()).isEqualTo(1);
            assertThat(receiver.missingCount()).isEqualTo(500);
            assertThat(receiver.receivedCount()).isEqualTo(1_500);
            assertThat(receiver.duplicateCount()).isZero();
        }
    }
}
