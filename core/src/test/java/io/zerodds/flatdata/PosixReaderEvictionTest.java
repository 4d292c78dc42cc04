package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Which registry entries the writer evicts when readers hold the ring full: the owner of an entry
 * is its pid plus its process start time, never the pid alone.
 */
@Timeout(60)
class PosixReaderEvictionTest {

    private static final ShmNames NAMES = new ShmNames("evict");

    @AfterAll
    static void everyObjectWasUnlinked() {
        NAMES.assertNoneLeft();
    }

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
             FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(10))) {
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
        try (FileChannel ch = FileChannel.open(NAMES.path(name), StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            MemorySegment s = ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size(), arena);
            long ext = Integer.toUnsignedLong(s.get(ValueLayout.JAVA_INT, SegmentLayout.EXT_OFFSET_OFFSET));
            long entry = ext + SegmentLayout.EXT_REGISTRY_OFFSET + r * SegmentLayout.READER_ENTRY_SIZE;
            s.set(ValueLayout.JAVA_INT, entry + SegmentLayout.READER_PID_OFFSET, (int) pid);
            s.set(ValueLayout.JAVA_LONG, entry + SegmentLayout.READER_START_TIME_OFFSET, startMillis);
        }
    }
}
