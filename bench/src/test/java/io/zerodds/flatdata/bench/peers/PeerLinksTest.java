package io.zerodds.flatdata.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aeron.Publication;
import io.zerodds.flatdata.test.ShmNames;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.wire.DocumentContext;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Aeron, Agrona and Chronicle links, both ends in this JVM (the PONG loops on a second
 * thread): ping-pong, streaming and paced runs go through in order and complete, a corrupt
 * message fails the receive, and nothing is left in /dev/shm.
 */
@Timeout(120)
class PeerLinksTest {
    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("peers");

    private static final int MAX_SIZE = 1 << 20;
    private static final ExecutorService PONG = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pong");
        t.setDaemon(true);
        return t;
    });

    static Stream<Peer> peers() {
        return Stream.of(new AeronIpcPeer(), new AgronaRingPeer(), new ChronicleQueuePeer());
    }

    @AfterAll
    static void stopPong() {
        PONG.shutdownNow();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("peers")
    void pingPongStreamAndPacedRunsCompleteAndCleanUp(Peer peer) throws Exception {
        String tag = NAMES.next();
        try (Pair pair = Pair.open(peer, tag)) {
            long round = 1;
            round = pingPong(pair, peer, round, 2_000, 64, true);
            round = pingPong(pair, peer, round, 50, MAX_SIZE, true);
            round = pingPong(pair, peer, round, 50, MAX_SIZE, false);

            long first = round;
            Future<?> drain = PONG.submit(() -> pair.pong.drain(first, 10_000, 4096));
            long nanos = pair.ping.stream(first, 10_000, 4096);
            drain.get(30, TimeUnit.SECONDS);
            System.out.printf("%s: 10000 x 4 KiB streamed in %.1f ms%n", peer.name(), nanos / 1e6);

            Histogram oneWay = new Histogram(3);
            Future<?> receivePaced = PONG.submit(() -> pair.pong.receivePaced(1_000, 20_000, 64, oneWay));
            pair.ping.paced(1_000, 20_000, 64);
            receivePaced.get(30, TimeUnit.SECONDS);
            assertThat(oneWay.getTotalCount()).isGreaterThanOrEqualTo(1_000);
        }
        assertThat(ShmNames.existing(tag)).as("left in /dev/shm by " + peer.name()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("peers")
    void aCorruptPatternWordFailsTheReceiveNamingItsRound(Peer peer) throws Exception {
        String tag = NAMES.next();
        try (Pair pair = Pair.open(peer, tag)) {
            writeCorrupt(pair.ping, 7, 64);
            assertThatThrownBy(() -> pair.pong.receive(64, true))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("round 7")
                    .hasMessageContaining("corrupt");
        }
        assertThat(ShmNames.existing(tag)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("peers")
    void aMessageOfAnotherSizeFailsTheReceive(Peer peer) throws Exception {
        String tag = NAMES.next();
        try (Pair pair = Pair.open(peer, tag)) {
            pair.ping.send(3, 128, true);
            assertThatThrownBy(() -> pair.pong.receive(64, true))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("128 bytes, expected 64");
        }
        assertThat(ShmNames.existing(tag)).isEmpty();
    }

    /**
     * Streams 1 MiB messages for a little over three seconds (three cycles) and looks at the
     * queue directories between batches: the cycle files the tailer left are gone.
     */
    @Test
    void chronicleKeepsOnlyTheCyclesStillBeingRead() throws Exception {
        String tag = NAMES.next();
        Peer peer = new ChronicleQueuePeer();
        int mostFiles = 0;
        try (Pair pair = Pair.open(peer, tag)) {
            long first = 0;
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3_300);
            while (System.nanoTime() < until) {
                long from = first;
                Future<?> drain = PONG.submit(() -> pair.pong.drain(from, 100, MAX_SIZE));
                pair.ping.stream(from, 100, MAX_SIZE);
                drain.get(30, TimeUnit.SECONDS);
                first += 100;
                mostFiles = Math.max(mostFiles, cycleFiles(ChronicleQueuePeer.directory(tag, Side.PING)).size());
            }
            System.out.printf("Chronicle Queue: %d x 1 MiB streamed, at most %d cycle files on disk%n",
                    first, mostFiles);
            assertThat(first).as("messages streamed").isPositive();
        }
        // the cycle being written, the one just left while its release is on its way, and one
        // more should the second roll over while the first release is still queued
        assertThat(mostFiles).isBetween(1, 3);
        assertThat(ShmNames.existing(tag)).isEmpty();
    }

    /**
     * Warm round trips allocate nothing on either side: Aeron's claim (64 B) and offer (4 KiB,
     * beyond one frame) paths and the ring's; Chronicle's allocation is printed, not asserted.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("peers")
    void warmRoundTripsAllocateNothing(Peer peer) throws Exception {
        int rounds = 5_000;
        String tag = NAMES.next();
        try (Pair pair = Pair.open(peer, tag)) {
            for (int size : new int[] {64, 4096}) {
                Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(20), 2);
                long round = 1;
                for (int pass = 0; pass < 3; pass++) {
                    long[] pongAllocated = new long[1];
                    Future<?> pong = PONG.submit(() -> {
                        long before = allocatedByThisThread();
                        pair.pong.pong(rounds, size, true);
                        pongAllocated[0] = allocatedByThisThread() - before;
                    });
                    long before = allocatedByThisThread();
                    pair.ping.ping(round, rounds, size, true, histogram);
                    long pingAllocated = allocatedByThisThread() - before;
                    pong.get(30, TimeUnit.SECONDS);
                    round += rounds;
                    System.out.printf("%s: %d round trips of %d bytes, pass %d: ping allocated %d bytes, pong %d"
                            + " (RTT/2 p50 so far %.2f us)%n", peer.name(), rounds, size, pass, pingAllocated,
                            pongAllocated[0], histogram.getValueAtPercentile(50) / 1e3);
                    if (pass == 2 && !(peer instanceof ChronicleQueuePeer)) {
                        assertThat(pingAllocated).as("allocated by ping").isZero();
                        assertThat(pongAllocated[0]).as("allocated by pong").isZero();
                    }
                }
            }
        }
        assertThat(ShmNames.existing(tag)).isEmpty();
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long allocatedByThisThread() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    @Test
    void theTestJvmRunsWithTheFlagsOfJvmFlagsTxt() throws Exception {
        List<String> flags = Files.readAllLines(Path.of("jvm-flags.txt")).stream()
                .filter(l -> !l.isBlank())
                .toList();
        assertThat(flags).isNotEmpty();
        assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments()).containsAll(flags);
    }

    /** Both ends of one peer, opened and connected the way the two processes do it. */
    private record Pair(Link ping, Link pong) implements AutoCloseable {
        static Pair open(Peer peer, String tag) throws Exception {
            Link ping = peer.open(Side.PING, tag, MAX_SIZE);
            Link pong;
            try {
                pong = peer.open(Side.PONG, tag, MAX_SIZE);
            } catch (Exception | Error e) {
                ping.close();
                throw e;
            }
            Pair pair = new Pair(ping, pong);
            try {
                pong.connect();
                ping.connect();
            } catch (Exception | Error e) {
                pair.close();
                throw e;
            }
            return pair;
        }

        @Override
        public void close() throws Exception {
            // PONG first: the PING process hosts what PONG attaches to (Aeron's driver)
            try {
                pong.close();
            } finally {
                ping.close();
            }
        }
    }

    private static long pingPong(Pair pair, Peer peer, long first, int rounds, int size, boolean touch)
            throws Exception {
        Histogram histogram = new Histogram(3);
        Future<?> pong = PONG.submit(() -> pair.pong.pong(rounds, size, touch));
        pair.ping.ping(first, rounds, size, touch, histogram);
        pong.get(30, TimeUnit.SECONDS);
        assertThat(histogram.getTotalCount()).isEqualTo(rounds);
        System.out.printf("%s: %d round trips of %d bytes%s, RTT/2 p50 %.2f us, p99 %.2f us%n", peer.name(), rounds,
                size, touch ? "" : " (untouched)", histogram.getValueAtPercentile(50) / 1e3,
                histogram.getValueAtPercentile(99) / 1e3);
        return first + rounds;
    }

    /** Writes message {@code round} with one wrong pattern word through the system's own API. */
    private static void writeCorrupt(Link ping, long round, int size) {
        switch (ping) {
            case AeronIpcPeer.AeronLink aeron -> {
                UnsafeBuffer message = new UnsafeBuffer(new byte[size]);
                Payload.write(message, 0, round, size, true);
                message.putLong(16, Payload.pattern(round) + 1);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                long result;
                while ((result = aeron.publication().offer(message, 0, size)) < 0) {
                    assertThat(System.nanoTime()).as(Publication.errorString(result)).isLessThan(deadline);
                    Thread.onSpinWait();
                }
            }
            case AgronaRingPeer.RingLink ring -> {
                OneToOneRingBuffer out = ring.outgoing();
                int index = out.tryClaim(AgronaRingPeer.MESSAGE_TYPE, size);
                assertThat(index).isNotNegative();
                Payload.write(out.buffer(), index, round, size, true);
                out.buffer().putLong(index + 16, Payload.pattern(round) + 1);
                out.commit(index);
            }
            case ChronicleQueuePeer.QueueLink queue -> {
                try (DocumentContext dc = queue.appender().writingDocument()) {
                    Bytes<?> bytes = dc.wire().bytes();
                    bytes.writeLong(round);
                    for (int at = 8; at < size; at += 8) {
                        bytes.writeLong(at == 16 ? Payload.pattern(round) + 1 : Payload.pattern(round));
                    }
                }
            }
            default -> throw new IllegalArgumentException("no corrupt writer for " + ping.getClass());
        }
    }

    private static List<Path> cycleFiles(Path directory) throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".cq4")).toList();
        }
    }
}
