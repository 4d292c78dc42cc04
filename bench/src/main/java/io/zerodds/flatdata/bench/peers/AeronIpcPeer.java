package io.zerodds.flatdata.bench.peers;

import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Aeron over IPC: one media driver, embedded in the PING process in a directory named after the
 * run's tag, so the PONG process finds it from the tag alone; each side an exclusive publication
 * on its own stream and a subscription on the other's. The driver runs shared (one thread) and
 * sleeps when idle, so it takes no core from the two busy-spinning benchmark threads; IPC data
 * does not pass through it (publisher and subscriber share the log buffer), only the flow-control
 * limit it updates on its duty cycle.
 *
 * <p>A message that fits one frame ({@link Publication#maxPayloadLength()}) is claimed in the log
 * buffer and written in place (zero copy); a longer one is written into a reusable buffer and
 * offered, Aeron copying it into fragments that the receiver reassembles into a buffer of its own.
 */
final class AeronIpcPeer implements Peer {

    /** 16 MiB terms: a message may be an eighth of a term, so 1 MiB messages fit. */
    static final String CHANNEL = "aeron:ipc?term-length=16m";

    @Override
    public String name() {
        return "Aeron IPC";
    }

    @Override
    public Link open(Side side, String tag, int maxSize) {
        return new AeronLink(side, tag, maxSize);
    }

    /**
     * The embedded media driver: one shared thread that sleeps 1 ms when idle, so that on two
     * cores it neither takes one nor wakes often enough to preempt the measured threads (IPC data
     * does not pass through it; it updates the publication limit on its duty cycle).
     */
    static MediaDriver launchDriver(String directory) {
        return MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(directory)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
    }

    /**
     * A subscription polled the way Aeron's samples and agents poll by default: a
     * {@link BackoffIdleStrategy} with its default spins, yields and parks (1 µs to 1 ms); the
     * driver (another thread, sleeping) is not counted.
     */
    @Override
    public AutoCloseable idleSubscriber(String tag, java.util.concurrent.ThreadFactory threads) {
        MediaDriver driver = launchDriver(directory(tag));
        Aeron client = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        Subscription subscription = client.addSubscription(CHANNEL, streamId(Side.PING));
        Thread t = threads.newThread(() -> {
            BackoffIdleStrategy idle = new BackoffIdleStrategy();
            FragmentHandler ignore = (buffer, offset, length, header) -> { };
            while (!Thread.currentThread().isInterrupted()) {
                idle.idle(subscription.poll(ignore, 10));
            }
        });
        t.start();
        return () -> {
            t.interrupt();
            t.join();
            CloseHelper.quietCloseAll(subscription, client, driver);
        };
    }

    /** The media driver's directory of run {@code tag}, what both processes derive from the tag. */
    static String directory(String tag) {
        if (tag.isEmpty() || tag.contains("/")) {
            throw new IllegalArgumentException("tag=\"" + tag + "\": a run's tag is a non-empty file name");
        }
        return "/dev/shm/" + tag + "-aeron";
    }

    /** The stream a side publishes on. */
    static int streamId(Side side) {
        return side == Side.PING ? 1001 : 1002;
    }

    /** One process's end: its publication, its subscription and (PING) the driver. */
    static final class AeronLink implements Link, ControlledFragmentHandler {
        private final Side side;
        private final String directory;
        private final MediaDriver driver;
        private final Aeron aeron;
        private final ExclusivePublication publication;
        private final Subscription subscription;
        private final int maxPayload;
        private final BufferClaim claim = new BufferClaim();
        private final UnsafeBuffer outgoing;
        private final ControlledFragmentAssembler assembler;
        private final Patience patience;
        private final String awaitingConnection;
        private final String awaitingRoom;
        private final String awaitingSubscriber;
        private final String awaitingMessage;
        private boolean connected;

        // what the handler is told and tells back, per receive
        private int expectedSize;
        private boolean expectedTouch;
        private boolean received;
        private long receivedRound;
        private RuntimeException failure;

        AeronLink(Side side, String tag, int maxSize) {
            this.side = side;
            this.directory = directory(tag);
            this.patience = new Patience("Aeron IPC (" + side.tag() + ")");
            this.awaitingConnection = "subscriber on stream " + streamId(side) + " and publisher on stream "
                    + streamId(side.other()) + " in " + directory;
            this.awaitingRoom = "room for a message on stream " + streamId(side);
            this.awaitingSubscriber = "subscriber on stream " + streamId(side);
            this.awaitingMessage = "message on stream " + streamId(side.other());
            Payload.checkSize(maxSize);
            MediaDriver launched = null;
            Aeron client = null;
            try {
                if (side == Side.PING) {
                    launched = launchDriver(directory);
                }
                client = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory));
                this.publication = client.addExclusivePublication(CHANNEL, streamId(side));
                this.subscription = client.addSubscription(CHANNEL, streamId(side.other()));
            } catch (RuntimeException e) {
                CloseHelper.quietCloseAll(client, launched);
                throw e;
            }
            this.driver = launched;
            this.aeron = client;
            if (maxSize > publication.maxMessageLength()) {
                close();
                throw new IllegalArgumentException("maxSize=" + maxSize + " exceeds Aeron's longest message on "
                        + CHANNEL + ", " + publication.maxMessageLength() + " bytes");
            }
            this.maxPayload = publication.maxPayloadLength();
            this.outgoing = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                    BitUtil.align(maxSize, 64), 64));
            this.assembler = new ControlledFragmentAssembler(this, maxSize);
        }

        @Override
        public void connect() {
            long n = 0;
            while (!publication.isConnected() || !subscription.isConnected()) {
                n = patience.idle(n, awaitingConnection);
            }
            connected = true;
        }

        @Override
        public void send(long round, int size, boolean touch) {
            if (size <= maxPayload) {
                long n = 0;
                long result;
                while ((result = publication.tryClaim(size, claim)) < 0) {
                    n = notSent(result, n, size);
                }
                Payload.write(claim.buffer(), claim.offset(), round, size, touch);
                claim.commit();
            } else {
                Payload.write(outgoing, 0, round, size, touch);
                long n = 0;
                long result;
                while ((result = publication.offer(outgoing, 0, size)) < 0) {
                    n = notSent(result, n, size);
                }
            }
        }

        /** Waits after a refused claim or offer, or fails when the refusal is final. */
        private long notSent(long result, long n, int size) {
            if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION) {
                return patience.idle(n, awaitingRoom);
            }
            if (!connected && result == Publication.NOT_CONNECTED) {
                return patience.idle(n, awaitingSubscriber);
            }
            throw new IllegalStateException("Aeron IPC (" + side.tag() + "): sending a " + size
                    + "-byte message on stream " + streamId(side) + " failed: " + Publication.errorString(result));
        }

        @Override
        public long receive(int size, boolean touch) {
            expectedSize = size;
            expectedTouch = touch;
            received = false;
            long n = 0;
            while (!received) {
                if (subscription.controlledPoll(assembler, Integer.MAX_VALUE) == 0) {
                    n = patience.idle(n, awaitingMessage);
                }
            }
            if (failure != null) {
                RuntimeException e = failure;
                failure = null;
                throw e;
            }
            return receivedRound;
        }

        /**
         * A whole message (the assembler hands over reassembled fragments as one): checks it and
         * stops the poll, so that one receive takes one message. A failed check is kept for
         * {@link #receive} to throw, not thrown through Aeron's poll loop.
         */
        @Override
        public Action onFragment(DirectBuffer buffer, int offset, int length, Header header) {
            try {
                Payload.checkLength(expectedSize, length);
                receivedRound = Payload.read(buffer, offset, length, expectedTouch);
            } catch (RuntimeException e) {
                failure = e;
            }
            received = true;
            return Action.BREAK;
        }

        /** What this end publishes on: for tests that write a message past {@link Payload}. */
        ExclusivePublication publication() {
            return publication;
        }

        @Override
        public void close() {
            // the driver last: closing it deletes its directory
            CloseHelper.closeAll(publication, subscription, aeron, driver);
        }
    }
}
