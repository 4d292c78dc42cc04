package io.zerodds.flatdata.bench;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.InMemorySlotBackend;
import io.zerodds.flatdata.Sample;
import io.zerodds.flatdata.aeron.RingBridge;
import io.zerodds.flatdata.aeron.RingReceiver;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One end of a two-way link of the bridge benchmark: {@link #send} a message of {@code size}
 * bytes whose first 8 bytes are a tag, {@link #receive} the tag of the next message that comes
 * back. Two kinds, on one embedded media driver per process: plain Aeron UDP (a publication each
 * way, no flatdata) and the flatdata bridge (a ring, a {@link RingBridge} out, a
 * {@link RingReceiver} into a second ring back). {@link BridgePeer} is the other end.
 */
abstract class BridgePath implements AutoCloseable {

    /** The peer echoes a message whose tag carries this bit, the whole message. */
    static final long REPLY = 1L << 62;
    /** The peer stops at a message whose tag carries this bit. */
    static final long STOP = 1L << 61;
    static final int DATA_STREAM = 2001;
    static final int BACK_STREAM = 2002;
    static final Duration PATIENCE = Duration.ofSeconds(30);

    /** The four UDP endpoints (host:port) of a link: out and back, and their bridges' control streams. */
    record Endpoints(String data, String dataControl, String back, String backControl) {
        String[] args() {
            return new String[] {data, dataControl, back, backControl};
        }

        static Endpoints of(String[] args, int from) {
            return new Endpoints(args[from], args[from + 1], args[from + 2], args[from + 3]);
        }
    }

    /**
     * An embedded media driver as the bridge's own (shared threading, a random directory removed
     * on close, 8 MiB terms so that a 64 KiB sample is one message).
     */
    static MediaDriver driver() {
        return MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(CommonContext.generateRandomDirName())
                .threadingMode(ThreadingMode.SHARED)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .termBufferSparseFile(true)
                .publicationTermBufferLength(8 * 1024 * 1024)
                .sharedIdleStrategy(new BackoffIdleStrategy(100, 10, 1_000, 100_000)));
    }

    /** Spin, yield, then park up to 50 us: both processes share two cores with the drivers and the bridges. */
    private final BackoffIdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 50_000);
    private long deadline;

    /** Starts a wait for {@link #idle(String)}. */
    final void waitStart() {
        idle.reset();
        deadline = System.nanoTime() + PATIENCE.toNanos();
    }

    /** The echo side's idling: none after work, else the next step of backing off. */
    final void rest(boolean worked) {
        if (worked) {
            idle.reset();
        } else {
            idle.idle();
        }
    }

    /** One idle step of a wait for {@code what}; fails after {@link #PATIENCE}. */
    final void idle(String what) {
        idle.idle();
        if (System.nanoTime() - deadline > 0) {
            throw new IllegalStateException("no " + what + " within " + PATIENCE + " (the peer process is gone?)");
        }
    }

    static String udp(String endpoint) {
        return "aeron:udp?endpoint=" + endpoint;
    }

    abstract void send(long tag, int size);

    abstract long receive();

    /** Waits until both directions are connected. */
    abstract void awaitConnected();

    @Override
    public abstract void close();

    /** Plain Aeron UDP: a publication out on {@code data}, a subscription back on {@code back}. */
    static final class Plain extends BridgePath {
        private final Aeron aeron;
        private final ExclusivePublication out;
        private final Subscription in;
        private final UnsafeBuffer buffer;
        private final FragmentAssembler assembler = new FragmentAssembler(
                (b, offset, length, header) -> received = b.getLong(offset));
        private final FragmentAssembler echoAssembler = new FragmentAssembler(
                (b, offset, length, header) -> echo(b, offset, length));
        private long received = -1;
        private boolean stopped;

        /** {@code outChannel}, {@code inChannel}: Aeron channels; messages up to {@code maxSize} bytes. */
        Plain(String aeronDirectory, String outChannel, int outStream, String inChannel, int inStream, int maxSize) {
            this.aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDirectory));
            this.out = aeron.addExclusivePublication(outChannel, outStream);
            this.in = aeron.addSubscription(inChannel, inStream);
            this.buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(8, maxSize)));
        }

        @Override
        void send(long tag, int size) {
            buffer.putLong(0, tag);
            offer(size);
        }

        /** Offers the first {@code size} bytes of the buffer, retrying while Aeron pushes back. */
        void offer(int size) {
            long result;
            waitStart();
            while ((result = out.offer(buffer, 0, size)) < 0) {
                if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                    throw new IllegalStateException("publication " + out.channel() + " refused an offer: "
                            + Publication.errorString(result));
                }
                idle("room on " + out.channel());
            }
        }

        @Override
        long receive() {
            received = -1;
            waitStart();
            while (received < 0) {
                if (in.poll(assembler, 1) == 0) {
                    idle("message on " + in.channel());
                }
            }
            return received;
        }

        /** The echo side: copies what arrived into the out buffer and offers it back if it asks for it. */
        boolean echoOnce() {
            rest(in.poll(echoAssembler, 16) > 0);
            return stopped;
        }

        private void echo(DirectBuffer b, int offset, int length) {
            long tag = b.getLong(offset);
            if ((tag & STOP) != 0) {
                stopped = true;
            } else if ((tag & REPLY) != 0) {
                buffer.putBytes(0, b, offset, length);
                offer(length);
            }
        }

        @Override
        void awaitConnected() {
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (!out.isConnected() || !in.isConnected()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("plain Aeron link not connected within " + PATIENCE + ": out "
                            + out.channel() + " connected=" + out.isConnected() + ", in " + in.channel()
                            + " connected=" + in.isConnected());
                }
                rest(false);
            }
        }

        @Override
        public void close() {
            CloseHelper.closeAll(out, in, aeron);
        }
    }

    /**
     * The flatdata bridge: a writer into ring {@code out}, bridged to the peer by a
     * {@link RingBridge}; the peer's bridge back arrives through a {@link RingReceiver} in ring
     * {@code in}, read by a {@link FlatReader} attached before it started.
     */
    static final class Bridged extends BridgePath {
        private final InMemorySlotBackend outRing;
        private final InMemorySlotBackend inRing;
        private final FlatWriter writer;
        private final FlatReader reader;
        private final RingBridge bridge;
        private final RingReceiver receiver;

        /**
         * {@code outData}/{@code outControl}: where the peer receives and where this bridge hears
         * it; {@code inData}/{@code inControl}: where this receiver listens and the peer's bridge.
         */
        Bridged(String aeronDirectory, String outData, String outControl, String inData, String inControl,
                int slots, int size) {
            this.outRing = InMemorySlotBackend.create(slots, size);
            this.inRing = InMemorySlotBackend.create(slots, size);
            this.writer = FlatWriter.reliable(outRing, PATIENCE);
            this.reader = FlatReader.attach(inRing);
            this.bridge = RingBridge.builder(outRing).aeronDirectory(aeronDirectory)
                    .dataChannel(outData).controlChannel(outControl).start();
            this.receiver = RingReceiver.builder(inRing).aeronDirectory(aeronDirectory)
                    .dataChannel(inData).controlChannel(inControl).start();
        }

        @Override
        void send(long tag, int size) {
            FlatWriter.Claim claim = writer.loan();
            claim.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, 0, tag);
            claim.commit(size);
        }

        @Override
        long receive() {
            Sample s;
            waitStart();
            while ((s = reader.take()) == null) {
                idle("sample from " + receiver);
            }
            long tag = s.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            s.release();
            return tag;
        }

        /** The echo side: takes what arrived and writes it back, whole, if it asks for it. */
        boolean echoOnce() {
            Sample s = reader.take();
            rest(s != null);
            if (s == null) {
                return false;
            }
            try {
                long tag = s.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                if ((tag & STOP) != 0) {
                    return true;
                }
                if ((tag & REPLY) != 0) {
                    FlatWriter.Claim claim = writer.loan();
                    claim.segment().copyFrom(s.segment());
                    claim.commit(s.size());
                }
                return false;
            } finally {
                s.release();
            }
        }

        @Override
        void awaitConnected() {
            bridge.awaitReceiver(PATIENCE);
            receiver.awaitBridge(PATIENCE);
        }

        @Override
        public void close() {
            CloseHelper.closeAll(bridge, receiver, reader, writer, outRing, inRing);
        }
    }
}
