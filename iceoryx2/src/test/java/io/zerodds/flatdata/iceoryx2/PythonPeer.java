package io.zerodds.flatdata.iceoryx2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A foreign iceoryx2 program in a child process: {@code src/test/python/flatdata_peer.py} on the
 * iceoryx2 Python wheel, in the virtual environment the build made. Its stdout lines are
 * collected as they come; stderr goes to the test log.
 */
final class PythonPeer implements AutoCloseable {

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    private PythonPeer(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().name("python-peer-out").start(() -> {
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

    /** Starts {@code flatdata_peer.py PREFIX mode args...} under this JVM's iceoryx2 prefix. */
    static PythonPeer start(String mode, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = mode;
        System.arraycopy(args, 0, all, 1, args.length);
        return run("flatdata_peer.py", all);
    }

    /** Starts the Python program {@code script} (in {@code src/test/python}) with {@code PREFIX args...}. */
    static PythonPeer run(String script, Object... args) {
        String python = System.getProperty("flatdata.iceoryx2.python");
        String peers = System.getProperty("flatdata.iceoryx2.peers");
        assertThat(python).as("system property flatdata.iceoryx2.python (set by the Maven build)").isNotNull();
        assertThat(Files.isExecutable(Path.of(python))).as("python at %s (made by scripts/iceoryx2-python.sh)", python)
                .isTrue();
        List<String> command = new ArrayList<>(List.of(python, Path.of(peers, script).toString(), Iox2Names.PREFIX));
        for (Object arg : args) {
            command.add(String.valueOf(arg));
        }
        try {
            return new PythonPeer(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next stdout line, waiting up to {@code timeout}; fails the test when none comes. */
    String nextLine(Duration timeout) throws InterruptedException {
        String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(line).as("a line from the Python peer within %s (alive=%s, seen %s)", timeout,
                process.isAlive(), seen).isNotNull();
        seen.add(line);
        return line;
    }

    /** Waits for the exit and returns its code; fails the test when it does not end in time. */
    int exitCode(Duration timeout) throws InterruptedException {
        boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(ended).as("Python peer ended within %s", timeout).isTrue();
        return process.exitValue();
    }

    /** Every stdout line so far and to the end of the process (call after it ended). */
    List<String> output() throws InterruptedException {
        Thread.sleep(50);
        lines.drainTo(seen);
        return List.copyOf(seen);
    }

    long pid() {
        return process.pid();
    }

    /** Sends SIGKILL and reaps the process (a zombie would keep its node alive for iceoryx2). */
    void kill() throws Exception {
        new ProcessBuilder("kill", "-KILL", Long.toString(process.pid())).start().waitFor();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Tells a peer that holds a service to let go (a line on its stdin). */
    void release() throws IOException {
        process.getOutputStream().write('\n');
        process.getOutputStream().flush();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            kill();
        }
    }
}
