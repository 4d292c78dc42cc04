package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zerodds.flatdata.test.ShmNames;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which registry entries the writer evicts when readers hold the ring full: the owner of an entry
 * is its pid plus its process start time, never the pid alone.
 */
@Timeout(60)
class PosixReaderEvictionTest {

    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("evict");

    @Test
    void aDeadReaderThatHadThePidOfTheWriterProcessIsEvicted() throws Exception {
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(2).slotCapacity(16).build();
             FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(10))) {
            int dead = ring.attachReader();
            // what a reader process that died leaves behind when the writer is started with its pid
            forgeReader(name, dead, ProcessIdentity.CURRENT_PID, ProcessIdentity.CURRENT_START_MILLIS - 3_600_000);
            writer.write(new byte[] {1});
            writer.write(new byte[] {2});
            writer.write(new byte[] {3}); // a free slot only once the dead reader is evicted
            assertThat(ring.activeReaders() & (1 << dead)).isZero();
        }
    }

    @Test
    void aLiveReaderThatTookTheIndexOfAnEvictedDeadOneIsNotEvicted() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(2).slotCapacity(16).build();
             // the test evicts by hand: no reservation after the second write may do it first
             FlatWriter writer = FlatWriter.builder(ring).reliable(Duration.ofSeconds(10)).loanAhead(false).build()) {
            int index = ring.attachReader();
            forgeReader(name, index, exited.pid(), 0);
            writer.write(new byte[] {1});
            writer.write(new byte[] {2});
            assertThat(ring.reclaimStalledReaders(1 << index)).as("the dead reader is evicted").isTrue();

            assertThat(ring.attachReader(index)).isEqualTo(index);
            long sleeperStart = sleeper.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
            forgeReader(name, index, sleeper.pid(), sleeperStart); // now a live process's entry
            assertThat(ring.reclaimStalledReaders(1 << index))
                    .as("a live reader is not judged by the liveness of its predecessor").isFalse();
            assertThat(ring.activeReaders() & (1 << index)).isNotZero();
        } finally {
            sleeper.destroyForcibly();
        }
    }

    /** Writes pid and start time into reader {@code r}'s registry entry, as another process would. */
    private static void forgeReader(String name, int r, long pid, long startMillis) throws Exception {
        SegmentFiles.edit(NAMES, name, (s, ext) -> {
            long entry = entry(ext, r);
            s.set(ValueLayout.JAVA_INT, entry + ReaderEntryDescriptor.READER_PID_OFFSET, (int) pid);
            s.set(ValueLayout.JAVA_LONG, entry + ReaderEntryDescriptor.READER_START_TIME_OFFSET, startMillis);
        });
    }

    private static long entry(long ext, int r) {
        return SegmentLayout.readerEntryOffset(ext, r);
    }

    /**
     * Leaves reader {@code r}'s entry as a process in the middle of disconnecting it does: state
     * disconnecting, the disconnector word naming {@code process}, the reader still active.
     */
    private static void forgeDisconnectInProgress(String name, int r, ProcessHandle process) throws Exception {
        long start = process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        SegmentFiles.edit(NAMES, name, (s, ext) -> {
            s.set(ValueLayout.JAVA_LONG, entry(ext, r) + ReaderEntryDescriptor.READER_DISCONNECTOR_OFFSET,
                    ReaderEntryDescriptor.disconnector((int) process.pid(), start));
            s.set(ValueLayout.JAVA_INT, entry(ext, r) + ReaderEntryDescriptor.READER_STATE_OFFSET,
                    ReaderEntryDescriptor.READER_DISCONNECTING);
        });
    }

    /** The ring's active mask as the writer's reservations see it (readers attaching or leaving included). */
    private static int rawActiveMask(String name) throws Exception {
        int[] mask = new int[1];
        SegmentFiles.edit(NAMES, name, (s, ext) ->
                mask[0] = s.get(ValueLayout.JAVA_INT, ext + SegmentLayout.EXT_ACTIVE_MASK_OFFSET));
        return mask[0];
    }

    private static void forgeState(String name, int r, int state) throws Exception {
        SegmentFiles.edit(NAMES, name, (s, ext) -> s.set(ValueLayout.JAVA_INT, entry(ext, r) + ReaderEntryDescriptor.READER_STATE_OFFSET, state));
    }

    @Test
    void aDetachWaitsWhileALiveProcessDisconnectsTheReaderAndOnlyThenFreesTheIndex() throws Exception {
        Process evictor = new ProcessBuilder("sleep", "60").start();
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(4).slotCapacity(16).build()) {
            int r = ring.attachReader();
            forgeDisconnectInProgress(name, r, evictor.toHandle());
            Thread detach = Thread.ofPlatform().start(() -> ring.detachReader(r));
            detach.join(500);
            assertThat(detach.isAlive()).as("the detach waits for the disconnect in progress").isTrue();
            assertThatThrownBy(() -> ring.attachReader(r)).as("the index is not free yet")
                    .isInstanceOf(ReaderLimitException.class).hasMessageContaining("state=disconnecting");
            forgeState(name, r, ReaderEntryDescriptor.READER_DISCONNECTED); // the evictor is done
            detach.join(10_000);
            assertThat(detach.isAlive()).isFalse();
            assertThat(ring.activeReaders() & (1 << r)).isZero();
            assertThat(ring.attachReader(r)).as("free again after the detach").isEqualTo(r);
        } finally {
            evictor.destroyForcibly();
        }
    }

    @Test
    void aDisconnectLeftHalfDoneByADeadProcessIsFinishedByTheWriterThatNeedsTheSlot() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(2).slotCapacity(16).build();
             FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(10))) {
            int r = ring.attachReader();
            writer.write(new byte[] {1});
            writer.write(new byte[] {2});
            // the evictor died after it won the entry, before it cleared the reader's active bit
            forgeDisconnectInProgress(name, r, exited.toHandle());
            assertThat(rawActiveMask(name) & (1 << r)).as("still in the writer's mask").isNotZero();
            assertThat(ring.activeReaders() & (1 << r)).as("a reader being disconnected is not reported active")
                    .isZero();
            long t0 = System.nanoTime();
            writer.write(new byte[] {3}); // a free slot only once the disconnect is finished
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("no lease-long wait for a dead disconnector")
                    .isLessThan(Duration.ofSeconds(4));
            assertThat(ring.activeReaders() & (1 << r)).isZero();
            assertThatThrownBy(() -> ring.nextUnreadSlot(r, 0)).isInstanceOf(ReaderDisconnectedException.class);
            ring.detachReader(r);
            assertThat(ring.attachReader(r)).isEqualTo(r);
        }
    }

    /**
     * An evictor and the evicted reader race on purpose: the reader detaches and attaches again
     * the moment it learns it was disconnected, while the evictor is still setting its bits on
     * 4096 slots. A new attachment must never lose a sample to the previous one's eviction.
     */
    @Test
    void aReaderThatAttachesAgainWhileItsEvictionIsStillRunningLosesNoSample() throws Exception {
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(4096).slotCapacity(16).build();
             FlatWriter writer = FlatWriter.bestEffort(ring)) {
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicInteger index = new java.util.concurrent.atomic.AtomicInteger(-1);
            java.util.concurrent.atomic.AtomicInteger evictions = new java.util.concurrent.atomic.AtomicInteger();
            Thread evictor = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    int r = index.get();
                    if (r >= 0) {
                        ring.markReaderDisconnected(r);
                        evictions.incrementAndGet();
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
            });
            Thread producer = Thread.ofPlatform().start(() -> {
                for (long i = 0; !stop.get(); i++) {
                    writer.write(new byte[] {(byte) i});
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                }
            });
            long attachments = 0;
            long taken = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            try {
                while (System.nanoTime() < deadline) {
                    try (FlatReader reader = FlatReader.attach(ring)) {
                        attachments++;
                        index.set(reader.readerIndex());
                        while (true) {
                            try (Sample s = reader.take()) {
                                if (s != null) {
                                    taken++;
                                }
                            } catch (ReaderDisconnectedException e) {
                                break; // evicted: detach and attach again at once
                            }
                        }
                        index.set(-1);
                    }
                }
            } finally {
                stop.set(true);
                evictor.join(10_000);
                producer.join(10_000);
            }
            System.out.println("eviction race: " + attachments + " attachments, " + evictions.get()
                    + " evictions, " + taken + " samples taken");
            assertThat(attachments).as("the reader was evicted and attached again").isGreaterThan(20);
            assertThat(taken).isPositive();
        }
    }
}
