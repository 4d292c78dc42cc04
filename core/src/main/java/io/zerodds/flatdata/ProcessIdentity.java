package io.zerodds.flatdata;

import java.util.Optional;

/**
 * Who owns a claim: a pid plus the process start time, so that a reused pid is not mistaken for
 * the original owner.
 */
final class ProcessIdentity {
    private ProcessIdentity() {
    }

    static final int CURRENT_PID = (int) ProcessHandle.current().pid();
    static final long CURRENT_START_MILLIS = startMillis(ProcessHandle.current());

    private static long startMillis(ProcessHandle handle) {
        return handle.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
    }

    /**
     * True when {@code pid} and {@code startMillis} are this process's own: an entry with our pid
     * but another start time was left by a dead process whose pid we were given.
     */
    static boolean isCurrent(int pid, long startMillis) {
        return pid == CURRENT_PID && startMillis == CURRENT_START_MILLIS;
    }

    /**
     * True when a process with this pid exists and, if a start time was recorded, started at that
     * time (within the kernel's clock-tick granularity).
     */
    static boolean isAlive(int pid, long startMillis) {
        if (pid <= 0) {
            return false;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        if (startMillis == 0) {
            return true;
        }
        long actual = startMillis(handle.get());
        return actual == 0 || Math.abs(actual - startMillis) <= 1_000;
    }
}
