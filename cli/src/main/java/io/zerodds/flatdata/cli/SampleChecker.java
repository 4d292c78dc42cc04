package io.zerodds.flatdata.cli;

import io.zerodds.flatdata.reactor.SampleView;
import java.lang.foreign.MemorySegment;

/**
 * Checks each sample a reader takes and counts it into a {@link Meter}: the ring's sequence must
 * go up by one; a raw sample ({@link SampleFormat}) must also carry the next index and a valid
 * checksum, and gives the latency from its send time. One per reader thread.
 */
final class SampleChecker {
    private final Meter meter;
    private final boolean raw;
    private final SampleFormat format = new SampleFormat();
    private long expectedIndex = -1;
    private long expectedSequence = -1;
    private long firstSequence = -1;
    private long lastSequence = -1;

    /**
     * @param firstIndex the index the first raw sample must carry, or -1 for any (a reader that
     *                   may attach while the writer runs)
     */
    SampleChecker(Meter meter, boolean raw, long firstIndex) {
        this.meter = meter;
        this.raw = raw;
        this.expectedIndex = firstIndex;
    }

    /** Checks a view of the reactive reader, in place. */
    void check(SampleView view) {
        view.read(segment -> {
            check(segment, view.sequence());
            return null;
        });
    }

    void check(MemorySegment sample, long sequence) {
        long latency = -1;
        boolean inOrder = expectedSequence < 0 || sequence == expectedSequence;
        if (raw) {
            if (sample.byteSize() < SampleFormat.MIN_SIZE || !format.isValid(sample)) {
                meter.bad();
            } else {
                latency = Math.max(0, System.nanoTime() - SampleFormat.sentNanos(sample));
                long index = SampleFormat.index(sample);
                // the first sample a reader sees need not be index 0: it may attach late
                inOrder &= expectedIndex < 0 || index == expectedIndex;
                expectedIndex = index + 1;
            }
        }
        if (!inOrder) {
            meter.outOfOrder();
        }
        if (firstSequence < 0) {
            firstSequence = sequence;
        }
        lastSequence = sequence;
        expectedSequence = sequence + 1;
        meter.sample((int) sample.byteSize(), latency);
    }

    long firstSequence() {
        return firstSequence;
    }

    long lastSequence() {
        return lastSequence;
    }
}
