package io.zerodds.flatdata.bench.peers;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.Jvm;
import net.openhft.chronicle.core.onoes.ExceptionHandler;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import net.openhft.chronicle.threads.Pauser;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;

/**
 * Chronicle Queue: one queue (a directory of memory-mapped cycle files under /dev/shm) per
 * direction, created and finally removed by the side that appends to it; the other side tails it.
 * A message is one document whose bytes are the {@link Payload} longs, written into and read from
 * the mapped cycle file in place.
 *
 * <p>A queue keeps what was written; a run at 1 MiB writes gigabytes. The queues therefore roll
 * every second ({@link #ROLL_CYCLE}, Chronicle's shortest cycle, named a test cycle; the shortest
 * of the others is five minutes), and the tailing side deletes a cycle file as soon as its tailer
 * has moved past it (Chronicle reports that as the file's release). /dev/shm then holds about
 * two seconds of traffic per direction. A roll costs the first message of each second a new file;
 * after an idle gap the tailer may take a directory scan to find the new cycle.
 *
 * <p>Needs the JVM flags of {@code bench/jvm-flags.txt}: Chronicle maps files through JDK
 * internals (sun.nio.ch, jdk.internal.ref, reflection on java.lang.reflect).
 */
final class ChronicleQueuePeer implements Peer {

    /** One cycle file per second. */
    static final RollCycle ROLL_CYCLE = TestRollCycles.TEST_SECONDLY;

    static {
        // Chronicle reports through SLF4J, which the benchmark does not bind: its warnings and
        // errors go to stderr instead of nowhere
        ExceptionHandler toStderr = new ToStderr();
        Jvm.setExceptionHandlers(toStderr, toStderr, null);
    }

    /** Prints a Chronicle warning or error with the class or logger that raised it. */
    private static final class ToStderr implements ExceptionHandler {
        @Override
        public void on(Class<?> type, String message, Throwable thrown) {
            print(type == null ? "?" : type.getSimpleName(), message, thrown);
        }

        @Override
        public void on(Logger logger, String message, Throwable thrown) {
            print(logger == null ? "?" : logger.getName(), message, thrown);
        }

        private static void print(String source, String message, Throwable thrown) {
            System.err.println("Chronicle " + source + ": " + message);
            if (thrown != null) {
                thrown.printStackTrace();
            }
        }
    }

    @Override
    public String name() {
        return "Chronicle Queue";
    }

    @Override
    public Link open(Side side, String tag, int maxSize) throws IOException {
        return new QueueLink(side, tag, maxSize);
    }

    /**
     * A tailer on an empty queue, polled the way Chronicle's own event loops wait by default:
     * {@link Pauser#balanced()} (busy, then yielding, then sleeping up to 20 ms).
     */
    @Override
    public AutoCloseable idleSubscriber(String tag, java.util.concurrent.ThreadFactory threads) {
        Path dir = directory(tag, Side.PING);
        ChronicleQueue queue = SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(ROLL_CYCLE).build();
        ExcerptTailer tailer = queue.createTailer();
        Thread t = threads.newThread(() -> {
            Pauser pauser = Pauser.balanced();
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    try (DocumentContext dc = tailer.readingDocument()) {
                        if (dc.isPresent()) {
                            pauser.reset();
                            continue;
                        }
                    }
                    pauser.pause();
                }
            } catch (RuntimeException e) {
                if (!Thread.currentThread().isInterrupted()) {
                    throw e; // Chronicle may report the interrupt that stops us as an exception
                }
            }
        });
        t.start();
        return () -> {
            t.interrupt();
            t.join();
            tailer.close();
            queue.close();
            QueueLink.deleteTree(dir);
        };
    }

    /** The queue directory {@code side} appends to in run {@code tag}. */
    static Path directory(String tag, Side side) {
        if (tag.isEmpty() || tag.contains("/")) {
            throw new IllegalArgumentException("tag=\"" + tag + "\": a run's tag is a non-empty file name");
        }
        return Path.of("/dev/shm", tag + "-chronicle-" + side.tag());
    }

    /** One process's end: the queue it appends to and, once connected, the one it tails. */
    static final class QueueLink implements Link {
        private final Side side;
        private final String tag;
        private final Path outgoingDirectory;
        private final ChronicleQueue outgoing;
        private final ExcerptAppender appender;
        private final Patience patience;
        private final String awaitingMessage;
        private ChronicleQueue incoming;
        private ExcerptTailer tailer;

        QueueLink(Side side, String tag, int maxSize) throws IOException {
            this.side = side;
            this.tag = tag;
            this.outgoingDirectory = directory(tag, side);
            Payload.checkSize(maxSize);
            this.patience = new Patience("Chronicle Queue (" + side.tag() + ")");
            this.awaitingMessage = "message in " + directory(tag, side.other());
            // a fresh queue: a directory left by an earlier run would replay that run's messages
            Files.createDirectory(outgoingDirectory);
            try {
                this.outgoing = SingleChronicleQueueBuilder.single(outgoingDirectory.toFile())
                        .rollCycle(ROLL_CYCLE)
                        .build();
            } catch (RuntimeException e) {
                deleteTree(outgoingDirectory);
                throw e;
            }
            try {
                this.appender = outgoing.createAppender();
            } catch (RuntimeException e) {
                // Chronicle falls back to a read-only queue when it cannot map its files: a JVM
                // without the flags of bench/jvm-flags.txt
                closeQuietly(outgoing);
                deleteTree(outgoingDirectory);
                throw new IllegalStateException("cannot append to the Chronicle queue " + outgoingDirectory
                        + " (does the JVM carry the flags of bench/jvm-flags.txt?)", e);
            }
        }

        @Override
        public void connect() {
            Path directory = directory(tag, side.other());
            if (!Files.isDirectory(directory)) {
                throw new IllegalStateException("no Chronicle queue at " + directory + ": the other side has not opened");
            }
            incoming = SingleChronicleQueueBuilder.single(directory.toFile())
                    .rollCycle(ROLL_CYCLE)
                    .storeFileListener(QueueLink::released)
                    .build();
            tailer = incoming.createTailer();
        }

        /** The tailer has moved past {@code cycle} (or is closing): nothing will read its file again. */
        private static void released(int cycle, File file) {
            try {
                Files.deleteIfExists(file.toPath());
            } catch (IOException e) {
                System.err.println("Chronicle Queue: could not delete the read cycle file " + file + ": " + e);
            }
        }

        @Override
        public void send(long round, int size, boolean touch) {
            try (DocumentContext dc = appender.writingDocument()) {
                Bytes<?> bytes = dc.wire().bytes();
                bytes.writeLong(round);
                if (touch) {
                    long p = Payload.pattern(round);
                    for (int at = 8; at < size; at += 8) {
                        bytes.writeLong(p);
                    }
                } else {
                    bytes.writeSkip(size - 8);
                }
            }
        }

        @Override
        public long receive(int size, boolean touch) {
            long n = 0;
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (dc.isPresent()) {
                        Bytes<?> bytes = dc.wire().bytes();
                        Payload.checkLength(size, bytes.readRemaining());
                        long round = bytes.readLong();
                        if (touch) {
                            long sum = 0;
                            for (int at = 8; at < size; at += 8) {
                                sum += bytes.readLong();
                            }
                            Payload.checkSum(round, size, sum);
                        }
                        return round;
                    }
                }
                n = patience.idle(n, awaitingMessage);
            }
        }

        /** What this end appends with: for tests that write a message past {@link Payload}. */
        ExcerptAppender appender() {
            return appender;
        }

        @Override
        public void close() {
            try {
                closeQuietly(tailer);
                closeQuietly(incoming);
                closeQuietly(appender);
                closeQuietly(outgoing);
            } finally {
                deleteTree(outgoingDirectory);
            }
        }

        private static void closeQuietly(AutoCloseable closeable) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    System.err.println("Chronicle Queue: closing " + closeable + " failed: " + e);
                }
            }
        }

        static void deleteTree(Path root) {
            if (!Files.exists(root)) {
                return;
            }
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not remove the Chronicle queue " + root, e);
            }
        }
    }
}
