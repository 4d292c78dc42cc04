package io.zerodds.flatdata.aeron;

import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.SlotBackend;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Receives a {@link RingBridge}'s samples over Aeron UDP and writes them into a local ring with a
 * {@link FlatWriter}, on a thread of its own: the ring's writer, for readers of this host.
 *
 * <pre>{@code
 * try (RingReceiver receiver = RingReceiver.builder(ring)
 *         .dataChannel("aeron:udp?endpoint=10.0.0.2:40123")      // where this receiver listens
 *         .controlChannel("aeron:udp?endpoint=10.0.0.1:40124")   // where the bridge listens
 *         .start()) {
 *     receiver.awaitEndOfStream(Duration.ofMinutes(1));
 * }
 * }</pre>
 *
 * <h2>Writing in place</h2>
 * Each Aeron fragment is copied straight from the term buffer into a loaned slot: a sample larger
 * than one fragment is assembled in its slot, not in a buffer between, and committed with its last
 * fragment. That is the one copy; nothing on this path allocates.
 *
 * <h2>Semantics</h2>
 * The receiver joins with a random instance id and the sequence it expects
 * ({@link Builder#expectSequence(long)}, -1 by default: whatever the bridge resumes at), and fails
 * with a {@link BridgeHandshakeException} when the bridged ring does not fit its own (see
 * {@link RingBridge}). {@link Reliability#RELIABLE}: it reads from Aeron only while its ring has a
 * free slot, so a full ring back-pressures the bridge through Aeron's flow control, and
 * acknowledges what it committed (at least every quarter of the bridged ring's slots and whenever
 * idle, and after the end of stream until everything is acknowledged), which lets the bridge
 * release those samples and a bridge waiting for the end's acknowledgement finish. {@link Reliability#BEST_EFFORT}: a sample its
 * full ring has no slot for is dropped and counted ({@link #droppedCount()}). Either way every
 * sequence that never arrives is reported as a gap ({@link BridgeListener#gap}, {@link #gapCount()},
 * {@link #missingCount()} and a log line) when the next sample, or the end of stream, arrives; a
 * sample that arrives twice (a bridge resending after a lost HELLO) is skipped and counted
 * ({@link #duplicateCount()}). The local ring's own sequences start wherever its writer is; the
 * bridged sequence of the next sample is {@link #nextSequence()}.
 */
public final class RingReceiver implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("io.zerodds.flatdata.aeron");
    private static final long JOIN_INTERVAL_NANOS = 100_000_000L;
    private static final long ACK_INTERVAL_NANOS = 1_000_000L;
    private static final int FRAGMENT_LIMIT = 64;

    private final BridgeOptions options;
    private final SlotBackend backend;
    private final RingDescription ring;
    private final AeronConnection connection;
    private final Subscription data;
    private final Publication control;
    private final FlatWriter writer;
    private final boolean reliable;
    private final BridgeListener listener;
    private final long instance;
    /** The sequence a JOIN announces: the builder's, then (after a bridge went away) the next one expected. */
    private long expectAtJoin;
    private final AgentRunner runner;

    private final UnsafeBuffer message = new UnsafeBuffer(
            ByteBuffer.allocateDirect(BridgeProtocol.HEADER + BridgeProtocol.DESCRIPTION + BridgeProtocol.MAX_REASON));
    private final UnsafeBuffer ack = new UnsafeBuffer(ByteBuffer.allocateDirect(BridgeProtocol.HEADER + 8));
    private final UnsafeBuffer slot = new UnsafeBuffer(0, 0);
    private final ControlledFragmentHandler handler = this::onFragment;

    private boolean helloed;
    private int session;
    private long nextJoin;
    private long nextSessionCheck;
    private long ackBatch = 1;
    private long ackSent = -1;
    private long lastAckNanos;
    private int budget;
    private String rejectPending;

    // the sample being assembled in a loaned slot
    private FlatWriter.Claim claim;
    private long claimSequence;
    private int claimLength;
    private int filled;
    private boolean skipping;

    private volatile long expected;
    private volatile long received;
    private volatile long dropped;
    private volatile long duplicates;
    private volatile long gaps;
    private volatile long missing;
    private volatile boolean connected;
    private volatile boolean ended;
    private volatile Throwable failure;
    private volatile boolean closed;

    private RingReceiver(SlotBackend backend, BridgeOptions options, long expectSequence, Duration writeTimeout) {
        this.options = options;
        this.backend = backend;
        this.ring = RingDescription.of(backend);
        this.reliable = options.reliability == Reliability.RELIABLE;
        this.listener = options.listener;
        this.expectAtJoin = expectSequence;
        this.expected = expectSequence;
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        this.instance = id;
        this.writer = reliable ? FlatWriter.reliable(backend, writeTimeout) : FlatWriter.bestEffort(backend);
        try {
            this.connection = AeronConnection.open(options.aeronDirectory, options.driverConfig);
        } catch (RuntimeException e) {
            writer.close();
            throw e;
        }
        try {
            this.data = connection.aeron().addSubscription(options.dataChannel, options.streamId);
            this.control = connection.aeron().addExclusivePublication(options.controlChannel, options.controlStreamId);
            this.runner = BridgeThread.runner("flatdata-receiver-" + options.streamId, this::doWork, this::fail);
        } catch (RuntimeException e) {
            writer.close();
            connection.close();
            throw e;
        }
    }

    public static Builder builder(SlotBackend backend) {
        return new Builder(backend);
    }

    private int doWork() {
        if (failure != null) {
            sendRejectIfPending();
            return 0;
        }
        long now = System.nanoTime();
        int work = 0;
        if (helloed && !ended && now - nextSessionCheck >= 0) {
            nextSessionCheck = now + JOIN_INTERVAL_NANOS;
            if (data.imageBySessionId(session) == null) {
                lostBridge(now);
            }
        }
        if (!helloed && now - nextJoin >= 0 && data.isConnected()) {
            int length = BridgeProtocol.putDescription(message, BridgeProtocol.JOIN, expectAtJoin, ring, instance);
            if (control.offer(message, 0, length) > 0) {
                nextJoin = now + JOIN_INTERVAL_NANOS;
                work++;
            }
        }
        if (ended) {
            return work + acknowledge(now, true); // what arrived with the END is acknowledged too
        }
        if (reliable && helloed && claim == null) {
            budget = backend.freeSlotCount();
            if (budget == 0) {
                return work + acknowledge(now, true);
            }
        } else {
            budget = Integer.MAX_VALUE;
        }
        int fragments = data.controlledPoll(handler, FRAGMENT_LIMIT);
        return work + fragments + acknowledge(now, fragments == 0);
    }

    private int acknowledge(long now, boolean idle) {
        long next = expected;
        if (!helloed || next == ackSent) {
            return 0;
        }
        if (next - ackSent < ackBatch && !idle && now - lastAckNanos < ACK_INTERVAL_NANOS) {
            return 0;
        }
        BridgeProtocol.putHeader(ack, next, 8, BridgeProtocol.ACK);
        ack.putLong(BridgeProtocol.HEADER, instance, BridgeProtocol.ORDER);
        if (control.offer(ack, 0, BridgeProtocol.HEADER + 8) > 0) {
            ackSent = next;
            lastAckNanos = now;
            return 1;
        }
        return 0;
    }

    private ControlledFragmentHandler.Action onFragment(DirectBuffer buffer, int offset, int length, Header frame) {
        byte flags = frame.flags();
        boolean begin = (flags & FrameDescriptor.BEGIN_FRAG_FLAG) != 0;
        boolean end = (flags & FrameDescriptor.END_FRAG_FLAG) != 0;
        if (!begin) {
            return continued(buffer, offset, length, end, frame.sessionId());
        }
        if (length < BridgeProtocol.HEADER) {
            fail(new BridgeProtocolException("data message of " + length + " bytes on " + options.dataChannel
                    + " is shorter than the " + BridgeProtocol.HEADER + "-byte header"));
            return ControlledFragmentHandler.Action.BREAK;
        }
        int kind = BridgeProtocol.kind(buffer, offset);
        if (kind == BridgeProtocol.DATA) {
            return onData(buffer, offset, length, end, frame.sessionId());
        }
        switch (kind) {
            case BridgeProtocol.HELLO -> onHello(buffer, offset, length, frame.sessionId());
            case BridgeProtocol.END -> onEnd(BridgeProtocol.sequence(buffer, offset), frame.sessionId());
            case BridgeProtocol.REJECT -> {
                if (BridgeProtocol.rejectInstance(buffer, offset) == instance) {
                    fail(new BridgeHandshakeException("the bridge refused receiver " + Long.toHexString(instance)
                            + " of " + backend + ": " + BridgeProtocol.rejectReason(buffer, offset, length)));
                    return ControlledFragmentHandler.Action.BREAK;
                }
            }
            default -> {
                fail(new BridgeProtocolException("unknown data message kind=" + kind + " on " + options.dataChannel));
                return ControlledFragmentHandler.Action.BREAK;
            }
        }
        skipping = !end;
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private ControlledFragmentHandler.Action onData(DirectBuffer buffer, int offset, int length, boolean end,
                                                    int sessionId) {
        if (!helloed || sessionId != session) {
            skipping = !end; // before the HELLO, or another bridge session's: not ours
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        long sequence = BridgeProtocol.sequence(buffer, offset);
        int size = BridgeProtocol.length(buffer, offset);
        if (sequence < expected) {
            duplicates++;
            skipping = !end;
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        if (size < 1 || size > ring.slotCapacity()) {
            fail(new BridgeProtocolException("sample " + sequence + " of " + size + " bytes on " + options.dataChannel
                    + " does not fit slots of " + ring.slotCapacity() + " bytes"));
            return ControlledFragmentHandler.Action.BREAK;
        }
        if (budget <= 0) {
            return ControlledFragmentHandler.Action.ABORT; // reliable and the ring is full: Aeron keeps it
        }
        budget--;
        FlatWriter.Claim loaned = writer.loan();
        if (sequence > expected) {
            reportGap(expected, sequence);
        }
        if (loaned == null) {
            dropped++;
            if (dropped == 1 || dropped % 10_000 == 0) {
                LOG.log(System.Logger.Level.WARNING, "receiver into {0}: ring full, {1} samples dropped so far (best effort)",
                        backend, String.valueOf(dropped));
            }
            expected = sequence + 1;
            skipping = !end;
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        claim = loaned;
        claimSequence = sequence;
        claimLength = size;
        filled = 0;
        slot.wrap(loaned.segment().address(), size);
        return append(buffer, offset + BridgeProtocol.HEADER, length - BridgeProtocol.HEADER, end);
    }

    private ControlledFragmentHandler.Action continued(DirectBuffer buffer, int offset, int length, boolean end,
                                                       int sessionId) {
        if (skipping || claim == null || sessionId != session) {
            if (end) {
                skipping = false;
            }
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        return append(buffer, offset, length, end);
    }

    private ControlledFragmentHandler.Action append(DirectBuffer buffer, int offset, int length, boolean end) {
        if (filled + length > claimLength) {
            fail(new BridgeProtocolException("sample " + claimSequence + " announced " + claimLength
                    + " bytes but its fragments carry more (" + (filled + length) + ")"));
            return ControlledFragmentHandler.Action.BREAK;
        }
        buffer.getBytes(offset, slot, filled, length);
        filled += length;
        if (end) {
            if (filled != claimLength) {
                fail(new BridgeProtocolException("sample " + claimSequence + " announced " + claimLength
                        + " bytes but its fragments carry " + filled));
                return ControlledFragmentHandler.Action.BREAK;
            }
            FlatWriter.Claim done = claim;
            claim = null;
            done.commit(filled);
            expected = claimSequence + 1;
            received++;
        }
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private void onHello(DirectBuffer buffer, int offset, int length, int sessionId) {
        if (BridgeProtocol.instance(buffer, offset) != instance) {
            return; // the answer to another receiver's JOIN (one before a restart)
        }
        RingDescription bridged = BridgeProtocol.description(buffer, offset, length, "HELLO");
        long resume = BridgeProtocol.sequence(buffer, offset);
        String mismatch = BridgeProtocol.mismatch(bridged, ring);
        if (mismatch != null) {
            rejectPending = "receiver into " + backend + ": " + mismatch;
            fail(new BridgeHandshakeException("bridge refused by receiver " + Long.toHexString(instance) + ": " + mismatch));
            sendRejectIfPending();
            return;
        }
        if (helloed) {
            return; // a HELLO repeated after a JOIN that crossed the first one: samples before expected are duplicates
        }
        if (expected >= 0 && resume > expected) {
            reportGap(expected, resume);
        }
        if (expected < 0 || resume > expected) {
            expected = resume;
        }
        session = sessionId;
        ackBatch = Math.max(1, bridged.slotCount() / 4);
        helloed = true;
        connected = true;
        LOG.log(System.Logger.Level.INFO, "receiver {0} into {1}: joined the bridge, starting at sequence {2}",
                Long.toHexString(instance), backend, String.valueOf(expected));
    }

    /**
     * The bridge's publication is gone (the bridge closed or restarted, or Aeron gave the link up):
     * a sample cut off half-way is discarded, and the receiver joins whichever bridge publishes
     * next, announcing the next sequence it expects, so that the new bridge's first sample shows
     * any gap.
     */
    private void lostBridge(long now) {
        helloed = false;
        connected = false;
        if (claim != null) {
            claim.close(); // not committed: the slot goes back
            claim = null;
        }
        skipping = false;
        expectAtJoin = expected;
        nextJoin = now;
        LOG.log(System.Logger.Level.INFO, "receiver {0} into {1}: bridge session {2} is gone; joining the next bridge"
                + " at sequence {3}", Long.toHexString(instance), backend, String.valueOf(session), String.valueOf(expected));
    }

    private void onEnd(long end, int sessionId) {
        if (!helloed || sessionId != session) {
            return;
        }
        if (end > expected) {
            reportGap(expected, end);
            expected = end;
        }
        writer.endStream();
        ended = true;
        LOG.log(System.Logger.Level.INFO, "receiver {0} into {1}: end of stream at sequence {2}",
                Long.toHexString(instance), backend, String.valueOf(end));
    }

    private void reportGap(long from, long to) {
        gaps++;
        missing += to - from;
        LOG.log(System.Logger.Level.WARNING, "receiver {0} into {1}: gap, samples [{2}, {3}) never arrived ({4} samples)",
                Long.toHexString(instance), backend, String.valueOf(from), String.valueOf(to), String.valueOf(to - from));
        listener.gap(from, to);
    }

    private void sendRejectIfPending() {
        if (rejectPending == null) {
            return;
        }
        int length = BridgeProtocol.putReject(message, instance, rejectPending);
        if (control.offer(message, 0, length) > 0) {
            rejectPending = null;
        }
    }

    private void fail(Throwable t) {
        if (failure == null) {
            failure = t;
            connected = false;
            LOG.log(System.Logger.Level.ERROR, "receiver into " + backend + " failed: " + t.getMessage(), t);
            listener.failed(t);
        }
    }

    /** Waits until the handshake with a bridge passed. */
    public void awaitBridge(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!connected) {
            throwIfFailed();
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no bridge answered receiver " + Long.toHexString(instance)
                        + " on " + options.dataChannel + " within " + timeout);
            }
            RingBridge.sleepBriefly();
        }
    }

    /** Waits until the bridge ended the stream (and this receiver ended its ring's). */
    public void awaitEndOfStream(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ended) {
            throwIfFailed();
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no end of stream reached receiver " + Long.toHexString(instance)
                        + " within " + timeout + " (next sequence " + expected + ", " + received + " received)");
            }
            RingBridge.sleepBriefly();
        }
    }

    private void throwIfFailed() {
        Throwable t = failure;
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException("receiver into " + backend + " failed", t);
        }
    }

    public boolean isConnected() {
        return connected;
    }

    public boolean isEndOfStream() {
        return ended;
    }

    public Throwable failure() {
        return failure;
    }

    /** This receiver's random instance id, as the bridge logs it. */
    public long instance() {
        return instance;
    }

    /** The bridged sequence this receiver writes next (-1 before the handshake without an expectation). */
    public long nextSequence() {
        return expected;
    }

    /** Samples committed into the local ring. */
    public long receivedCount() {
        return received;
    }

    /** Best effort: samples dropped because the local ring was full. */
    public long droppedCount() {
        return dropped;
    }

    /** Samples that arrived a second time and were skipped. */
    public long duplicateCount() {
        return duplicates;
    }

    /** Gaps reported. */
    public long gapCount() {
        return gaps;
    }

    /** Samples in all reported gaps. */
    public long missingCount() {
        return missing;
    }

    /** Stops the thread, discards a half-assembled sample, closes the writer and Aeron. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CloseHelper.quietClose(runner);
        if (!backend.isClosed()) {
            CloseHelper.quietClose(writer);
        }
        connection.close();
    }

    @Override
    public String toString() {
        return "RingReceiver[" + options.dataChannel + " stream " + options.streamId + " -> " + backend + "]";
    }

    /** Settings of a receiver; {@link #start()} builds and starts it. */
    public static final class Builder extends EndpointBuilder<Builder> {
        private long expectSequence = -1;
        private Duration writeTimeout = Duration.ofSeconds(10);

        private Builder(SlotBackend backend) {
            super(backend);
        }

        /**
         * The bridged sequence this receiver expects first (a restarted receiver that knows where it
         * stopped); -1 (the default) takes whatever the bridge resumes at.
         */
        public Builder expectSequence(long sequence) {
            if (sequence < -1) {
                throw new IllegalArgumentException("expectSequence=" + sequence + " must be -1 or a sequence >= 0");
            }
            this.expectSequence = sequence;
            return this;
        }

        /** Reliable: how long the writer may wait for a slot it was told is free (10 s). */
        public Builder writeTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("writeTimeout=" + timeout + " must not be negative");
            }
            this.writeTimeout = timeout;
            return this;
        }

        /** Connects to Aeron and starts the receiver's thread; it joins as soon as the bridge's stream is there. */
        public RingReceiver start() {
            options.check();
            RingReceiver receiver = new RingReceiver(backend, options, expectSequence, writeTimeout);
            AgentRunner.startOnThread(receiver.runner);
            return receiver;
        }
    }
}
