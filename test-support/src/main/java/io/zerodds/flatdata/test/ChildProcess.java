package io.zerodds.flatdata.test;

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
 * A program of a test in a child process: a JVM running a given main class on this JVM's class
 * path ({@link #java}), or any command, such as a foreign peer ({@link #start}). Its stdout is
 * collected line by line as it comes; its stderr goes to a temporary file, shown when an
 * expectation fails; a line written to its stdin tells it to go on. {@link #kill()} sends SIGKILL
 * and waits until the process is reaped; {@link #close()} does that to a child still running.
 * {@link #javaUnreaped} starts a JVM whose parent never reaps it, as under a container init that
 * does not: killed, it stays a zombie.
 */
public final class ChildProcess implements AutoCloseable {

    /** The JVM options every child JVM gets: the FFM API reaches libc. */
    public static final List<String> JVM_FLAGS = List.of("--enable-native-access=ALL-UNNAMED");

    /** Marks the end of stdout in the queue (compared by identity, never a line). */
    private static final String EOF = new String("<eof>");

    private String name;
    private final Process process;
    /** The program's pid; differs from {@link #process}'s when a shell stands between them. */
    private final long pid;
    private final boolean unreaped;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final Path stderr;
    private final Writer stdin;
    private final Thread stdoutReader;

    private ChildProcess(String name, List<String> command) {
        this(name, command, false);
    }

    private ChildProcess(String name, List<String> command, boolean unreaped) {
        this.unreaped = unreaped;
        if (unreaped) {
            // the shell starts the program in the background and becomes a sleep that never waits
            // for it: once killed, the program stays a zombie (state Z) until the sleep ends
            // (close); fd 3 hands it the stdin a background job would otherwise get as /dev/null
            command = new ArrayList<>(command);
            command.addAll(0, List.of("/bin/sh", "-c",
                    "exec 3<&0; \"$@\" <&3 3<&- & echo \"PID $!\"; exec sleep 600 3<&-", "sh"));
        }
        try {
            stderr = Files.createTempFile("flatdata-child-", ".err");
            process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
        this.name = name + " (pid " + process.pid() + ")";
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        stdoutReader = Thread.ofPlatform().daemon().name("child-" + process.pid() + "-stdout").start(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child went away
            }
            lines.add(EOF);
        });
        if (unreaped) {
            pid = Long.parseLong(expect("PID ", Duration.ofSeconds(30)).substring(4));
            this.name = name + " (pid " + pid + ", never reaped)";
        } else {
            pid = process.pid();
        }
    }

    /** Starts {@code command}; {@code name} labels it in assertion messages. */
    public static ChildProcess start(String name, List<String> command) {
        return new ChildProcess(name, command);
    }

    /** A JVM running {@code main} with {@code args}, with this JVM's java binary and class path. */
    public static ChildProcess java(Class<?> main, String... args) {
        return java(List.of(), main.getName(), args);
    }

    /** As {@link #java(Class, String...)}, with {@code jvmOptions} after {@link #JVM_FLAGS}. */
    public static ChildProcess java(List<String> jvmOptions, Class<?> main, String... args) {
        return java(jvmOptions, main.getName(), args);
    }

    /** A JVM running the class named {@code mainClass} (on this JVM's class path) with {@code args}. */
    public static ChildProcess java(List<String> jvmOptions, String mainClass, String... args) {
        return new ChildProcess(label(mainClass, args), javaCommand(jvmOptions, mainClass, args));
    }

    /**
     * A JVM running the Java source file {@code source} (source-file mode) on this JVM's class path,
     * as a user runs a snippet: {@code java -cp ... Source.java args}.
     */
    public static ChildProcess javaSource(Path source, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-Xmx128m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                source.toString()));
        command.addAll(List.of(args));
        return new ChildProcess(label(source.getFileName().toString(), args), command);
    }

    /**
     * As {@link #java(List, Class, String...)}, but the JVM's parent never reaps it: after
     * {@link #kill()} it is a zombie, its pid still exists, everything it held is released.
     */
    public static ChildProcess javaUnreaped(List<String> jvmOptions, Class<?> main, String... args) {
        return new ChildProcess(label(main.getName(), args), javaCommand(jvmOptions, main.getName(), args), true);
    }

    private static String label(String mainClass, String... args) {
        String simpleName = mainClass.substring(mainClass.lastIndexOf('.') + 1);
        return args.length == 0 ? simpleName : simpleName + " " + args[0];
    }

    private static List<String> javaCommand(List<String> jvmOptions, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    public long pid() {
        return pid;
    }

    public Process process() {
        return process;
    }

    /** The next stdout line, waiting up to {@code timeout}; an {@link AssertionError} when none comes. */
    public String nextLine(Duration timeout) {
        String line = poll(timeout);
        if (line == null) {
            throw failure("no line within " + timeout);
        }
        if (line == EOF) {
            throw failure("ended before a line");
        }
        return line;
    }

    /** Waits for the next line starting with {@code prefix}; fails with the child's output otherwise. */
    public String expect(String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = poll(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (line == null) {
                throw failure("no line starting with '" + prefix + "' within " + timeout);
            }
            if (line == EOF) {
                throw failure("ended before '" + prefix + "'");
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** Every stdout line so far; once the child has exited, all of them. */
    public List<String> output() {
        try {
            if (process.isAlive()) {
                Thread.sleep(50);
            } else {
                stdoutReader.join(TimeUnit.SECONDS.toMillis(10));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        synchronized (seen) {
            List<String> drained = new ArrayList<>();
            lines.drainTo(drained);
            for (String line : drained) {
                if (line == EOF) {
                    lines.add(EOF);
                } else {
                    seen.add(line);
                }
            }
            return List.copyOf(seen);
        }
    }

    /** Writes {@code line} and a newline to the child's stdin. */
    public void send(String line) {
        try {
            stdin.write(line + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the exit and returns its code; an {@link AssertionError} when it does not exit in time. */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw failure("did not exit within " + timeout);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * SIGKILL, and wait until the kernel has reaped the process, or, for a
     * {@linkplain #javaUnreaped never reaped} one, until it is a zombie that holds nothing.
     */
    public void kill() {
        if (unreaped) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // the main thread turns Z first; the process has let go of its files once no other thread is left
            while (processState() != 'Z' || threads() > 1) {
                if (System.nanoTime() > deadline) {
                    throw failure("is not a zombie 30 s after SIGKILL: state " + processState() + ", threads "
                            + threads());
                }
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            }
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw failure("was not reaped within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends the signal {@code name} ({@code STOP}, {@code CONT}, {@code TERM}, ...) with kill(1). */
    public void signal(String name) {
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
    public char processState() {
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
    public long cpuTicks() {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "(comm) ": state is field 3; utime and stime are fields 14 and 15
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the child wrote to stderr so far. */
    public String stderrText() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "<" + e + ">";
        }
    }

    @Override
    public void close() {
        if (unreaped) {
            // ends the program, then the sleeping shell; init then reaps the zombie
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (process.isAlive()) {
            kill();
        }
        try {
            Files.deleteIfExists(stderr);
        } catch (IOException ignored) {
            // temporary file
        }
    }

    @Override
    public String toString() {
        return name;
    }

    private String poll(Duration timeout) {
        try {
            String line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (line == EOF) {
                lines.add(EOF); // every later call sees the end too
            } else if (line != null) {
                synchronized (seen) {
                    seen.add(line);
                }
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private AssertionError failure(String what) {
        List<String> lines;
        synchronized (seen) {
            lines = List.copyOf(seen);
        }
        return new AssertionError(name + ": " + what + " (alive=" + process.isAlive() + "); seen " + lines
                + "; stderr: " + stderrText());
    }
}
