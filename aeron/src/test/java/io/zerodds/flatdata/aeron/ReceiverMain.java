package io.zerodds.flatdata.aeron;

import io.zerodds.flatdata.InMemorySlotBackend;

import java.time.Duration;

/**
 * A receiver in a child JVM (the restart test kills it, the namespace test runs it in another
 * network namespace): {@code ReceiverMain DATA CONTROL SLOT_CAPACITY SECONDS AERON_DIR}, its embedded
 * media driver in {@code AERON_DIR}, which the parent removes (a killed child cannot). Prints
 * {@code joined INSTANCE}, {@code progress LAST} about every 10,000 samples and at the end
 * {@code RESULT count=.. first=.. last=.. outOfOrder=.. skipped=.. gaps=.. missing=.. duplicates=..}.
 */
public final class ReceiverMain {
    private static final java.util.concurrent.atomic.AtomicInteger DIRS = new java.util.concurrent.atomic.AtomicInteger();

    /** A fresh directory name for a child's media driver, unique to this test JVM. */
    static String aeronDir() {
        return "/dev/shm/aeron-flatdata-test-" + ProcessHandle.current().pid() + "-" + DIRS.incrementAndGet();
    }

    /** Removes a child's media driver directory, whatever the child left in it. */
    static void removeDir(String dir) throws java.io.IOException {
        java.nio.file.Path root = java.nio.file.Path.of(dir);
        if (!java.nio.file.Files.exists(root)) {
            return;
        }
        try (var paths = java.nio.file.Files.walk(root)) {
            for (java.nio.file.Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(p);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        String data = args[0];
        String control = args[1];
        int capacity = Integer.parseInt(args[2]);
        Duration limit = Duration.ofSeconds(Long.parseLong(args[3]));
        String aeronDir = args[4];
        try (var ring = InMemorySlotBackend.create(64, capacity);
             var receiver = RingReceiver.builder(ring).dataChannel(data).controlChannel(control)
                     .driver(context -> context.aeronDirectoryName(aeronDir)).start();
             var checker = new RingChecker(ring)) {
            receiver.awaitBridge(Duration.ofSeconds(30));
            System.out.println("joined " + Long.toHexString(receiver.instance()));
            long deadline = System.nanoTime() + limit.toNanos();
            long reported = 0;
            while (!receiver.isEndOfStream() && System.nanoTime() < deadline) {
                if (checker.count() - reported >= 10_000 || (reported == 0 && checker.count() > 0)) {
                    reported = checker.count();
                    System.out.println("progress " + checker.last());
                }
                Thread.sleep(2);
            }
            checker.awaitEnd(Duration.ofSeconds(30));
            System.out.println("RESULT " + checker + " gaps=" + receiver.gapCount() + " missing="
                    + receiver.missingCount() + " duplicates=" + receiver.duplicateCount());
        }
    }
}
