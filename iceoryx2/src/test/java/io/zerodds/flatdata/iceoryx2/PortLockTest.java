package io.zerodds.flatdata.iceoryx2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class PortLockTest {

    private final PortLock lock = new PortLock();
    private long counter;
    private int inside;

    @Test
    void racingThreadsNeverOverlapAndLoseNoUpdate() throws Exception {
        int threads = 4;
        int rounds = 200_000;
        AtomicBoolean overlapped = new AtomicBoolean();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < rounds; i++) {
                    lock.lock();
                    try {
                        if (++inside != 1) {
                            overlapped.set(true);
                        }
                        counter++; // a plain read-modify-write: loses updates unless excluded
                        inside--;
                    } finally {
                        lock.unlock();
                    }
                }
            });
        }
        start.countDown();
        for (Thread w : workers) {
            w.join(TimeUnit.MINUTES.toMillis(2));
            assertThat(w.isAlive()).as("worker finished").isFalse();
        }
        assertThat(overlapped).isFalse();
        assertThat(counter).isEqualTo((long) threads * rounds);
    }

    @Test
    void aThreadFindingItHeldLongSleepsUntilItIsLeft() throws Exception {
        lock.lock();
        CountDownLatch took = new CountDownLatch(1);
        Thread waiter = Thread.ofPlatform().start(() -> {
            lock.lock();
            counter = 42;
            lock.unlock();
            took.countDown();
        });
        // past the spins and yields: the waiter is in its parks now
        Thread.sleep(200);
        assertThat(took.getCount()).isEqualTo(1);
        assertThat(waiter.getState()).isIn(Thread.State.TIMED_WAITING, Thread.State.RUNNABLE);
        lock.unlock();
        assertThat(took.await(10, TimeUnit.SECONDS)).isTrue();
        lock.lock();
        assertThat(counter).isEqualTo(42);
        lock.unlock();
    }
}
