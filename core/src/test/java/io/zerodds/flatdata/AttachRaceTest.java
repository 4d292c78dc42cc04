package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Readers attach and detach while the writer commits flat out into a tiny ring: each attach must
 * yield a gap-free stream from its start sequence on (no sample at or after the start recycled
 * before the new reader read it), and the writer must never stall on a reader that left.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AttachRaceTest {

    @Test
    void readersAttachingDuringCommitsGetAGapFreeStreamFromTheirStart() throws Exception {
        try (InMemorySlotBackend backend = InMemorySlotBackend.create(2, 16)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writerThread = Thread.ofPlatform().start(() -> {
                try (FlatWriter writer = FlatWriter.reliable(backend, Duration.ofSeconds(30))) {
                    for (long i = 0; !stop.get(); i++) {
                        try (FlatWriter.Claim claim = writer.loan()) {
                            claim.segment().set(ValueLayout.JAVA_LONG, 0, i);
                            long seq = claim.commit(8);
                            if (seq != i) {
                                throw new AssertionError("sequence " + seq + " for sample " + i);
                            }
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            for (int round = 0; round < 2_000 && failure.get() == null; round++) {
                try (FlatReader reader = FlatReader.attach(backend)) {
                    long expected = reader.nextSequence();
                    for (int n = 0; n < 20; n++) {
                        try (Sample s = reader.take(Duration.ofSeconds(10))) {
                            assertThat(s).as("round %d sample %d", round, n).isNotNull();
                            assertThat(s.sequence()).isEqualTo(expected);
                            assertThat(s.segment().get(ValueLayout.JAVA_LONG, 0)).as("payload of %d", expected)
                                    .isEqualTo(expected);
                        }
                        expected++;
                    }
                }
            }
            stop.set(true);
            assertThat(writerThread.join(Duration.ofSeconds(30))).as("writer thread finished").isTrue();
            assertThat(failure.get()).isNull();
            assertThat(backend.activeReaders()).isZero();
        }
    }

    /**
     * A writer that waits until a reader shows in {@link SlotBackend#activeReaders()} and then
     * commits: the reader must receive that sample. A reader joins the ring's protecting mask
     * before it fixes its start sequence; had its bit shown then, the writer's commit could land
     * before the start and the reader would silently begin after it.
     */
    @Test
    void aSampleCommittedOnceTheReaderShowsAsActiveReachesIt() throws Exception {
        int rounds = 10_000;
        for (int round = 0; round < rounds; round++) {
            try (InMemorySlotBackend backend = InMemorySlotBackend.create(4, 16)) {
                int loaned = backend.reserveSlotNoWait(); // loaned ahead: the commit follows the bit at once
                Thread writer = Thread.ofPlatform().start(() -> {
                    while (backend.activeReaders() == 0) {
                        Thread.onSpinWait();
                    }
                    backend.commitInPlace(loaned, 8);
                });
                int reader = backend.attachReader();
                assertThat(writer.join(Duration.ofSeconds(10))).as("writer of round %d finished", round).isTrue();
                assertThat(backend.nextUnreadSlot(reader)).as("round %d: the sample committed after the"
                        + " reader showed as active, start sequence %d", round, backend.readerStartSequence(reader))
                        .isEqualTo(loaned);
            }
        }
    }
}
