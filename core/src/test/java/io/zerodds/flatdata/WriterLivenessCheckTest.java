package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.test.ChildProcess;
import io.zerodds.flatdata.test.ShmNames;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A writer whose ring is full because a reader in another process holds slots back asks, on its
 * reserve path and at most every 50 ms, whether that process lives. It asks without allocating
 * once the owner was checked in full ({@link ProcessProbe}), and it still notices the death: the
 * probe is checked against a live process, a killed one left a zombie, and pids nobody owns.
 */
@Timeout(120)
class WriterLivenessCheckTest {

    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("liveness");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aWriterHeldBackByALiveReaderElsewhereAllocatesNothingWhileItAsksAndFreesTheSlotsOnceTheReaderDies() {
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(4).slotCapacity(64).build();
             ChildProcess child = PosixChild.startUnreaped("stalled-reader", name)) {
            child.expect("ATTACHED", WAIT);
            for (int i = 0; i < 4; i++) {
                int slot = ring.reserveSlotNoWait();
                assertThat(slot).as("slot %d of an empty ring", i).isNotNegative();
                ring.commitInPlace(slot, 8);
            }
            // the first question checks the owner in full (and the code gets compiled)
            assertThat(reserveFor(ring, Duration.ofMillis(500))).as("reservations, all refused").isPositive();
            // three windows of about 6 questions each (one per 50 ms); the least counts, so that a
            // one-off of the compiler in one window does not, while a question that allocates shows
            // in every window
            long least = Long.MAX_VALUE;
            Duration span = Duration.ofMillis(300);
            for (int window = 0; window < 3; window++) {
                long before = ZeroAllocationTest.MX.getCurrentThreadAllocatedBytes();
                long attempts = reserveFor(ring, span);
                long allocated = ZeroAllocationTest.MX.getCurrentThreadAllocatedBytes() - before;
                assertThat(attempts).as("reservations, all refused").isPositive();
                least = Math.min(least, allocated);
            }
            assertThat(least).as("bytes allocated in 300 ms of reservations of a held-back ring").isZero();
            assertThat(ring.activeReaders()).as("the live reader stays attached").isNotZero();

            child.kill(); // SIGKILL; never reaped, so it stays a zombie with its pid
            long deadline = System.nanoTime() + WAIT.toNanos();
            int slot;
            while ((slot = ring.reserveSlotNoWait()) == SlotBackend.NO_FREE_SLOT) {
                assertThat(System.nanoTime()).as("a slot within %s of the reader's death", WAIT).isLessThan(deadline);
                Thread.onSpinWait();
            }
            assertThat(ring.activeReaders()).as("the dead reader is disconnected").isZero();
            ring.discardSlot(slot);
        }
    }

    @Test
    void theProbeFollowsOneProcessUntilItDiesAndRefusesPidsNobodyOwns() {
        ProcessProbe probe = new ProcessProbe();
        assertThat(probe.track(ProcessIdentity.CURRENT_PID)).isTrue();
        assertThat(probe.tracks(ProcessIdentity.CURRENT_PID)).isTrue();
        assertThat(probe.stillAlive()).isTrue();
        try (ChildProcess child = PosixChild.startUnreaped("stalled-reader", NAMES.next())) {
            int pid = (int) child.pid();
            assertThat(probe.track(pid)).as("a child that is starting").isTrue();
            assertThat(probe.stillAlive()).isTrue();
            child.kill();
            assertThat(child.processState()).isEqualTo('Z');
            assertThat(probe.stillAlive()).as("a zombie is dead").isFalse();
            assertThat(probe.track(pid)).as("a zombie cannot be followed").isFalse();
            assertThat(probe.tracks(pid)).isFalse();
        }
        assertThat(probe.track(0)).isFalse();
        assertThat(probe.track(Integer.MAX_VALUE)).as("no such pid").isFalse();
        probe.track(ProcessIdentity.CURRENT_PID);
        probe.forget();
        assertThat(probe.tracks(ProcessIdentity.CURRENT_PID)).isFalse();
        assertThat(probe.stillAlive()).isFalse();
    }

    /** Calls reserveSlotNoWait for {@code span}; how often (each must find the ring full). */
    private static long reserveFor(PosixSlotBackend ring, Duration span) {
        long end = System.nanoTime() + span.toNanos();
        long attempts = 0;
        while (System.nanoTime() < end) {
            int slot = ring.reserveSlotNoWait();
            if (slot != SlotBackend.NO_FREE_SLOT) {
                return -1 - attempts; // not held back after all: fails the caller's assertion
            }
            attempts++;
        }
        return attempts;
    }
}
