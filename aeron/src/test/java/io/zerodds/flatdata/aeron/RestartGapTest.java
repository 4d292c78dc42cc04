package io.zerodds.flatdata.aeron;

import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.InMemorySlotBackend;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import io.zerodds.flatdata.test.Checksummed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A receiver restarted with an {@code expectSequence} older than what the reliable bridge still
 * holds: both ends report exactly that gap, and a reactive pipeline on the receiving ring, which
 * outlives its receivers, goes on through the restart to the end of stream.
 */
class RestartGapTest {

    private static void write(FlatWriter writer, long from, long to, int capacity) {
        for (long i = from; i < to; i++) {
            try (FlatWriter.Claim claim = writer.loan()) {
                claim.commit(Checksummed.write(i, claim.segment(), capacity));
            }
        }
    }

    private static BridgeListener recording(List<long[]> gaps) {
        return new BridgeListener() {
            @Override
            public void gap(long from, long to) {
                gaps.add(new long[] {from, to});
            }
        };
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aReceiverExpectingSamplesTheBridgeNoLongerHoldsGetsTheGapReportedExactlyOnBothEnds() throws Exception {
        String data = Ports.loopback();
        String control = Ports.loopback();
        List<long[]> bridgeGaps = new CopyOnWriteArrayList<>();
        List<long[]> firstGaps = new CopyOnWriteArrayList<>();
        List<long[]> secondGaps = new CopyOnWriteArrayList<>();
        List<long[]> joins = new CopyOnWriteArrayList<>();
        try (var local = InMemorySlotBackend.create(64, 256);
             var remote = InMemorySlotBackend.create(16, 256);
             var writer = FlatWriter.reliable(local, Duration.ofSeconds(30));
             var bridge = RingBridge.builder(local).dataChannel(data).controlChannel(control)
                     .listener(new BridgeListener() {
                         @Override
                         public void gap(long from, long to) {
                             bridgeGaps.add(new long[] {from, to});
                         }

                         @Override
                         public void receiverJoined(long instance, long expected, long resume) {
                             joins.add(new long[] {expected, resume});
                         }
                     }).start();
             var reactive = ReactiveFlatReader.attach(remote)) {
            AtomicLong next = new AtomicLong();
            var done = reactive.flux()
                    .doOnNext(view -> {
                        long index = Checksummed.verify(MemorySegment.ofArray(view.copy()));
                        view.release();
                        if (index != next.getAndIncrement()) {
                            throw new IllegalStateException("sample " + index + " where " + (next.get() - 1) + " was due");
                        }
                    })
                    .count()
                    .toFuture();

            try (var first = RingReceiver.builder(remote).dataChannel(data).controlChannel(control)
                    .listener(recording(firstGaps)).start()) {
                bridge.awaitReceiver(Duration.ofSeconds(20));
                write(writer, 0, 1_000, local.slotCapacity());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (bridge.acknowledgedSequence() < 1_000) {
                    assertThat(System.nanoTime()).as("acknowledged %d of 1000", bridge.acknowledgedSequence())
                            .isLessThan(deadline);
                    Thread.sleep(5);
                }
                assertThat(first.receivedCount()).isEqualTo(1_000);
                assertThat(first.gapCount()).isZero();
            }

            // restarted, it says it stopped at 500: [500, 1000) was acknowledged and released
            try (var second = RingReceiver.builder(remote).dataChannel(data).controlChannel(control)
                    .expectSequence(500).listener(recording(secondGaps)).start()) {
                second.awaitBridge(Duration.ofSeconds(20));
                write(writer, 1_000, 2_000, local.slotCapacity());
                writer.endStream();
                second.awaitEndOfStream(Duration.ofSeconds(30));

                assertThat(done.get(30, TimeUnit.SECONDS)).isEqualTo(2_000);
                assertThat(joins).hasSize(2);
                assertThat(joins.get(1)).containsExactly(500, 1_000);
                assertThat(secondGaps).hasSize(1);
                assertThat(secondGaps.get(0)).containsExactly(500, 1_000);
                assertThat(second.gapCount()).isEqualTo(1);
                assertThat(second.missingCount()).isEqualTo(500);
                assertThat(second.receivedCount()).isEqualTo(1_000);
                assertThat(second.duplicateCount()).isZero();
                assertThat(bridgeGaps).hasSize(1);
                assertThat(bridgeGaps.get(0)).containsExactly(500, 1_000);
                assertThat(bridge.gapCount()).isEqualTo(1);
                assertThat(bridge.receiverCount()).isEqualTo(2);
                assertThat(firstGaps).isEmpty();
            }
        }
    }
}
