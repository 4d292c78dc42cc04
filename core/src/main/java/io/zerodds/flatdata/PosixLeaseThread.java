package io.zerodds.flatdata;

import static io.zerodds.flatdata.ReaderEntryDescriptor.*;
import static io.zerodds.flatdata.SegmentLayout.*;

import java.io.IOException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The heartbeat of one backend, run every lease/5 on the process's single daemon thread
 * {@code flatdata-posix-lease}: refreshes the heartbeats of the readers attached through the
 * backend (and the writer's), checks that the file was not truncated under the mapping, and
 * sweeps the waiter entries of dead processes. A slow reader whose process runs is so never
 * evicted: its heartbeat moves even while it does not read.
 */
final class PosixLeaseThread {

    private static volatile ScheduledExecutorService executor;

    private final PosixSlotBackend backend;
    /** Bit r set: reader r was attached through the backend and is kept alive here. */
    private final AtomicInteger localReaders = new AtomicInteger();
    /** The epoch of each local reader's registry entry when it attached: a new owner is not refreshed. */
    private final int[] localEpochs = new int[MAX_READERS];
    /** Guarded by the backend's lifecycle lock. */
    private ScheduledFuture<?> heartbeat;

    PosixLeaseThread(PosixSlotBackend backend) {
        this.backend = backend;
    }

    private static ScheduledExecutorService executor() {
        ScheduledExecutorService e = executor;
        if (e == null) {
            synchronized (PosixLeaseThread.class) {
                e = executor;
                if (e == null) {
                    ScheduledThreadPoolExecutor x = new ScheduledThreadPoolExecutor(1, r -> {
                        Thread t = new Thread(r, "flatdata-posix-lease");
                        t.setDaemon(true);
                        return t;
                    });
                    x.setRemoveOnCancelPolicy(true);
                    executor = e = x;
                }
            }
        }
        return e;
    }

    /** Starts the heartbeat, every {@code leaseMillis / 5} (at least 10 ms). Under the lifecycle lock. */
    void start(long leaseMillis) {
        long period = Math.max(10, leaseMillis / 5);
        heartbeat = executor().scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    /** Stops the heartbeat. Under the lifecycle lock. */
    void stop() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
    }

    /** Keeps reader {@code r}, whose registry entry has {@code epoch}, alive from now on. */
    void keepAlive(int r, int epoch) {
        localEpochs[r] = epoch;
        localReaders.getAndUpdate(m -> m | (1 << r));
    }

    /** Stops keeping reader {@code r} alive. */
    void forget(int r) {
        localReaders.getAndUpdate(m -> m & ~(1 << r));
    }

    /** Whether reader {@code r} was attached through the backend (and is kept alive here). */
    boolean keeps(int r) {
        return (localReaders.get() & (1 << r)) != 0;
    }

    /** Stops keeping every reader alive; returns the mask of those it kept. */
    int forgetAll() {
        return localReaders.getAndSet(0);
    }

    /** Lease thread: refreshes heartbeats of the backend's readers (and writer), checks the file size. */
    private void tick() {
        PosixSlotBackend b = backend;
        synchronized (b.lifecycle) {
            if (b.isClosed()) {
                return;
            }
            try {
                long size = b.channel.size();
                if (size < b.mappedSize) {
                    b.faulted("segment " + b.path() + " was truncated by another process to " + size
                            + " bytes; its layout needs " + b.mappedSize);
                    return;
                }
                SegmentSlotBackend ring = b.extended;
                if (ring == null) {
                    return;
                }
                long now = System.currentTimeMillis();
                if (b.isWriter()) {
                    putWriterHeartbeatRelease(b.segment, ring.ext, now);
                }
                // a process killed while it waited leaves its bit in the waiting mask
                b.recovery.sweepDeadWaiters(now);
                for (int bits = localReaders.get(); bits != 0; bits &= bits - 1) {
                    int r = Integer.numberOfTrailingZeros(bits);
                    long entry = ring.readerEntry(r);
                    if (ring.readerState(r) == READER_ATTACHED
                            && readerPidAcquire(b.segment, entry) == ProcessIdentity.CURRENT_PID
                            && readerEpochAcquire(b.segment, entry) == localEpochs[r]) {
                        putReaderHeartbeatRelease(b.segment, entry, now);
                    }
                }
            } catch (IOException | InternalError e) {
                b.faulted("segment " + b.path() + " cannot be accessed any more (" + e + ")");
            } catch (IllegalStateException e) {
                // closed concurrently: nothing to refresh
            }
        }
    }
}
