package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.test.ShmNames;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A keep-last writer (active mask 0) rewrites a two-slot ring flat out while a reader reads the
 * same slots, copied ({@code readSlot}) and in place ({@code slotSequence}, {@code slotReadPtr},
 * the bytes, {@code slotSequence} again). Every sample is eight longs equal to its sequence: a
 * read the seqlock accepts must hold one whole sample, and the race must really happen (some
 * in-place reads are caught being rewritten).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SeqlockRaceTest {
    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("seqlock");
    private static final int SAMPLE = 64;
    private static final long WANTED_READS = 20_000;
    private static final long TIME_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    @Test
    void inMemoryReadersNeverAcceptATornSample() throws Exception {
        try (InMemorySlotBackend ring = InMemorySlotBackend.create(2, SAMPLE)) {
            race(ring, ring);
        }
    }

    @Test
    void posixReadersNeverAcceptATornSample() throws Exception {
        String name = NAMES.next();
        try (PosixSlotBackend writer = PosixSlotBackend.create(name).slotCount(2).slotCapacity(SAMPLE).build();
             PosixSlotBackend reader = PosixSlotBackend.open(name).build()) {
            race(writer, reader);
        }
    }

    private static void race(SlotBackend writer, SlotBackend reader) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writing = Thread.ofPlatform().name("seqlock-writer").start(() -> {
            try {
                for (long n = 0; !stop.get(); n++) {
                    int slot = writer.reserveSlot(0);
                    MemorySegment data = writer.slotDataPtr(slot);
                    for (int i = 0; i < SAMPLE; i += 8) {
                        data.set(ValueLayout.JAVA_LONG, i, n);
                    }
                    long sequence = writer.commitInPlace(slot, SAMPLE);
                    if (sequence != n) {
                        throw new AssertionError("commit " + n + " got sequence " + sequence);
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        long copied = 0;
        long inPlace = 0;
        long caught = 0;
        long deadline = System.nanoTime() + TIME_LIMIT_NANOS;
        try {
            while ((copied < WANTED_READS || inPlace < WANTED_READS || caught == 0) && System.nanoTime() < deadline
                    && failure.get() == null) {
                for (int slot = 0; slot < 2; slot++) {
                    SlotSample s = reader.readSlot(slot);
                    if (s.sequence() != SlotBackend.NO_SEQUENCE) {
                        assertThat(s.size()).isEqualTo(SAMPLE);
                        assertWhole(MemorySegment.ofArray(s.data()), s.sequence(), "copy of slot " + slot);
                        copied++;
                    }
                    long before = reader.slotSequence(slot);
                    if (before == SlotBackend.NO_SEQUENCE) {
                        continue;
                    }
                    MemorySegment view;
                    try {
                        view = reader.slotReadPtr(slot);
                    } catch (SlotStateException loanedMeanwhile) {
                        caught++;
                        continue;
                    }
                    long[] longs = view.toArray(ValueLayout.JAVA_LONG);
                    if (reader.slotSequence(slot) != before) {
                        caught++;
                        continue;
                    }
                    assertWhole(MemorySegment.ofArray(longs), before, "in-place read of slot " + slot);
                    inPlace++;
                }
            }
        } finally {
            stop.set(true);
            assertThat(writing.join(Duration.ofSeconds(30))).as("writing thread finished").isTrue();
        }
        assertThat(failure.get()).isNull();
        assertThat(copied).as("validated copies").isGreaterThanOrEqualTo(WANTED_READS);
        assertThat(inPlace).as("validated in-place reads").isGreaterThanOrEqualTo(WANTED_READS);
        assertThat(caught).as("in-place reads caught racing a rewrite (the race happened)").isPositive();
    }

    private static void assertWhole(MemorySegment bytes, long sequence, String what) {
        for (int i = 0; i < SAMPLE; i += 8) {
            long value = bytes.get(ValueLayout.JAVA_LONG_UNALIGNED, i);
            if (value != sequence) {
                throw new AssertionError(what + " accepted as sequence " + sequence + " holds " + value
                        + " at byte " + i + ": a torn sample");
            }
        }
    }
}
