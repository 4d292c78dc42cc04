package io.zerodds.flatdata.aeron;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.Sample;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.test.Checksummed;

import java.time.Duration;

/**
 * Reads a receiving ring to its end of stream on a thread, checking that the checksummed samples'
 * indexes rise (strictly in order, or exactly by one when no gap is allowed) and every checksum holds.
 */
final class RingChecker implements AutoCloseable {
    private final FlatReader reader;
    private final Thread thread;
    private volatile long count;
    private volatile long first = -1;
    private volatile long last = -1;
    private volatile long outOfOrder;
    private volatile long skipped;
    private volatile Throwable failure;
    private volatile boolean done;

    RingChecker(SlotBackend ring) {
        this.reader = FlatReader.attach(ring);
        this.thread = Thread.ofPlatform().name("ring-checker").daemon().start(this::run);
    }

    private void run() {
        try {
            while (!reader.isEndOfStream()) {
                try (Sample s = reader.take(Duration.ofMillis(100))) {
                    if (s == null) {
                        continue;
                    }
                    long index = Checksummed.verify(s.segment());
                    if (first < 0) {
                        first = index;
                    } else if (index <= last) {
                        outOfOrder++;
                    } else if (index != last + 1) {
                        skipped += index - last - 1;
                    }
                    last = index;
                    count++;
                }
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            done = true;
        }
    }

    void awaitEnd(Duration timeout) throws InterruptedException {
        thread.join(timeout);
        if (!done) {
            throw new AssertionError("the receiving ring did not end within " + timeout + ": " + this);
        }
        if (failure != null) {
            throw new AssertionError("checking the receiving ring failed: " + failure, failure);
        }
    }

    long count() { return count; }
    long first() { return first; }
    long last() { return last; }
    long outOfOrder() { return outOfOrder; }
    long skipped() { return skipped; }

    @Override
    public void close() {
        reader.close();
    }

    @Override
    public String toString() {
        return "count=" + count + " first=" + first + " last=" + last + " outOfOrder=" + outOfOrder + " skipped=" + skipped;
    }
}
