package io.zerodds.flatdata.aeron;

import io.zerodds.flatdata.FlatType;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.InMemorySlotBackend;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import io.zerodds.flatdata.test.Checksummed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bridge and receiver in one JVM over 127.0.0.1, each on its own embedded media driver. */
class LoopbackBridgeTest {

    static void writeAll(SlotBackend ring, long count, int size) {
        try (FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(30))) {
            for (long i = 0; i < count; i++) {
                try (FlatWriter.Claim claim = writer.loan()) {
                    int n = size > 0 ? Checksummed.writeSized(i, claim.segment(), size)
                            : Checksummed.write(i, claim.segment(), ring.slotCapacity());
                    claim.commit(n);
                }
            }
            writer.endStream();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void reliableDeliversEveryChecksummedSampleInOrderToAReactivePipeline() throws Exception {
        long count = 50_000;
        String data = Ports.loopback();
        String control = Ports.loopback();
        try (var local = InMemorySlotBackend.create(64, 256);
             var remote = InMemorySlotBackend.create(16, 256);
             var bridge = RingBridge.builder(local).dataChannel(data).controlChannel(control).start();
             var receiver = RingReceiver.builder(remote).dataChannel(data).controlChannel(control).start();
             var reactive = ReactiveFlatReader.attach(remote)) {
            bridge.awaitReceiver(Duration.ofSeconds(20));
            AtomicLong next = new AtomicLong();
            var done = reactive.flux()
                    .doOnNext(view -> {
                        long index = Checksummed.verify(java.lang.foreign.MemorySegment.ofArray(view.copy()));
                        assertThat(index).isEqualTo(next.getAndIncrement());
                        view.release();
                    })
                    .count()
                    .toFuture();
            writeAll(local, count, 0);
            assertThat(done.get(40, TimeUnit.SECONDS)).isEqualTo(count);
            receiver.awaitEndOfStream(Duration.ofSeconds(10));
            assertThat(receiver.receivedCount()).isEqualTo(count);
            assertThat(receiver.gapCount()).isZero();
            assertThat(receiver.duplicateCount()).isZero();
            assertThat(bridge.droppedCount()).isZero();
            assertThat(bridge.sentCount()).isEqualTo(count);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void reliableAssemblesSixtyFourKibSamplesInTheirSlots() throws Exception {
        long count = 2_000;
        int size = 64 * 1024;
        String data = Ports.loopback();
        String control = Ports.loopback();
        try (var local = InMemorySlotBackend.create(16, size);
             var remote = InMemorySlotBackend.create(8, size);
             var bridge = RingBridge.builder(local).dataChannel(data).controlChannel(control).start();
             var receiver = RingReceiver.builder(remote).dataChannel(data).controlChannel(control).start();
             var checker = new RingChecker(remote)) {
            bridge.awaitReceiver(Duration.ofSeconds(20));
            writeAll(local, count, size);
            checker.awaitEnd(Duration.ofSeconds(40));
            assertThat(checker.count()).isEqualTo(count);
            assertThat(checker.first()).isZero();
            assertThat(checker.last()).isEqualTo(count - 1);
            assertThat(checker.outOfOrder() + checker.skipped()).isZero();
            assertThat(receiver.gapCount()).isZero();
        }
    }

    /**
     * The samples that arrive in the receiver's last poll, with the END, are acknowledged too: a
     * bridge (or {@code bridge send}) waiting for the end's acknowledgement must not wait for ever.
     * With 64 slots the receiver acknowledges in batches of 16, so most stream lengths end inside
     * a batch; before the fix about one stream in three ended unacknowledged here.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void everySampleIsAcknowledgedAfterTheEndOfStream() throws Exception {
        for (int run = 0; run < 20; run++) {
            long count = 1_000 + run;
            String data = Ports.loopback();
            String control = Ports.loopback();
            try (var local = InMemorySlotBackend.create(64, 256);
                 var remote = InMemorySlotBackend.create(64, 256);
                 var bridge = RingBridge.builder(local).dataChannel(data).controlChannel(control).start();
                 var receiver = RingReceiver.builder(remote).dataChannel(data).controlChannel(control).start();
                 var checker = new RingChecker(remote)) {
                bridge.awaitReceiver(Duration.ofSeconds(20));
                writeAll(local, count, 0);
                checker.awaitEnd(Duration.ofSeconds(40));
                assertThat(checker.count()).as("run %d", run).isEqualTo(count);
                bridge.awaitAcknowledged(count, Duration.ofSeconds(5));
                assertThat(bridge.acknowledgedSequence()).as("run %d", run).isEqualTo(count);
                assertThat(local.endOfStreamSequence()).as("run %d", run).isEqualTo(count);
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aTypeHashMismatchFailsBothEnds() {
        var tick = FlatType.of("Tick", MemoryLayout.structLayout(
                ValueLayout.JAVA_LONG.withName("id"), ValueLayout.JAVA_DOUBLE.withName("price")));
        var quote = FlatType.of("Quote", MemoryLayout.structLayout(
                ValueLayout.JAVA_LONG.withName("id"), ValueLayout.JAVA_DOUBLE.withName("bid")));
        String data = Ports.loopback();
        String control = Ports.loopback();
        List<Throwable> bridgeFailures = new CopyOnWriteArrayList<>();
        try (var local = InMemorySlotBackend.builder().slotCount(8).type(tick).build();
             var remote = InMemorySlotBackend.builder().slotCount(8).type(quote).build();
             var bridge = RingBridge.builder(local).dataChannel(data).controlChannel(control)
                     .listener(new BridgeListener() {
                         @Override
                         public void failed(Throwable failure) {
                             bridgeFailures.add(failure);
                         }
                     }).start();
             var receiver = RingReceiver.builder(remote).dataChannel(data).controlChannel(control).start()) {
            assertThatThrownBy(() -> bridge.awaitReceiver(Duration.ofSeconds(20)))
                    .isInstanceOf(BridgeHandshakeException.class)
                    .hasMessageContaining("type hash mismatch")
                    .hasMessageContaining(BridgeProtocol.hex(tick.typeHash()))
                    .hasMessageContaining(BridgeProtocol.hex(quote.typeHash()));
            assertThatThrownBy(() -> receiver.awaitBridge(Duration.ofSeconds(20)))
                    .isInstanceOf(BridgeHandshakeException.class)
                    .hasMessageContaining("type hash mismatch")
                    .hasMessageContaining(BridgeProtocol.hex(tick.typeHash()))
                    .hasMessageContaining(BridgeProtocol.hex(quote.typeHash()));
            assertThat(bridgeFailures).hasSize(1);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void smallerReceivingSlotsFailBothEnds() {
        String data = Ports.loopback();
        String control = Ports.loopback();
        try (var local = InMemorySlotBackend.create(8, 512);
             var remote = InMemorySlotBackend.create(8, 256);
             var bridge = RingBridge.builder(local).dataChannel(data).controlChannel(control).start();
             var receiver = RingReceiver.builder(remote).dataChannel(data).controlChannel(control).start()) {
            assertThatThrownBy(() -> bridge.awaitReceiver(Duration.ofSeconds(20)))
                    .isInstanceOf(BridgeHandshakeException.class).hasMessageContaining("slots of 512 bytes")
                    .hasMessageContaining("only 256 bytes");
            assertThatThrownBy(() -> receiver.awaitBridge(Duration.ofSeconds(20)))
                    .isInstanceOf(BridgeHandshakeException.class).hasMessageContaining("slots of 512 bytes");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void bestEffortDropsAreCountedAndEveryDropIsReportedAsAGap() throws Exception {
        long count = 20_000;
        String data = Ports.loopback();
        String control = Ports.loopback();
        List<long[]> gaps = new CopyOnWriteArrayList<>();
        try (var local = InMemorySlotBackend.create(64, 256);
             var remote = InMemorySlotBackend.create(8, 256);
             var bridge = RingBridge.builder(local).dataChannel(data).controlChannel(control)
                     .reliability(Reliability.BEST_EFFORT)
                     .driver(ctx -> ctx.publicationTermBufferLength(64 * 1024)).start();
             var receiver = RingReceiver.builder(remote).dataChannel(data).controlChannel(control)
                     .driver(ctx -> ctx.initialWindowLength(32 * 1024))
                     .listener(new BridgeListener() {
                         @Override
                         public void gap(long from, long to) {
                             gaps.add(new long[] {from, to});
                         }
                     }).start()) {
            bridge.awaitReceiver(Duration.ofSeconds(20));
            receiver.awaitBridge(Duration.ofSeconds(20));
            try (var checker = new RingChecker(remote)) {
                // the checker is attached but the writer outruns 8 slots: the reliable receiver stops
                // polling, Aeron's window fills, the best-effort bridge drops
                writeAll(local, count, 0);
                checker.awaitEnd(Duration.ofSeconds(40));
                receiver.awaitEndOfStream(Duration.ofSeconds(10));
                String state = checker + " received=" + receiver.receivedCount() + " missing=" + receiver.missingCount()
                        + " gaps=" + receiver.gapCount() + " dropped=" + bridge.droppedCount() + " receiverDropped=" + receiver.droppedCount();
                assertThat(checker.outOfOrder()).as(state).isZero();
                assertThat(bridge.droppedCount()).as(state).isPositive();
                assertThat(receiver.missingCount()).as(state).isEqualTo(bridge.droppedCount());
                assertThat(receiver.receivedCount() + receiver.missingCount()).as(state).isEqualTo(count);
                assertThat(checker.count()).as(state).isEqualTo(receiver.receivedCount());
                assertThat(checker.skipped() + (count - 1 - checker.last())).as(state).isEqualTo(receiver.missingCount());
                assertThat(checker.outOfOrder()).as(state).isZero();
                assertThat(gaps.stream().mapToLong(g -> g[1] - g[0]).sum()).isEqualTo(bridge.droppedCount());
                assertThat(gaps).hasSize((int) receiver.gapCount());
            }
        }
    }
}
