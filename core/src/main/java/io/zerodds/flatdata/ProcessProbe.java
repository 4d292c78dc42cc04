package io.zerodds.flatdata;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Whether one known process is still alive, asked again and again without allocating: it reads
 * {@code /proc/<pid>/stat} into a native buffer of its own and compares the process's state and
 * its start time in clock ticks (field 22) with what it saw when it was {@linkplain #track bound}.
 * A reused pid has another start time, a zombie the state {@code Z}; both count as dead, as in
 * {@link ProcessIdentity#isAlive}. The first, full identity check (with the start time recorded
 * in the segment) stays {@code ProcessIdentity}'s; this only answers "is it still that one".
 *
 * <p>A writer asks it on its reserve path while a reader in another process holds a slot back, at
 * most every 50 ms per reader ({@link PosixCrashRecovery}); before, each such question allocated
 * the {@code ProcessHandle} lookup, the file's text and the process's command line. Not
 * thread-safe: one per reader watch, used by the writer thread.
 */
final class ProcessProbe {

    private static final int STAT_BYTES = 1024;
    /** {@code /proc/} + up to 10 digits + {@code /stat} + NUL. */
    private static final int PATH_BYTES = 32;

    private final MemorySegment path;
    private final MemorySegment stat;
    private int pid;
    private long startTicks = -1;

    ProcessProbe() {
        Arena arena = Arena.ofAuto();
        this.path = arena.allocate(PATH_BYTES);
        this.stat = arena.allocate(STAT_BYTES);
    }

    /**
     * Binds the probe to {@code pid} as it is now; false (and unbound) when its stat cannot be
     * read or the process is already dead.
     */
    boolean track(int pid) {
        this.pid = pid;
        this.startTicks = -1;
        if (pid <= 0) {
            return false;
        }
        writePath(pid);
        long ticks = readStartTicks();
        if (ticks < 0) {
            return false;
        }
        this.startTicks = ticks;
        return true;
    }

    /** Unbinds the probe: {@link #tracks} is false until the next {@link #track}. */
    void forget() {
        startTicks = -1;
    }

    /** Whether the probe is bound to {@code pid}. */
    boolean tracks(int pid) {
        return startTicks >= 0 && this.pid == pid;
    }

    /** Whether the process it was bound to is still alive: the same start time, not a zombie. */
    boolean stillAlive() {
        return startTicks >= 0 && readStartTicks() == startTicks;
    }

    private void writePath(int pid) {
        long at = 0;
        at = put(at, "/proc/");
        int digits = 1;
        for (int p = pid; p >= 10; p /= 10) {
            digits++;
        }
        for (int i = digits - 1, p = pid; i >= 0; i--, p /= 10) {
            path.set(JAVA_BYTE, at + i, (byte) ('0' + p % 10));
        }
        at += digits;
        at = put(at, "/stat");
        path.set(JAVA_BYTE, at, (byte) 0);
    }

    private long put(long at, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            path.set(JAVA_BYTE, at + i, (byte) ascii.charAt(i));
        }
        return at + ascii.length();
    }

    /**
     * The start time in clock ticks from the stat just read, or -1 when it cannot be read, the
     * process is dead (state {@code Z} or {@code X}) or the text is not what the kernel writes.
     */
    private long readStartTicks() {
        int n = PosixLibc.readStart(path, stat);
        if (n <= 0) {
            return -1;
        }
        // "pid (comm) S ppid ...": the command name may hold spaces and parentheses, so the fields
        // start after the last ')'
        int close = -1;
        for (int i = n - 1; i >= 0; i--) {
            if (stat.get(JAVA_BYTE, i) == ')') {
                close = i;
                break;
            }
        }
        if (close < 0 || close + 2 >= n) {
            return -1;
        }
        if (ProcessIdentity.isDeadState((char) stat.get(JAVA_BYTE, close + 2))) {
            return -1;
        }
        // field 3 (the state) is at close + 2; field 22 (starttime) is 19 fields further
        int at = close + 2;
        for (int field = 3; field < 22; field++) {
            while (at < n && stat.get(JAVA_BYTE, at) != ' ') {
                at++;
            }
            at++;
        }
        long ticks = 0;
        int digits = 0;
        while (at < n) {
            byte b = stat.get(JAVA_BYTE, at++);
            if (b < '0' || b > '9') {
                break;
            }
            ticks = ticks * 10 + (b - '0');
            digits++;
        }
        return digits == 0 ? -1 : ticks;
    }
}
