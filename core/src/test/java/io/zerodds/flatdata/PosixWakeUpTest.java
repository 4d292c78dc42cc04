package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Futex waiting across processes: wakes on a commit, burns no CPU while idle, costs nothing unwatched. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PosixWakeUpTest {

    private static final ShmNames NAMES = new ShmNames("wake");

    @AfterAll
    static void everyObjectWasUnlinked() {
        NAMES.assertNoneLeft();
    }

    private static void write(PosixSlotBackend ring, String text) {
        int slot = ring.reserveSlot(ring.activeReaders());
        assertThat(slot).isNotEqualTo(SlotBackend.NO_FREE_SLOT);
        ring.commitSlot(slot, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anIdleReaderProcessBlockedInWaitForChangeBurnsAlmostNoCpuAndWakesOnACommitFromThisProcess()
            throws Exception {
        try (PosixSlotBackend ring = PosixSlotBackend.create(NAMES.next()).slotCount(4).slotCapacity(64).build();
             ChildJvm child = ChildJvm.start("waiter", ring.name())) {
            child.expect("WAITING", Duration.ofSeconds(30));
            Thread.sleep(1_000); // let the child's JIT and startup threads go quiet
            long before = child.cpuTicks();
            long wakesBefore = ring.wakeCalls();
            Thread.sleep(5_000);
            long used = child.cpuTicks() - before;
            System.out.println("idle blocked reader process: " + used + " CPU ticks (1/100 s) over 5 s");
            // a spinning reader would use ~500 ticks (5 s at USER_HZ=100); a futex waiter a handful
            assertThat(used).as("CPU ticks of the blocked reader process over 5 s").isLessThan(25);
            assertThat(ring.wakeCalls()).as("nothing was committed, nothing woken").isEqualTo(wakesBefore);

            write(ring, "wake up");
            assertThat(child.expect("WOKE", Duration.ofSeconds(10))).startsWith("WOKE wake up");
            assertThat(child.waitFor(Duration.ofSeconds(30))).isZero();
            assertThat(ring.wakeCalls()).as("the commit saw a waiter and woke it").isGreaterThan(wakesBefore);
        }
    }

    @Test
    void commitsAndFreesWithNobodyWaitingMakeNoWakeUpSystemCall() {
        try (PosixSlotBackend ring = PosixSlotBackend.create(NAMES.next()).slotCount(4).slotCapacity(16).build();
             FlatReader reader = FlatReader.attach(ring)) {
            for (int i = 0; i < 10_000; i++) {
                write(ring, "s" + i);
                assertThat(reader.takeCopy()).isNotNull();
            }
            assertThat(ring.wakeCalls()).isZero();
        }
    }

    @Test
    void anEndlessWaitWaitsAndAnInterruptEndsIt() throws Exception {
        try (PosixSlotBackend ring = PosixSlotBackend.create(NAMES.next()).slotCount(4).slotCapacity(16).build()) {
            long g = ring.notifyGeneration();
            java.util.concurrent.atomic.AtomicReference<Boolean> result = new java.util.concurrent.atomic.AtomicReference<>();
            Thread waiter = Thread.ofPlatform().start(() -> result.set(ring.waitForChange(g, Duration.ofSeconds(Long.MAX_VALUE))));
            Thread.sleep(300);
            assertThat(waiter.isAlive()).as("still waiting").isTrue();
            write(ring, "x");
            waiter.join(10_000);
            assertThat(result.get()).isTrue();

            long g2 = ring.notifyGeneration();
            Thread interrupted = Thread.ofPlatform().start(() -> result.set(ring.waitForChange(g2, Long.MAX_VALUE)));
            Thread.sleep(300);
            interrupted.interrupt();
            interrupted.join(10_000);
            assertThat(interrupted.isAlive()).as("an interrupt ends the wait within a time slice").isFalse();
            assertThat(result.get()).isFalse();
        }
    }

    @Test
    void aWaiterInAnotherBackendInstanceWakesWithinMilliseconds() throws Exception {
        try (PosixSlotBackend ring = PosixSlotBackend.create(NAMES.next()).slotCount(4).slotCapacity(16).build();
             PosixSlotBackend other = PosixSlotBackend.open(ring.name()).build()) {
            long g = other.notifyGeneration();
            Thread waiter = Thread.ofPlatform().start(() -> assertThat(other.waitForChange(g, Duration.ofSeconds(30))).isTrue());
            Thread.sleep(100);
            write(ring, "x");
            waiter.join(10_000);
            assertThat(waiter.isAlive()).isFalse();
        }
    }
}
