package io.zerodds.flatdata.iceoryx2;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The change generation of one backend and the event-driven wait on it.
 *
 * <p>Local changes (this process's commits, frees, wake-ups) advance the generation at once and
 * are also sent as iceoryx2 events, so that other processes learn of them. Events from other
 * processes reach this process's listener; whichever thread consumes them advances the
 * generation. An iceoryx2 listener admits one waiting thread, so of the threads in
 * {@link #await(long, long)} one (the leader) blocks in the listener and the others on this
 * object's monitor until the leader reports a change or leaves.
 *
 * <p>No change is missed: a waiter captured the generation before it checked its condition; an
 * event sent after that check is pending in the listener until someone collects it, and the
 * collector advances the generation. The leader's wait is cut into slices of
 * {@code cleanupInterval}; after a slice without events it removes dead nodes' resources (their
 * chunks return to the writer, their ports leave the service), which is how a dead peer is
 * noticed in bounded time without any polling of the ring.
 */
final class EventWaiter {

    /** Event ids on the ring's event service. */
    static final long EVENT_SENT = 0;
    static final long EVENT_RELEASED = 1;
    static final long EVENT_WAKE = 2;
    /** A new writer asks the readers to connect to it before it sends. */
    static final long EVENT_HELLO = 3;
    /** A reader connected to the writers there are now (the answer to a hello). */
    static final long EVENT_CONNECTED = 4;

    private static final VarHandle FOREIGN;

    static {
        try {
            FOREIGN = MethodHandles.lookup().findVarHandle(EventWaiter.class, "foreign", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final NativeRing ring;
    private static final int EVENT_IDS = 8;
    /** Longs between two ids' counters in {@link #emitted}: one cache line each. */
    private static final int STRIDE = 8;

    private final MemorySegment counts;
    /**
     * Notifications this process sent, per id (at {@code id * STRIDE}), each counted before it was
     * sent. Sent and released have a single writer each (the thread holding the writer's lock, the
     * thread holding the reader's), which counts with a release store; the rare ids count
     * atomically.
     */
    private final AtomicLongArray emitted = new AtomicLongArray(EVENT_IDS * STRIDE);
    /** How many of this process's own notifications its listener collected, per id; the leader's. */
    private final long[] collected = new long[EVENT_IDS];
    private final long cleanupIntervalNanos;
    /** Changes learnt from other processes' events (and from dead nodes' cleanup). */
    @SuppressWarnings("unused") // through FOREIGN
    private volatile long foreign;
    private boolean leader;
    private boolean closed;
    private long lastCleanup = System.nanoTime();
    private long blockingWaits;

    /** Called (by whichever thread collected it) when another process's writer said hello. */
    private volatile Runnable onHello = () -> { };

    void onHello(Runnable action) {
        this.onHello = action;
    }

    EventWaiter(NativeRing ring, Arena arena, long cleanupIntervalNanos) {
        this.ring = ring;
        this.counts = NativeRing.callBuffer(arena, java.lang.foreign.MemoryLayout.sequenceLayout(EVENT_IDS, JAVA_LONG));
        this.cleanupIntervalNanos = cleanupIntervalNanos;
    }

    /**
     * The change generation: the changes learnt from others plus every notification this process
     * counted. Each term only grows and each is read once, so a later read never returns less,
     * and any change since an earlier read makes it differ.
     */
    long generation() {
        long sum = (long) FOREIGN.getVolatile(this);
        for (int id = 0; id < EVENT_IDS; id++) {
            sum += emitted.get(id * STRIDE);
        }
        return sum;
    }

    /** Advances the generation and tells every process's listeners (this one's too) with event {@code id}. */
    void advanceAndNotify(long id) {
        emitted.getAndIncrement((int) id * STRIDE);
        ring.notify(id);
    }

    /** How often a thread blocked in the listener. */
    synchronized long blockingWaits() {
        return blockingWaits;
    }

    /**
     * Advances the generation for a sample the caller is about to send with {@link #EVENT_SENT} in
     * the same native call: counted as this process's own, so that its echo in this process's
     * listener is not taken for another process's change. The caller holds the writer's lock.
     */
    void noteSent() {
        countSerialised((int) EVENT_SENT);
    }

    /** {@link #noteSent()} for a release notified with {@link #EVENT_RELEASED}; the caller holds the reader's lock. */
    void noteReleased() {
        countSerialised((int) EVENT_RELEASED);
    }

    private void countSerialised(int id) {
        int at = id * STRIDE;
        emitted.setRelease(at, emitted.getPlain(at) + 1);
    }

    /** Blocks until the generation differs from {@code last}, the timeout elapses or {@link #close()}. */
    boolean await(long last, long timeoutNanos) {
        if (generation() != last) {
            return true;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            long remaining;
            synchronized (this) {
                while (true) {
                    if (generation() != last) {
                        return true;
                    }
                    if (closed) {
                        return false;
                    }
                    remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        return false;
                    }
                    if (!leader) {
                        leader = true;
                        blockingWaits++;
                        break;
                    }
                    if (!waitOnMonitor(remaining)) {
                        return generation() != last; // interrupted: the flag stays set for the caller
                    }
                }
            }
            // the leader blocks in the listener outside the monitor
            int code = NativeAbi.NONE;
            try {
                code = collect(Math.min(remaining, cleanupIntervalNanos));
                long now = System.nanoTime();
                if (code == NativeAbi.NONE && now - lastCleanup >= cleanupIntervalNanos) {
                    lastCleanup = now;
                    if (ring.cleanupDeadNodes() > 0) {
                        code = NativeAbi.OK; // chunks and ports of the dead came back: a change
                    }
                }
            } finally {
                leave(code);
            }
        }
    }

    /**
     * Waits in the listener and tells a change from the echo of this process's own
     * notifications, whose changes advanced the generation already: OK only for others' events.
     */
    private int collect(long timeoutNanos) {
        counts.fill((byte) 0);
        if (ring.waitEvents(timeoutNanos, counts) != NativeAbi.OK) {
            return NativeAbi.NONE;
        }
        long others = 0;
        for (int id = 0; id < EVENT_IDS; id++) {
            long seen = counts.getAtIndex(JAVA_LONG, id);
            long own = Math.min(seen, emitted.get(id * STRIDE) - collected[id]);
            collected[id] += own;
            others += seen - own;
            if (id == EVENT_HELLO && seen > own) {
                onHello.run();
            }
        }
        return others > 0 ? NativeAbi.OK : NativeAbi.NONE;
    }

    private synchronized void leave(int code) {
        leader = false;
        if (code == NativeAbi.OK) {
            FOREIGN.getAndAdd(this, 1L);
        }
        notifyAll();
    }

    private boolean waitOnMonitor(long nanos) {
        try {
            wait(Math.max(1, nanos / 1_000_000));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Wakes every waiter for good and returns once no thread is inside the native wait. */
    void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        ring.notify(EVENT_WAKE); // a leader blocked in the listener returns at once
        boolean interrupted = false;
        synchronized (this) {
            while (leader) {
                try {
                    wait(10);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
