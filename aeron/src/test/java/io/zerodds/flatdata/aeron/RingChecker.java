package io.zerodds.flatdata.aeron;

import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import io.zerodds.flatdata.reactor.SampleView;
import io.zerodds.flatdata.test.Checksummed;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;

/**
 * Reads a receiving ring to its end of stream through a reactive pipeline
 * ({@link ReactiveFlatReader#flux()}, on the reader's own thread), checking that the checksummed
 * samples' indexes rise (strictly in order, or exactly by one when no gap is allowed) and every
 * checksum holds: every test that checks a receiving ring so also shows the reactive path working
 * through what the test does to the link.
 */
final class RingChecker implements AutoCloseable {
    private final ReactiveFlatReader reader;
    private final Disposable subscription;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile long count;
    private volatile long first = -1;
    private volatile long last = -1;
    private volatile long outOfOrder;
    private volatile long skipped;
    private volatile Throwable failure;

    RingChecker(SlotBackend ring) {
        this.reader = ReactiveFlatReader.attach(ring);
        this.subscription = reader.flux().subscribe(this::check, this::failed, ended::countDown);
    }

    private void check(SampleView view) {
        long index = view.read(Checksummed::verify);
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

    private void failed(Throwable t) {
        failure = t;
        ended.countDown();
    }

    void awaitEnd(Duration timeout) throws InterruptedException {
        if (!ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
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
        subscription.dispose();
        reader.close();
    }

    @Override
    public String toString() {
        return "count=" + count + " first=" + first + " last=" + last + " outOfOrder=" + outOfOrder + " skipped=" + skipped;
    }
}
