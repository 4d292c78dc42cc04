package io.zerodds.flatdata.iceoryx2;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Service names and the iceoryx2 file prefix of one test JVM: every run has its own prefix, so
 * runs never see each other's services, and every ring its own name.
 */
final class Iox2Names {

    /** The prefix of this JVM's iceoryx2 files (services, nodes): {@code fdt<pid>_}. */
    static final String PREFIX = "fdt" + ProcessHandle.current().pid() + "_";

    private static final AtomicInteger COUNTER = new AtomicInteger();

    static {
        // iceoryx2 keeps a management segment per prefix; this JVM's go when it ends
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (var files = java.nio.file.Files.list(java.nio.file.Path.of("/dev/shm"))) {
                files.filter(f -> f.getFileName().toString().startsWith(PREFIX)).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException ignored) {
                // nothing to clean
            }
        }));
    }

    private final String base;

    Iox2Names(String base) {
        this.base = base;
    }

    String next() {
        return "flatdata/test/" + base + "/" + COUNTER.incrementAndGet();
    }
}
