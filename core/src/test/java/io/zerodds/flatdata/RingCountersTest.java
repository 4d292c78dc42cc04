package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The counts a ring keeps for monitoring, through the public API on every backend: commits and
 * takes per reader, a stalled reader's lag and the free slots it leaves, a writer that finds the
 * ring full and waits, a best-effort writer that drops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingCountersTest {
    @RegisterExtension
    static final io.zerodds.flatdata.test.ShmNames NAMES = TestBackends.NAMES;

    static java.util.List<org.junit.jupiter.api.Named<TestBackends.Factory>> backends() {
        return TestBackends.all();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void commitsTakesLagAndFreeSlotsFollowWhatWritersAndReadersDo(TestBackends.Factory factory) {
        try (SlotBackend ring = factory.create(8, 16);
             FlatReader fast = FlatReader.attach(ring);
             FlatReader stalled = FlatReader.attach(ring);
             FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(5))) {
            assertThat(ring.freeSlotCount()).isEqualTo(8);
            for (int i = 0; i < 5; i++) {
                write(writer, i);
                Sample s = fast.take();
                s.release();
            }
            RingCounters c = ring.counters();
            assertThat(c.counting()).isTrue();
            assertThat(c.committed()).isEqualTo(5);
            assertThat(c.taken(fast.readerIndex())).isEqualTo(5);
            assertThat(c.taken(stalled.readerIndex())).isZero();
            // the stalled reader holds every sample it has not read: its lag, and slots not free
            assertThat(ring.unreadCount(stalled.readerIndex())).isEqualTo(5);
            assertThat(ring.unreadCount(fast.readerIndex())).isZero();
            // the writer loans one slot ahead after a commit: it is not free either
            assertThat(ring.freeSlotCount()).isEqualTo(8 - 5 - 1);
            for (int i = 0; i < 3; i++) {
                stalled.take().release();
            }
            assertThat(ring.unreadCount(stalled.readerIndex())).isEqualTo(2);
            assertThat(c.taken(stalled.readerIndex())).isEqualTo(3);
            assertThat(ring.freeSlotCount()).isEqualTo(8 - 2 - 1);
            assertThat(c.ringFull()).isZero();
            assertThat(c.waits()).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aWriterThatFindsTheRingFullCountsItAndTheTimeItWaited(TestBackends.Factory factory) throws Exception {
        try (SlotBackend ring = factory.create(4, 16);
             FlatReader reader = FlatReader.attach(ring);
             FlatWriter writer = FlatWriter.builder(ring).reliable(Duration.ofSeconds(10)).loanAhead(false).build()) {
            for (int i = 0; i < 4; i++) {
                write(writer, i);
            }
            assertThat(ring.freeSlotCount()).isZero();
            CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> write(writer, 4));
            Thread.sleep(100);
            assertThat(blocked).isNotDone();
            reader.take().release();
            blocked.get(10, TimeUnit.SECONDS);
            RingCounters c = ring.counters();
            assertThat(c.ringFull()).isEqualTo(1);
            assertThat(c.waits()).isEqualTo(1);
            assertThat(c.waitNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(80));
            assertThat(c.committed()).isEqualTo(5);
            assertThat(c.dropped()).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aBestEffortWriterCountsEveryDrop(TestBackends.Factory factory) {
        try (SlotBackend ring = factory.create(4, 16);
             FlatReader reader = FlatReader.attach(ring);
             FlatWriter writer = FlatWriter.bestEffort(ring)) {
            int written = 0;
            for (int i = 0; i < 10; i++) {
                FlatWriter.Claim claim = writer.loan();
                if (claim != null) {
                    claim.segment().set(ValueLayout.JAVA_LONG, 0, i);
                    claim.commit(8);
                    written++;
                }
            }
            RingCounters c = ring.counters();
            assertThat(c.committed()).isEqualTo(written);
            assertThat(c.dropped()).isEqualTo(10 - written).isEqualTo(writer.droppedCount()).isPositive();
            assertThat(c.ringFull()).isEqualTo(c.dropped());
            assertThat(c.waits()).isZero();
            assertThat(reader.take()).isNotNull();
        }
    }

    @Test
    void aReaderIndexOutsideTheMaskIsRefusedNamingIt() {
        RingCounters c = new RingCounters();
        assertThatThrownBy(() -> c.taken(32)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reader=32");
        assertThatThrownBy(() -> c.recordTaken(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reader=-1");
        RingCounters.UNCOUNTED.recordCommitted();
        assertThat(RingCounters.UNCOUNTED.committed()).isZero();
    }

    private static void write(FlatWriter writer, long value) {
        FlatWriter.Claim claim = writer.loan();
        claim.segment().set(ValueLayout.JAVA_LONG, 0, value);
        claim.commit(8);
    }
}
