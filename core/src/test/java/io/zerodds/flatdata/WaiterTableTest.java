package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The waiter table's repair of entries whose process died while it waited, on the shared ring
 * code (an in-memory ring: the table is the same bytes as in a POSIX segment).
 */
class WaiterTableTest {

    /** Rewrites entry {@code e}'s owner, as if another process had claimed it. */
    private static void forgeOwner(InMemorySlotBackend ring, int e, int pid, long startMillis) {
        long at = SegmentLayout.waiterEntryOffset(ring.ext, e);
        WaiterEntryDescriptor.putWaiterStartTime(ring.segment, at, startMillis);
        WaiterEntryDescriptor.putWaiterPidRelease(ring.segment, at, pid);
    }

    @Test
    void theEntryOfADeadWaiterIsFreedAndItsBitClearedWhileALiveOnesIsKept() {
        try (InMemorySlotBackend ring = InMemorySlotBackend.create(4, 16)) {
            int dead = ring.claimWaiterEntry();
            int live = ring.claimWaiterEntry();
            ring.markWaiting(dead);
            ring.markWaiting(live);
            forgeOwner(ring, dead, 4_000_001, 1_000);
            forgeOwner(ring, live, 4_000_002, 2_000);
            int freed = ring.reclaimDeadWaiters((pid, start) -> pid == 4_000_002);
            assertThat(freed).isEqualTo(1);
            assertThat(ring.waitingMask()).as("only the live waiter's bit").isEqualTo(1L << live);
            assertThat(ring.claimWaiterEntry()).as("the freed entry is claimed first").isEqualTo(dead);
        }
    }

    @Test
    void anEntryThatChangedOwnerWhileTheRepairerLookedIsLeftAlone() {
        try (InMemorySlotBackend ring = InMemorySlotBackend.create(4, 16)) {
            int e = ring.claimWaiterEntry();
            ring.markWaiting(e);
            forgeOwner(ring, e, 4_000_001, 1_000);
            int freed = ring.reclaimDeadWaiters((pid, start) -> {
                // the race on purpose: after the repairer read the dead owner, before its
                // compare-and-set, the entry is freed and a live process claims it and waits
                ring.releaseWaiterEntry(e);
                assertThat(ring.claimWaiterEntry()).isEqualTo(e);
                ring.markWaiting(e);
                return false;
            });
            assertThat(freed).as("the claim's epoch moved: the compare-and-set fails").isZero();
            assertThat(ring.waitingMask()).as("the new owner's bit survives").isEqualTo(1L << e);
        }
    }

    @Test
    void everyEntryTakenMeansNoEntryAndOurOwnEntriesAreNeverJudged() {
        try (InMemorySlotBackend ring = InMemorySlotBackend.create(4, 16)) {
            for (int i = 0; i < SegmentLayout.WAITER_ENTRIES; i++) {
                assertThat(ring.claimWaiterEntry()).isEqualTo(i);
            }
            assertThat(ring.claimWaiterEntry()).isEqualTo(-1);
            assertThat(ring.reclaimDeadWaiters((pid, start) -> false)).as("all ours, whatever the predicate says")
                    .isZero();
        }
    }
}
