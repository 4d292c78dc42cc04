package io.zerodds.flatdata;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running {@link PosixChild} with this JVM's java binary and class path. Its stdout is
 * collected line by line; stderr goes to a temporary file shown when an expectation fails.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final Path stderr;
    private final Writer stdin;
    /** The java child's pid; differs from {@link #process} when a shell stands between them. */
    private final long pid;
    private final boolean unreaped;

    private ChildJvm(List<String> jvmOptions, String... args) {
        this(false, jvmOptions, args);
    }

    private ChildJvm(boolean unreaped, List<String> jvmOptions, String... args) {
        this.unreaped = unreaped;
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx128m",
                "-XX:+UseSerialGC"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PosixChild.class.getName()));
        command.addAll(List.of(args));
        command.removeIf(String::isEmpty);
        if (unreaped) {
            // the shell starts java in the background and becomes a sleep that never waits for it:
            // once killed, java stays a zombie (state Z) until the sleep ends (close); fd 3 hands java
            // the stdin that a background job would otherwise get as /dev/null
            command.addAll(0, List.of("/bin/sh", "-c", "exec 3<&0; \"$@\" <&3 3<&- & echo \"PID $!\"; exec sleep 600 3<&-", "sh"));
        }
        try {
            stderr = Files.createTempFile("flatdata-child-", ".err");
            process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name("child-" + process.pid() + "-stdout").start(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child went away
            }
            lines.add("<eof>");
        });
        pid = unreaped ? Long.parseLong(expect("PID ", Duration.ofSeconds(30)).substring(4)) : process.pid();
    }

    static ChildJvm start(String... args) {
        return new ChildJvm(List.of(), args);
    }

    /**
     * A child whose parent never reaps it, as under a container init that does not: after
     * {@link #kill()} it is a zombie, its pid still exists, everything it held is released.
     */
    static ChildJvm startUnreaped(String... args) {
        return new ChildJvm(true, List.of(), args);
    }

    static ChildJvm startWith(List<String> jvmOptions, String... args) {
        return new ChildJvm(jvmOptions, args);
    }

    long pid() {
        return pid;
    }

    Process process() {
        return process;
    }

    /** Waits for the next line starting with {@code prefix}; fails with the child's output otherwise. */
    String expect(String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("child " + pid() + ": no line starting with '" + prefix + "' within "
                            + timeout + "; seen " + seen + "; stderr: " + stderrText());
                }
                seen.add(line);
                if (line.startsWith(prefix)) {
                    return line;
                }
                if (line.equals("<eof>")) {
                    throw new AssertionError("child " + pid() + " ended before '" + prefix + "'; seen " + seen
                            + "; stderr: " + stderrText());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    void send(String line) {
        try {
            stdin.write(line + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the exit and returns its code; fails when it does not exit in time. */
    int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("child " + pid() + " did not exit within " + timeout + "; seen " + seen
                        + "; stderr: " + stderrText());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * SIGKILL, and wait until the kernel has reaped the process, or, for an
     * {@linkplain #startUnreaped unreaped} child, until it is a zombie.
     */
    void kill() {
        if (unreaped) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // the main thread turns Z first; the process has let go of its files once no other thread is left
            while (processState() != 'Z' || threads() > 1) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("child " + pid + " is not a zombie 30 s after SIGKILL: state "
                            + processState() + ", threads " + threads());
                }
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            }
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void signal(String name) {
        try {
            Process p = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new AssertionError("kill -" + name + " " + pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The state letter from /proc/PID/stat ({@code R}, {@code S}, {@code Z}, ...), '?' when gone. */
    char processState() {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException e) {
            return '?';
        }
    }

    private long threads() {
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return tasks.count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** utime + stime of the child in clock ticks (USER_HZ, 100 on Linux), from /proc/PID/stat. */
    long cpuTicks() {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "(comm) ": state is field 3; utime and stime are fields 14 and 15
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String stderrText() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "<" + e + ">";
        }
    }

    @Override
    public void close() {
        if (unreaped) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (process.isAlive()) {
            // for an unreaped child this ends the sleeping shell; init then reaps the zombie
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(stderr);
        } catch (IOException ignored) {
            // temporary file
        }
    }
}
