package io.zerodds.flatdata.reactor;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Teaches <a href="https://github.com/reactor/BlockHound">BlockHound</a> about flatdata: the
 * backends' {@code waitForChange} blocks (a futex wait in the POSIX backend is invisible to BlockHound
 * otherwise), so calling it from a non-blocking Reactor thread is reported. Service-loaded: with
 * this module on the class path, {@code BlockHound.install()} applies it.
 *
 * <p>The in-memory backend wakes its waiters inside a monitor held only for the instant of a
 * {@code notifyAll()}; a commit or a release on a Reactor thread may meet it, which is a short
 * critical section, not a blocking wait, and is allowed (inside the backends' change signal).
 *
 * <p>BlockHound names classes and methods by string: {@link #BLOCKING} and {@link #ALLOWED} are
 * the whole list, and a test fails when one of them no longer names a method that exists.
 */
public final class FlatBlockHoundIntegration implements BlockHoundIntegration {

    /** Class, method name and JVM descriptor of each blocking method. */
    static final String[][] BLOCKING = {
            {"io.zerodds.flatdata.InMemorySlotBackend", "waitForChange", "(JJ)Z"},
            {"io.zerodds.flatdata.PosixSlotBackend", "waitForChange", "(JJ)Z"},
    };

    /**
     * Class and method name of each method inside which a short blocking call is allowed: the
     * shared base's change signal and close, which wake waiters; and the reliable send's hand-over,
     * where an {@code onNext} spins (then yields) the few steps until the thread holding the
     * writing loop encoded its element.
     */
    static final String[][] ALLOWED = {
            {"io.zerodds.flatdata.SegmentSlotBackend", "signalChange"},
            {"io.zerodds.flatdata.SegmentSlotBackend", "markClosed"},
            {"io.zerodds.flatdata.reactor.MonoSend$ReliableSend", "awaitConsumed"},
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
