package io.zerodds.flatdata.bench.peers;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Agrona's single-producer single-consumer ring buffer over a memory-mapped /dev/shm file, one
 * ring per direction: each side creates the ring it sends on and maps the other's when it
 * connects. A message is claimed in the ring and written in place (zero copy), then committed;
 * the receiver reads it in place.
 */
final class AgronaRingPeer implements Peer {

    /** Ring capacity: 16 MiB, so the longest message (an eighth) is 2 MiB. */
    static final int CAPACITY = 16 << 20;
    /** The file: the ring and Agrona's trailer (head, tail and their caches). */
    static final int FILE_LENGTH = CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
    /** The type every record of the benchmark carries. */
    static final int MESSAGE_TYPE = 1;

    @Override
    public String name() {
        return "Agrona ring";
    }

    @Override
    public Link open(Side side, String tag, int maxSize) throws IOException {
        return new RingLink(side, tag, maxSize);
    }

    /** The file of the ring {@code side} sends on in run {@code tag}. */
    static Path file(String tag, Side side) {
        if (tag.isEmpty() || tag.contains("/")) {
            throw new IllegalArgumentException("tag=\"" + tag + "\": a run's tag is a non-empty file name");
        }
        return Path.of("/dev/shm", tag + "-agrona-" + side.tag());
    }

    private static MemorySegment map(Path file, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() != FILE_LENGTH) {
                throw new IllegalStateException(file + " is " + ch.size() + " bytes, a ring file is " + FILE_LENGTH);
            }
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, FILE_LENGTH, arena);
        }
    }

    private static OneToOneRingBuffer ring(MemorySegment mapped) {
        return new OneToOneRingBuffer(new UnsafeBuffer(mapped.address(), (int) mapped.byteSize()));
    }

    /** One process's end: the ring it sends on and, once connected, the one it receives on. */
    static final class RingLink implements Link {
        private final Side side;
        private final String tag;
        private final Path outgoingFile;
        private final Arena arena = Arena.ofShared();
        private final OneToOneRingBuffer outgoing;
        private final Patience patience;
        private final String awaitingRoom;
        private final String awaitingMessage;
        private OneToOneRingBuffer incoming;

        // what the handler is told and tells back, per receive
        private int expectedSize;
        private boolean expectedTouch;
        private long receivedRound;
        private final MessageHandler handler = this::onMessage;

        RingLink(Side side, String tag, int maxSize) throws IOException {
            this.side = side;
            this.tag = tag;
            this.outgoingFile = file(tag, side);
            Payload.checkSize(maxSize);
            if (maxSize > CAPACITY / 8) {
                throw new IllegalArgumentException("maxSize=" + maxSize + " exceeds the ring's longest message, "
                        + CAPACITY / 8 + " bytes");
            }
            this.patience = new Patience("Agrona ring (" + side.tag() + ")");
            this.awaitingRoom = "room in " + outgoingFile;
            this.awaitingMessage = "message in " + file(tag, side.other());
            // a new file, extended by its last byte, reads as zeros: an empty ring
            try (FileChannel ch = FileChannel.open(outgoingFile, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.allocate(1), FILE_LENGTH - 1);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
            try {
                this.outgoing = ring(map(outgoingFile, arena));
            } catch (IOException | RuntimeException e) {
                arena.close();
                Files.deleteIfExists(outgoingFile);
                throw e;
            }
        }

        @Override
        public void connect() throws IOException {
            incoming = ring(map(file(tag, side.other()), arena));
        }

        @Override
        public void send(long round, int size, boolean touch) {
            long n = 0;
            int index;
            while ((index = outgoing.tryClaim(MESSAGE_TYPE, size)) == RingBuffer.INSUFFICIENT_CAPACITY) {
                n = patience.idle(n, awaitingRoom);
            }
            Payload.write(outgoing.buffer(), index, round, size, touch);
            outgoing.commit(index);
        }

        @Override
        public long receive(int size, boolean touch) {
            expectedSize = size;
            expectedTouch = touch;
            long n = 0;
            while (incoming.read(handler, 1) == 0) {
                n = patience.idle(n, awaitingMessage);
            }
            return receivedRound;
        }

        /** Checks the message in place; a failure leaves the ring consumed past it and ends the receive. */
        private void onMessage(int type, MutableDirectBuffer buffer, int index, int length) {
            if (type != MESSAGE_TYPE) {
                throw new IllegalStateException("record of type " + type + " in " + file(tag, side.other())
                        + ", expected " + MESSAGE_TYPE);
            }
            Payload.checkLength(expectedSize, length);
            receivedRound = Payload.read(buffer, index, length, expectedTouch);
        }

        /** The ring this end sends on: for tests that write a message past {@link Payload}. */
        OneToOneRingBuffer outgoing() {
            return outgoing;
        }

        @Override
        public void close() throws IOException {
            arena.close();
            Files.deleteIfExists(outgoingFile);
        }
    }
}
