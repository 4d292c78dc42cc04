package io.zerodds.flatdata.reactor;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Teaches <a href="https://github.com/reactor/BlockHound">BlockHound</a> about flatdata: the
 * backends' {@code waitForChange} blocks (a futex wait in the POSIX backend is invisible to BlockHound
 * otherwise), so calling it from a non-blocking Reactor thread is reported. Service-loaded: with
 * this module on the class path, {@code BlockHound.install()} applies it.
 *
 * <p>The in-memory backend's wake-up takes a lock only for the instant of a
 * {@code Condition.signalAll()}; a commit or a release on a Reactor thread may meet it, which is a
 * short critical section, not a blocking wait, and is allowed (inside the backends' change signal).
 */
public final class FlatBlockHoundIntegration implements BlockHoundIntegration {

    static final String[] BACKENDS = {
            "io.zerodds.flatdata.InMemorySlotBackend",
            "io.zerodds.flatdata.PosixSlotBackend",
    };

    @Override
    public void applyTo(BlockHound.Builder builder) {
        for (String backend : BACKENDS) {
            builder.markAsBlocking(backend, "waitForChange", "(JJ)Z");
        }
        // BlockHound applies either blocking marks or allowances to one class, never both: the
        // allowance goes on the shared base, whose signalChange/markClosed call wakeWaiters
        builder.allowBlockingCallsInside("io.zerodds.flatdata.SegmentSlotBackend", "signalChange");
        builder.allowBlockingCallsInside("io.zerodds.flatdata.SegmentSlotBackend", "markClosed");
    }
}
