package io.zerodds.flatdata.interop;

import io.zerodds.flatdata.test.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Rust reference peer ({@code interop/rust-ref}, on the real {@code zerodds-flatdata} crate)
 * in a child process, and the flink file paths the tests give it.
 */
final class RustRef {

    private static final AtomicInteger FLINKS = new AtomicInteger();
    private static final List<Path> GIVEN = java.util.Collections.synchronizedList(new ArrayList<>());

    private RustRef() {
    }

    /** Starts {@code flatdata-rust-ref args...}. */
    static ChildProcess start(Object... args) {
        String binary = System.getProperty("flatdata.rust-ref");
        if (binary == null || !Files.isExecutable(Path.of(binary))) {
            throw new AssertionError("the Rust reference peer is not built at " + binary
                    + " (the Maven build of the interop module builds it with cargo)");
        }
        List<String> command = new ArrayList<>(List.of(binary));
        for (Object arg : args) {
            command.add(String.valueOf(arg));
        }
        return ChildProcess.start("rust-ref " + args[0], command);
    }

    /** A fresh flink file path (not created): the Rust owner creates it with create_new. */
    static Path flink() {
        Path flink = Path.of(System.getProperty("java.io.tmpdir"),
                "flatdata-interop-" + ProcessHandle.current().pid() + "-" + FLINKS.incrementAndGet() + ".flink");
        GIVEN.add(flink);
        return flink;
    }

    /**
     * Removes what a Rust owner killed by a failed test left behind (a SIGKILLed owner cannot
     * unlink): every flink file handed out and the segment it names. A no-op after a clean run.
     */
    static void removeLeftovers() throws java.io.IOException {
        synchronized (GIVEN) {
            for (Path flink : GIVEN) {
                if (Files.exists(flink)) {
                    String object = Files.readString(flink).replaceFirst("^/", "");
                    if (!object.isEmpty() && !object.contains("/")) {
                        Files.deleteIfExists(Path.of("/dev/shm", object));
                    }
                    Files.deleteIfExists(flink);
                }
            }
            GIVEN.clear();
        }
    }

    /** The value of {@code key=} in a summary line such as {@code READ taken=10 missing=0 ...}. */
    static long field(String line, String key) {
        for (String part : line.split(" ")) {
            if (part.startsWith(key + "=")) {
                return Long.parseLong(part.substring(key.length() + 1));
            }
        }
        throw new AssertionError("no " + key + "= in " + line);
    }
}
