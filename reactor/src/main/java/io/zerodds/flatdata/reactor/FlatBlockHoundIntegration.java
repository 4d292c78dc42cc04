package io.zerodds.flatdata.reactor;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Teaches <a href="https://github.com/reactor/BlockHound">BlockHound</a> about flatdata: the
 * backends' {@code waitForChange} blocks (a futex wait in the POSIX backend and the iceoryx2
 * listener's wait in the iceoryx2 backend are native calls, invisible to BlockHound otherwise), so
 * calling it from a non-blocking Reactor thread is reported. Service-loaded: with
 * this module on the class path, {@code BlockHound.install()} applies it.
 *
 * <p>The in-memory backend wakes its waiters inside a monitor held only for the instant of a
 * {@code notifyAll()}; a commit or a release on a Reactor thread may meet it, which is a short
 * critical section, not a blocking wait, and is allowed (inside the backends' change signal).
 *
 * <p>The iceoryx2 backend's port lock spins, yields, then sleeps in short parks while another
 * thread holds it (a section of a few hundred nanoseconds per sample); a take on the reader's
 * thread and a release on a Reactor thread may meet it, which is a short critical section as the
 * in-memory monitor is, and allowed.
 *
 * <p>BlockHound names classes and methods by string: {@link #BLOCKING} and {@link #ALLOWED} are
 * the whole list, and a test fails when one of them no longer names a method that exists (this
 * module's test for the core classes, the iceoryx2 module's for its own: this module does not
 * depend on it, and a name of a class that is not loaded costs nothing).
 */
public final class FlatBlockHoundIntegration implements BlockHoundIntegration {

    /** The package of the iceoryx2 backend (module {@code flatdata-iceoryx2}). */
    static final String ICEORYX2_PACKAGE = "io.zerodds.flatdata.iceoryx2";

    /** Class, method name and JVM descriptor of each blocking method. */
    static final String[][] BLOCKING = {
            {"io.zerodds.flatdata.InMemorySlotBackend", "waitForChange", "(JJ)Z"},
            {"io.zerodds.flatdata.PosixSlotBackend", "waitForChange", "(JJ)Z"},
            {ICEORYX2_PACKAGE + ".Iceoryx2SlotBackend", "waitForChange", "(JJ)Z"},
            // where the iceoryx2 backend blocks in the listener: under waitForChange, and under
            // markEndOfStream when its end marker waits for a chunk readers hold
            {ICEORYX2_PACKAGE + ".EventWaiter", "collect", "(J)I"},
    };

    /**
     * Class and method name of each method inside which a short blocking call is allowed: the
     * shared base's change signal and close, which wake waiters; the reliable send's hand-over,
     * where an {@code onNext} spins (then yields) the few steps until the thread holding the
     * writing loop encoded its element; and the iceoryx2 port lock's contended path.
     */
    static final String[][] ALLOWED = {
            {"io.zerodds.flatdata.SegmentSlotBackend", "signalChange"},
            {"io.zerodds.flatdata.SegmentSlotBackend", "markClosed"},
            {"io.zerodds.flatdata.reactor.MonoSend$ReliableSend", "awaitConsumed"},
            {ICEORYX2_PACKAGE + ".PortLock", "contended"},
    };

    @Override
    public void applyTo(BlockHound.Builder builder) {
        for (String[] blocking : BLOCKING) {
            builder.markAsBlocking(blocking[0], blocking[1], blocking[2]);
        }
        // BlockHound applies either blocking marks or allowances to one class, never both: the
        // allowances go on the shared base, never on a class with a blocking mark
        for (String[] allowed : ALLOWED) {
            builder.allowBlockingCallsInside(allowed[0], allowed[1]);
        }
    }
}
