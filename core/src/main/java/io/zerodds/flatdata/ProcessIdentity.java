package io.zerodds.flatdata;

import java.util.Optional;

/**
 * Who owns a claim in a segment (its writer, a reader, a waiter): a pid plus the process start
 * time, so that a reused pid is not mistaken for the original owner. Public for tools that look
 * into a segment ({@code ./flatdata inspect}, {@code list}, {@code clean}) and must judge its owners
 * the way the backends do.
 */
public final class ProcessIdentity {
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
     * The state letter of {@code pid} from {@code /proc/<pid>/stat} ({@code R}, {@code S},
     * {@code Z}, ...), or {@code '?'} when it cannot be read (no such process, no procfs).
     */
    public static char state(int pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Integer.toString(pid), "stat"));
            int close = stat.lastIndexOf(')'); // the command name may contain spaces and parentheses
            return close > 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
        } catch (java.io.IOException | RuntimeException e) {
            return '?';
        }
    }

    /**
     * A zombie ({@code Z}: exited, not yet reaped by its parent) or a dying task ({@code X}) has
     * released every file, lock and mapping: it will never write again, although its pid exists.
     */
    static boolean isDeadState(char state) {
        return state == 'Z' || state == 'X';
    }

    /**
     * True when a process with this pid exists, is not a zombie and, if a start time was recorded, started at that
     * time (within the kernel's clock-tick granularity).
     */
    public static boolean isAlive(int pid, long startMillis) {
        if (pid <= 0) {
            return false;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive() || isDeadState(state(pid))) {
            return false;
        }
        if (startMillis == 0) {
            return true;
        }
        long actual = startMillis(handle.get());
        return actual == 0 || Math.abs(actual - startMillis) <= 1_000;
    }
}
