package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.test.ChildProcess;
import io.zerodds.flatdata.test.ShmNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Futex waiting across processes: wakes on a commit, burns no CPU while idle, costs nothing unwatched. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PosixWakeUpTest {

    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("wake");

    private static void write(PosixSlotBackend ring, String text) {
        int slot = ring.reserveSlot(ring.activeReaders());
        assertThat(slot).isNotEqualTo(SlotBackend.NO_FREE_SLOT);
        ring.commitSlot(slot, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anIdleReaderProcessBlockedInWaitForChangeBurnsAlmostNoCpuAndWakesOnACommitFromThisProcess()
            throws Exception {
        try (PosixSlotBackend ring = PosixSlotBackend.create(NAMES.next()).slotCount(4).slotCapacity(64).build();
             ChildProcess child = PosixChild.start("waiter", ring.name())) {
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

    /** Polls {@code condition} every 10 ms until it holds or {@code timeout} passes; returns the last answer. */
    private static boolean eventually(Duration timeout, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    @Test
    void aReaderProcessKilledWhileWaitingNoLongerCostsEveryCommitAWakeUp() throws Exception {
        try (PosixSlotBackend ring = PosixSlotBackend.create(NAMES.next()).slotCount(4).slotCapacity(64).build();
             ChildProcess child = PosixChild.start("waiter", ring.name())) {
            child.expect("WAITING", Duration.ofSeconds(30));
            assertThat(eventually(Duration.ofSeconds(10), () -> ring.waitingMask() != 0))
                    .as("the waiting child is marked in the waiting mask").isTrue();
            child.kill();
            // the writer's lease thread finds the dead waiter's entry and clears its bit
            assertThat(eventually(Duration.ofSeconds(15), () -> ring.waitingMask() == 0))
                    .as("waiting mask 0x%x cleared after the waiter was killed", ring.waitingMask()).isTrue();
            long wakesBefore = ring.wakeCalls();
            for (int i = 0; i < 100; i++) {
                write(ring, "after " + i); // the dead reader's slots are reclaimed on the way
            }
            assertThat(ring.wakeCalls()).as("wake-ups for 100 commits after the waiter died").isEqualTo(wakesBefore);
            assertThat(ring.anonymousWaiters()).isZero();
        }
    }

    @Test
    void manyThreadsWaitingInTwoInstancesAreAllWokenAndLeaveNobodyMarkedWaiting() throws Exception {
        int rounds = 300;
        try (PosixSlotBackend ring = PosixSlotBackend.create(NAMES.next()).slotCount(4).slotCapacity(16).build();
             PosixSlotBackend other = PosixSlotBackend.open(ring.name()).build()) {
            java.util.concurrent.atomic.AtomicLong wakes = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.List<Thread> waiters = new java.util.ArrayList<>();
            for (int t = 0; t < 6; t++) {
                PosixSlotBackend mine = t % 2 == 0 ? ring : other;
                waiters.add(Thread.ofPlatform().start(() -> {
                    while (!stop.get()) {
                        long g = mine.notifyGeneration();
                        if (mine.waitForChange(g, Duration.ofSeconds(5))) {
                            wakes.incrementAndGet();
                        }
                    }
                }));
            }
            for (int i = 0; i < rounds; i++) {
                long seen = wakes.get();
                write(ring, "r" + i);
                // every commit wakes at least one of the six: none sleeps through a notify
                assertThat(eventually(Duration.ofSeconds(5), () -> wakes.get() > seen))
                        .as("a waiter woke for commit %d", i).isTrue();
            }
            stop.set(true);
            ring.wakeAll();
            for (Thread w : waiters) {
                w.join(10_000);
                assertThat(w.isAlive()).isFalse();
            }
            assertThat(ring.waitingMask()).as("waiting mask after every waiter left").isZero();
            assertThat(ring.anonymousWaiters()).isZero();
            long wakesBefore = ring.wakeCalls();
            write(ring, "nobody waits");
            assertThat(ring.wakeCalls()).isEqualTo(wakesBefore);
        }
    }

    @Test
    void withEveryWaiterEntryTakenAThreadWaitsCountedAndIsStillWoken() throws Exception {
        try (PosixSlotBackend ring = PosixSlotBackend.create(NAMES.next()).slotCount(4).slotCapacity(16).build()) {
            // every entry claimed by a live process (this one): nobody may free them
            SegmentFiles.edit(NAMES, ring.name(), (s, ext) -> {
                for (int e = 0; e < SegmentLayout.WAITER_ENTRIES; e++) {
                    long at = ext + SegmentLayout.EXT_WAITER_TABLE_OFFSET + e * WaiterEntryDescriptor.WAITER_ENTRY_SIZE;
                    s.set(java.lang.foreign.ValueLayout.JAVA_INT, at + WaiterEntryDescriptor.WAITER_STATE_OFFSET,
                            WaiterEntryDescriptor.WAITER_CLAIMED);
                    s.set(java.lang.foreign.ValueLayout.JAVA_LONG, at + WaiterEntryDescriptor.WAITER_START_TIME_OFFSET,
                            ProcessIdentity.CURRENT_START_MILLIS);
                    s.set(java.lang.foreign.ValueLayout.JAVA_INT, at + WaiterEntryDescriptor.WAITER_PID_OFFSET,
                            ProcessIdentity.CURRENT_PID);
                }
            });
            long g = ring.notifyGeneration();
            java.util.concurrent.atomic.AtomicReference<Boolean> woke = new java.util.concurrent.atomic.AtomicReference<>();
            Thread waiter = Thread.ofPlatform().start(() -> woke.set(ring.waitForChange(g, Duration.ofSeconds(30))));
            assertThat(eventually(Duration.ofSeconds(10), () -> ring.anonymousWaiters() == 1))
                    .as("the waiter is counted anonymously").isTrue();
            assertThat(ring.waitingMask()).isZero();
            write(ring, "x");
            waiter.join(10_000);
            assertThat(woke.get()).isTrue();
            assertThat(ring.anonymousWaiters()).isZero();
        }
    }
}
