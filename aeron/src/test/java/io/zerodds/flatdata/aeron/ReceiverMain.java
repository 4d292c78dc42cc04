package io.zerodds.flatdata.aeron;

import io.zerodds.flatdata.InMemorySlotBackend;

import java.time.Duration;

/**
 * A receiver in a child JVM (the restart test kills it, the namespace test runs it in another
 * network namespace): {@code ReceiverMain DATA CONTROL SLOT_CAPACITY SECONDS}. Prints
 * {@code joined INSTANCE}, {@code progress LAST} about every 10,000 samples and at the end
 * {@code RESULT count=.. first=.. last=.. outOfOrder=.. skipped=.. gaps=.. missing=.. duplicates=..}.
 */
public final class ReceiverMain {
    public static void main(String[] args) throws Exception {
        String data = args[0];
        String control = args[1];
        int capacity = Integer.parseInt(args[2]);
        Duration limit = Duration.ofSeconds(Long.parseLong(args[3]));
        try (var ring = InMemorySlotBackend.create(64, capacity);
             var receiver = RingReceiver.builder(ring).dataChannel(data).controlChannel(control).start();
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
