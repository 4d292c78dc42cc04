package io.zerodds.flatdata.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a process recorded in a segment (pid and start time) is still alive, as core decides it
 * for takeover: the pid exists, is not a zombie, and started when recorded (a reused pid is
 * another process).
 */
final class Processes {
    private Processes() {
    }

    static boolean isAlive(int pid, long startMillis) {
        if (pid <= 0) {
            return false;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        char state = state(pid);
        if (state == 'Z' || state == 'X') {
            return false;
        }
        if (startMillis == 0) {
            return true;
        }
        long actual = handle.get().info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
        return actual == 0 || Math.abs(actual - startMillis) <= 1_000;
    }

    /** The state letter from /proc/PID/stat, '?' when unknown. */
    static char state(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
        } catch (IOException | RuntimeException e) {
            return '?';
        }
    }

    /** The effective uid of this process, from /proc/self/status; -1 when unknown. */
    static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }
}
