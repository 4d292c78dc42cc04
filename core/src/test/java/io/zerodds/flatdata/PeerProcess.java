package io.zerodds.flatdata;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A foreign peer program in a child process (the iceoryx2 Python peer, the Rust reference peer):
 * its stdout lines are collected as they come, stderr goes to the test log, a line on its stdin
 * tells it to go on, and {@link #kill()} sends SIGKILL and reaps it (a zombie keeps its pid, so
 * peers would never see it dead).
 */
public final class PeerProcess implements AutoCloseable {

    private final Process process;
    private final String name;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    private PeerProcess(Process process, String name) {
        this.process = process;
        this.name = name;
        Thread.ofPlatform().daemon().name(name + "-out").start(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
    }

    /** Starts {@code command}; {@code name} labels it in assertion messages. */
    public static PeerProcess start(String name, List<String> command) {
        try {
            return new PeerProcess(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start(),
                    name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    /** The next stdout line, waiting up to {@code timeout}; an {@link AssertionError} when none comes. */
    public String nextLine(Duration timeout) throws InterruptedException {
        String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new AssertionError("no line from " + name + " within " + timeout + " (alive=" + process.isAlive()
                    + ", seen " + seen + ")");
        }
        seen.add(line);
        return line;
    }

    /** Waits for the exit and returns its code; an {@link AssertionError} when it does not end in time. */
    public int exitCode(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not end within " + timeout + " (seen " + seen + ")");
        }
        return process.exitValue();
    }

    /** Every stdout line so far (after the exit: all of them). */
    public List<String> output() throws InterruptedException {
        Thread.sleep(50);
        lines.drainTo(seen);
        return List.copyOf(seen);
    }

    public long pid() {
        return process.pid();
    }

    /** Writes a line to the peer's stdin: the peer's "go on". */
    public void release() throws IOException {
        process.getOutputStream().write('\n');
        process.getOutputStream().flush();
    }

    /** Sends SIGKILL and reaps the process. */
    public void kill() throws Exception {
        new ProcessBuilder("kill", "-KILL", Long.toString(process.pid())).start().waitFor();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            kill();
        }
    }
}
