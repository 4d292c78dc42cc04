package io.zerodds.flatdata.iceoryx2;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The mutual exclusion of the calls on one native port (the writer's publisher, the reader's
 * subscriber): iceoryx2 ports are not safe for concurrent calls, and the Java state beside them
 * (loan states, the received-sample table) changes with them.
 *
 * <p>The hot paths take it once per sample on each side, and nearly always uncontended (one writer
 * thread, one reader thread per backend is the common case): so taking it is one compare-and-set
 * and leaving it one release store, about a third of an uncontended monitor's enter and exit. A
 * thread that finds it held spins briefly, then yields, then sleeps in short parks; nobody is
 * unparked, so leaving never costs more than the store. That suits sections of a few hundred
 * nanoseconds; the rare long ones (creating or closing a port, the end marker's wait for a chunk)
 * only make a contending thread sleep in parks of {@value #PARK_NANOS} ns.
 *
 * <p>Not reentrant, not fair, not interruptible (as a monitor is not). The compare-and-set that
 * takes it is a volatile read and write, the store that leaves it a release: what one holder
 * wrote is seen by the next.
 */
final class PortLock {

    private static final int SPINS = 128;
    private static final int YIELDS = 64;
    private static final long PARK_NANOS = 20_000;

    private static final VarHandle HELD;

    static {
        try {
            HELD = MethodHandles.lookup().findVarHandle(PortLock.class, "held", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through HELD
    private volatile int held;

    void lock() {
        if (!HELD.compareAndSet(this, 0, 1)) {
            contended();
        }
    }

    void unlock() {
        HELD.setRelease(this, 0);
    }

    private void contended() {
        int tries = 0;
        while (true) {
            if ((int) HELD.getVolatile(this) == 0 && HELD.compareAndSet(this, 0, 1)) {
                return;
            }
            if (tries < SPINS) {
                Thread.onSpinWait();
            } else if (tries < SPINS + YIELDS) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(this, PARK_NANOS);
            }
            tries++;
        }
    }
}
