package io.zerodds.flatdata.aeron;

import java.util.function.IntSupplier;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * The duty cycle of one bridge end ({@link RingBridge} or {@link RingReceiver}) on a thread of its
 * own: an Agrona agent whose work is the end's {@code doWork}, idling with a backoff that spins,
 * yields, then parks up to 200 µs, so an idle end costs little and a busy one never sleeps.
 */
final class BridgeThread implements Agent {
    private final String roleName;
    private final IntSupplier work;

    private BridgeThread(String roleName, IntSupplier work) {
        this.roleName = roleName;
        this.work = work;
    }

    /** A runner, not yet started, of {@code work} named {@code roleName}; errors go to {@code onError}. */
    static AgentRunner runner(String roleName, IntSupplier work, ErrorHandler onError) {
        return new AgentRunner(new BackoffIdleStrategy(100, 10, 1_000, 200_000), onError, null,
                new BridgeThread(roleName, work));
    }

    @Override
    public int doWork() {
        return work.getAsInt();
    }

    @Override
    public String roleName() {
        return roleName;
    }
}
