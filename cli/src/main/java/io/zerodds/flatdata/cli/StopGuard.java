package io.zerodds.flatdata.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C for a command that must finish cleanly: a shutdown hook that asks the command to stop
 * ({@link #stopped()}) and holds the JVM until the command has closed what it holds (its
 * segment, its summary), at most a few seconds. Closing the guard removes the hook.
 */
final class StopGuard implements AutoCloseable {
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean stopped;

    StopGuard(String name) {
        hook = new Thread(() -> {
            stopped = true;
            try {
                finished.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // shutting down anyway
            }
        }, name + "-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    boolean stopped() {
        return stopped;
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs and has just been released
        }
    }
}
