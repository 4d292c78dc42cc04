package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zerodds.flatdata.test.ShmNames;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Closing a POSIX backend: the file is no longer mapped afterwards, and threads racing the close
 * on the hot path (which reads and writes the ring at absolute addresses) end with a clear
 * exception, never a fault or a wrong sample.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PosixCloseTest {

    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("close");

    /** The inode of {@code file}, as /proc/self/maps shows it. */
    private static String inode(Path file) throws IOException {
        return Files.getAttribute(file, "unix:ino").toString();
    }

    /**
     * How many mappings of the /dev/shm object with {@code inode} this process has: by inode, as
     * the creator maps the file under its temporary name, before it is published under its own.
     */
    private static long mappingsOf(String inode) throws IOException {
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.map(line -> line.trim().split("\\s+"))
                    .filter(f -> f.length >= 6 && f[4].equals(inode) && f[5].startsWith("/dev/shm/")).count();
        }
    }

    @Test
    void closeUnmapsTheFileAndTheViewsHandedOutFailAfterwards() throws Exception {
        PosixSlotBackend ring = PosixSlotBackend.create(NAMES.next()).slotCount(4).slotCapacity(64).build();
        PosixSlotBackend reader = PosixSlotBackend.open(ring.name()).build();
        Path file = ring.path();
        String inode = inode(file);
        assertThat(mappingsOf(inode)).isEqualTo(2);
        int r = reader.attachReader();
        int slot = ring.reserveSlot(ring.activeReaders());
        MemorySegment claim = ring.slotDataPtr(slot);
        claim.set(ValueLayout.JAVA_LONG, 0, 42L);
        ring.commitInPlace(slot, 8);
        MemorySegment view = reader.slotReadPtr(reader.nextUnreadSlot(r));
        assertThat(view.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(42L);

        reader.close();
        if (!SegmentMapping.STRICT_OVERCOMMIT) {
            // else the file stays mapped until the mapping is collected
            assertThat(mappingsOf(inode)).as("the reader's mapping is gone").isEqualTo(1);
        }
        assertThatThrownBy(() -> view.get(ValueLayout.JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(reader::activeReaders).isInstanceOf(BackendClosedException.class);
        ring.close();
        assertThat(file).doesNotExist();
        if (!SegmentMapping.STRICT_OVERCOMMIT) {
            assertThat(mappingsOf(inode)).as("the writer's mapping is gone").isZero();
        }
        assertThatThrownBy(() -> claim.set(ValueLayout.JAVA_LONG, 0, 1L)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(ring::notifyGeneration).isInstanceOf(BackendClosedException.class);
    }

    /** Waits up to 10 s for {@code condition}. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waiting for " + what).isNegative();
            Thread.sleep(1);
        }
    }

    @Test
    void aThreadStillInsideTheRingWhenItsPagesAreGivenBackReadsZerosAndNeverFaults() throws Exception {
        PosixSlotBackend ring = PosixSlotBackend.create(NAMES.next()).slotCount(4).slotCapacity(64).build();
        ring.commitSlot(ring.reserveSlot(), new byte[] {1});
        // the ring's own accesses, past every check a public call makes, as a thread that passed
        // them just before close() would make them; close never resets the notify word
        PosixRing inner = ring.extendedRing();
        assertThat(inner.generation()).isNotZero();
        AtomicLong readsBefore = new AtomicLong();
        AtomicLong readsAfter = new AtomicLong();
        AtomicBoolean closeReturned = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Integer> seenAfterClose = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                boolean after = closeReturned.get();
                int generation = inner.generation();
                if (after) {
                    if (generation != 0) {
                        seenAfterClose.set(generation);
                    }
                    readsAfter.incrementAndGet();
                } else {
                    readsBefore.incrementAndGet();
                }
            }
        });
        await("reads before close", () -> readsBefore.get() > 0);
        ring.close();
        closeReturned.set(true);
        await("reads after close", () -> readsAfter.get() >= 1000);
        stop.set(true);
        t.join(10_000);
        assertThat(t.isAlive()).isFalse();
        if (!SegmentMapping.STRICT_OVERCOMMIT) {
            assertThat(seenAfterClose.get()).as("a non-zero notify word read after close: the file's pages are still mapped")
                    .isNull();
        }
        assertThat(ring.isClosed()).isTrue();
    }

    /** Runs {@code loop}, then sets {@code end} to what ended it (a marker if it returned). */
    private static Thread racer(String name, AtomicReference<Throwable> end, ThrowingRunnable loop) {
        return Thread.ofPlatform().name(name).start(() -> {
            try {
                loop.run();
                end.set(RETURNED);
            } catch (Throwable t) {
                end.set(t);
            }
        });
    }

    private static final Throwable RETURNED = new Throwable("returned");

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void threadsRacingCloseOnTheHotPathEndWithAClearExceptionAndNeverSeeAWrongSample() throws Exception {
        List<String> outcomes = new ArrayList<>();
        for (int round = 0; round < 60; round++) {
            PosixSlotBackend ring = PosixSlotBackend.create(NAMES.next()).slotCount(8).slotCapacity(64).build();
            PosixSlotBackend other = PosixSlotBackend.open(ring.name()).build();
            FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(30));
            FlatReader reader = FlatReader.attach(other);
            AtomicReference<Throwable> writerEnd = new AtomicReference<>();
            AtomicReference<Throwable> readerEnd = new AtomicReference<>();
            Thread w = racer("writer", writerEnd, () -> {
                for (long i = 0; ; i++) {
                    FlatWriter.Claim claim = writer.loan();
                    claim.segment().set(ValueLayout.JAVA_LONG, 0, i);
                    claim.segment().set(ValueLayout.JAVA_LONG, 8, ~i);
                    claim.commit(16);
                }
            });
            Thread r = racer("reader", readerEnd, () -> {
                long expected = 0;
                while (true) {
                    Sample s = reader.take(Duration.ofSeconds(30));
                    if (s == null) {
                        // take with a timeout answers null once its backend is closed
                        if (!other.isClosed()) {
                            throw new AssertionError("no sample within 30 s");
                        }
                        return;
                    }
                    long a = s.segment().get(ValueLayout.JAVA_LONG, 0);
                    long b = s.segment().get(ValueLayout.JAVA_LONG, 8);
                    if (a != expected || b != ~expected) {
                        throw new AssertionError("sample " + expected + " read as " + a + "/" + ~b);
                    }
                    expected++;
                    s.release();
                }
            });
            Thread.sleep(ThreadLocalRandom.current().nextInt(1, 20));
            // both backends close under their running threads, in either order
            if ((round & 1) == 0) {
                ring.close();
                other.close();
            } else {
                other.close();
                ring.close();
            }
            w.join(30_000);
            r.join(30_000);
            assertThat(w.isAlive() || r.isAlive()).as("a racing thread is stuck").isFalse();
            for (Throwable end : List.of(writerEnd.get(), readerEnd.get())) {
                outcomes.add(end == RETURNED ? "null from take" : end.getClass().getSimpleName());
                if (end == RETURNED && end == readerEnd.get()) {
                    continue;
                }
                // a backend call fails with BackendClosedException; an access to a view handed out
                // before the close fails with the arena's IllegalStateException
                assertThat(end).as("round %d", round).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("closed");
            }
            writer.close();
            reader.close();
        }
        System.out.println("threads ended by: " + outcomes.stream().distinct().toList());
        assertThat(outcomes).contains(BackendClosedException.class.getSimpleName());
    }
}
