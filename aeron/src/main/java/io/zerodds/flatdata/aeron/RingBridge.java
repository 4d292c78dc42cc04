package io.zerodds.flatdata.aeron;

import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.Sample;
import io.zerodds.flatdata.SlotBackend;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Publishes a local ring's samples over an Aeron UDP publication, to one {@link RingReceiver} that
 * writes them into a ring on another host. The bridge is one of the local ring's readers
 * (attached when built: it bridges what is committed after that), on a thread of its own.
 *
 * <pre>{@code
 * try (RingBridge bridge = RingBridge.builder(ring)
 *         .dataChannel("aeron:udp?endpoint=10.0.0.2:40123")      // where the receiver listens
 *         .controlChannel("aeron:udp?endpoint=10.0.0.1:40124")   // where this bridge listens
 *         .start()) {
 *     bridge.awaitReceiver(Duration.ofSeconds(10));
 *     ...
 * }
 * }</pre>
 *
 * <h2>Handshake</h2>
 * A receiver sends JOIN on the control stream (its ring's type hash and slot capacity, a random
 * instance id and the sequence it expects next, or -1); the bridge checks that the receiving ring
 * has the same type hash (or both none) and slots at least as large, and answers HELLO on the data
 * stream (its own ring's description and the sequence it resumes at), after which data follows. A
 * mismatch fails both ends with a {@link BridgeHandshakeException} naming both rings' values: the
 * bridge at once, the receiver on the REJECT the bridge sends. The receiver checks the HELLO the
 * same way. Wire format: {@link BridgeProtocol}.
 *
 * <h2>Semantics</h2>
 * Sequence numbers on the wire are the bridged ring's own. {@link Reliability#RELIABLE}: nothing is
 * dropped. The bridge keeps every sample until the receiver acknowledges it as committed into its
 * ring (at most the local ring's slot count, so a remote ring that does not drain slows a reliable
 * local writer), retries back-pressured offers, and holds its reader while the receiver is away.
 * A restarted receiver (a JOIN with a new instance id) is resent everything not acknowledged by
 * the previous one, or from the sequence it says it expects; samples it expects that were
 * acknowledged before and are no longer held are reported as a {@link BridgeListener#gap gap}.
 * {@link Reliability#BEST_EFFORT}: a sample Aeron does not take at once (back pressure, no
 * receiver) is dropped and counted ({@link #droppedCount()}); nothing is kept for a restarted
 * receiver, which gets the samples from the moment it joins. Gaps are never hidden: the receiver
 * reports every missing sequence range.
 *
 * <h2>Allocation</h2>
 * The steady-state path (take, offer, acknowledgement) allocates nothing: samples are offered
 * from their slots through one reused buffer view. Handshakes, gaps and failures allocate.
 */
public final class RingBridge implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("io.zerodds.flatdata.aeron");
    private static final int TAKE_BATCH = 64;

    private final BridgeOptions options;
    private final SlotBackend backend;
    private final RingDescription ring;
    private final AeronConnection connection;
    private final Publication data;
    private final Subscription control;
    private final FlatReader reader;
    private final boolean reliable;
    private final BridgeListener listener;
    private final AgentRunner runner;

    private final UnsafeBuffer header = new UnsafeBuffer(ByteBuffer.allocateDirect(BridgeProtocol.HEADER));
    private final UnsafeBuffer payload = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer message = new UnsafeBuffer(
            ByteBuffer.allocateDirect(BridgeProtocol.HEADER + 8 + BridgeProtocol.MAX_REASON));
    private final FragmentHandler controlHandler = this::onControl;

    // reliable: samples taken and not acknowledged, by sequence modulo the slot count
    private final Sample[] held;
    private long heldFrom;
    private long heldTo;
    private long sendCursor;

    private long instance;
    private boolean helloPending;
    private long helloSequence;
    private boolean acknowledgedByCurrent;
    private boolean endSent;
    private boolean wasConnected;
    private String rejectPending;
    private long rejectInstance;

    private volatile boolean connected;
    private volatile long sent;
    private volatile long dropped;
    private volatile long backPressured;
    private volatile long acknowledged = -1;
    private volatile long receivers;
    private volatile long gaps;
    private volatile Throwable failure;
    private volatile boolean closed;

    private RingBridge(SlotBackend backend, BridgeOptions options) {
        this.options = options;
        this.backend = backend;
        this.ring = RingDescription.of(backend);
        this.reliable = options.reliability == Reliability.RELIABLE;
        this.listener = options.listener;
        this.held = new Sample[backend.slotCount()];
        this.connection = AeronConnection.open(options.aeronDirectory, options.driverConfig);
        FlatReader attached = null;
        try {
            this.data = connection.aeron().addExclusivePublication(options.dataChannel, options.streamId);
            this.control = connection.aeron().addSubscription(options.controlChannel, options.controlStreamId);
            int largest = BridgeProtocol.HEADER + backend.slotCapacity();
            if (largest > data.maxMessageLength()) {
                throw new IllegalArgumentException("slot capacity=" + backend.slotCapacity()
                        + " bytes plus the " + BridgeProtocol.HEADER + "-byte header exceeds the largest Aeron message="
                        + data.maxMessageLength() + " bytes of " + options.dataChannel
                        + " (term length / 8): use a larger term length");
            }
            attached = FlatReader.attach(backend);
            this.reader = attached;
            this.heldFrom = attached.nextSequence();
            this.heldTo = heldFrom;
            this.sendCursor = heldFrom;
            this.runner = BridgeThread.runner("flatdata-bridge-" + options.streamId, this::doWork, this::fail);
        } catch (RuntimeException e) {
            CloseHelper.quietClose(attached);
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
        int work = control.poll(controlHandler, 16);
        if (failure != null) {
            return work;
        }
        boolean nowConnected = data.isConnected();
        if (wasConnected && !nowConnected) {
            LOG.log(System.Logger.Level.WARNING, "bridge of {0}: receiver {1} lost (publication not connected); "
                    + "acknowledged up to sequence {2}", backend, Long.toHexString(instance), String.valueOf(acknowledged));
            listener.receiverLost(instance);
        }
        wasConnected = nowConnected;
        if (helloPending) {
            work += sendHello();
        }
        if (!connected) {
            return reliable ? work : work + dropUntaken();
        }
        return work + (reliable ? sendReliable() : sendBestEffort()) + sendEndIfDue();
    }

    private int sendReliable() {
        int work = 0;
        while (heldTo - heldFrom < held.length) {
            Sample sample = reader.take();
            if (sample == null) {
                break;
            }
            held[slotOf(heldTo)] = sample;
            heldTo++;
            work++;
        }
        while (sendCursor < heldTo) {
            long result = offer(held[slotOf(sendCursor)]);
            if (result < 0) {
                offerFailed(result);
                break;
            }
            sendCursor++;
            sent++;
            work++;
        }
        return work;
    }

    private int sendBestEffort() {
        int work = 0;
        for (int i = 0; i < TAKE_BATCH; i++) {
            Sample sample = reader.take();
            if (sample == null) {
                break;
            }
            long sequence = sample.sequence();
            long result;
            try {
                result = offer(sample);
            } finally {
                sample.release();
            }
            sendCursor = sequence + 1;
            if (result < 0) {
                dropped++;
                if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                    offerFailed(result);
                    break;
                }
            } else {
                sent++;
            }
            work++;
        }
        return work;
    }

    /** Best effort, before a receiver joined: nobody to deliver to, so the samples are dropped and counted. */
    private int dropUntaken() {
        int work = 0;
        for (int i = 0; i < TAKE_BATCH; i++) {
            Sample sample = reader.take();
            if (sample == null) {
                break;
            }
            sendCursor = sample.sequence() + 1;
            sample.release();
            dropped++; // before any receiver joined
            work++;
        }
        return work;
    }

    private int slotOf(long sequence) {
        return (int) Long.remainderUnsigned(sequence, held.length);
    }

    private long offer(Sample sample) {
        int size = sample.size();
        BridgeProtocol.putHeader(header, sample.sequence(), size, BridgeProtocol.DATA);
        payload.wrap(sample.segment().address(), size);
        return data.offer(header, 0, BridgeProtocol.HEADER, payload, 0, size);
    }

    private void offerFailed(long result) {
        if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION) {
            backPressured++;
        } else if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
            fail(new IllegalStateException("data publication " + options.dataChannel + " stream "
                    + options.streamId + " refused an offer: " + Publication.errorString(result)));
        }
        // NOT_CONNECTED: the receiver is away; a reliable bridge keeps what it holds and retries
    }

    private int sendEndIfDue() {
        if (endSent || !reader.isEndOfStream() || (reliable && sendCursor < heldTo)) {
            return 0;
        }
        long end = backend.endOfStreamSequence();
        BridgeProtocol.putHeader(message, end, 0, BridgeProtocol.END);
        if (data.offer(message, 0, BridgeProtocol.HEADER) > 0) {
            endSent = true;
            LOG.log(System.Logger.Level.DEBUG, "bridge of {0}: end of stream at sequence {1} sent", backend, String.valueOf(end));
            return 1;
        }
        return 0;
    }

    private int sendHello() {
        int length = BridgeProtocol.putDescription(message, BridgeProtocol.HELLO, helloSequence, ring, instance);
        if (data.offer(message, 0, length) > 0) {
            helloPending = false;
            connected = true;
            return 1;
        }
        return 0;
    }

    private void sendRejectIfPending() {
        if (rejectPending == null) {
            return;
        }
        int length = BridgeProtocol.putReject(message, rejectInstance, rejectPending);
        if (data.offer(message, 0, length) > 0) {
            rejectPending = null;
        }
    }

    private void onControl(DirectBuffer buffer, int offset, int length, Header frame) {
        if (length < BridgeProtocol.HEADER) {
            fail(new BridgeProtocolException("control message of " + length + " bytes on "
                    + options.controlChannel + " is shorter than the " + BridgeProtocol.HEADER + "-byte header"));
            return;
        }
        switch (BridgeProtocol.kind(buffer, offset)) {
            case BridgeProtocol.ACK -> onAck(BridgeProtocol.sequence(buffer, offset),
                    buffer.getLong(offset + BridgeProtocol.HEADER, BridgeProtocol.ORDER));
            case BridgeProtocol.JOIN -> onJoin(buffer, offset, length);
            case BridgeProtocol.REJECT -> {
                if (BridgeProtocol.rejectInstance(buffer, offset) == instance) {
                    fail(new BridgeHandshakeException("receiver " + Long.toHexString(instance)
                            + " rejected the bridge of " + backend + ": " + BridgeProtocol.rejectReason(buffer, offset, length)));
                }
            }
            default -> fail(new BridgeProtocolException("unknown control message kind="
                    + BridgeProtocol.kind(buffer, offset) + " on " + options.controlChannel));
        }
    }

    private void onAck(long next, long from) {
        if (from != instance || next <= acknowledged) {
            return;
        }
        acknowledged = next;
        acknowledgedByCurrent = true;
        if (reliable) {
            releaseHeldBelow(Math.min(next, sendCursor));
        }
    }

    private void releaseHeldBelow(long sequence) {
        while (heldFrom < sequence) {
            int slot = slotOf(heldFrom);
            held[slot].release();
            held[slot] = null;
            heldFrom++;
        }
    }

    private void onJoin(DirectBuffer buffer, int offset, int length) {
        RingDescription theirs = BridgeProtocol.description(buffer, offset, length, "JOIN");
        long joining = BridgeProtocol.instance(buffer, offset);
        long expected = BridgeProtocol.sequence(buffer, offset);
        String mismatch = BridgeProtocol.mismatch(ring, theirs);
        if (mismatch != null) {
            rejectInstance = joining;
            rejectPending = "bridge of " + backend + ": " + mismatch;
            fail(new BridgeHandshakeException("receiver " + Long.toHexString(joining) + " refused: " + mismatch));
            sendRejectIfPending();
            return;
        }
        if (joining == instance) {
            if (!acknowledgedByCurrent && reliable) {
                sendCursor = helloSequence; // the HELLO may have preceded the receiver's image: again
            }
            helloPending = !acknowledgedByCurrent;
            return;
        }
        long resume;
        if (reliable) {
            resume = expected < 0 ? heldFrom : Math.clamp(expected, heldFrom, heldTo);
            if (expected >= 0 && expected < heldFrom) {
                reportGap(expected, heldFrom, "acknowledged by an earlier receiver and no longer held");
            }
            releaseHeldBelow(resume);
        } else {
            resume = sendCursor;
            if (expected >= 0 && expected < resume) {
                reportGap(expected, resume, "not kept by a best-effort bridge");
            }
        }
        if (instance != 0) {
            LOG.log(System.Logger.Level.WARNING, "bridge of {0}: receiver {1} replaced by {2} (restarted): "
                            + "{3} acknowledged up to sequence {4}, the new one expects {5}, resuming at {6}",
                    backend, Long.toHexString(instance), Long.toHexString(joining), Long.toHexString(instance),
                    String.valueOf(acknowledged), String.valueOf(expected), String.valueOf(resume));
        } else {
            LOG.log(System.Logger.Level.INFO, "bridge of {0}: receiver {1} joined, resuming at sequence {2}",
                    backend, Long.toHexString(joining), String.valueOf(resume));
        }
        instance = joining;
        helloSequence = resume;
        sendCursor = resume;
        acknowledgedByCurrent = false;
        connected = false;
        helloPending = true;
        receivers++;
        listener.receiverJoined(joining, expected, resume);
    }

    private void reportGap(long from, long to, String why) {
        gaps++;
        LOG.log(System.Logger.Level.WARNING, "bridge of {0}: receiver {1} expects sequence {2}, samples [{2}, {3}) are {4}",
                backend, Long.toHexString(instance), String.valueOf(from), String.valueOf(to), why);
        listener.gap(from, to);
    }

    private void fail(Throwable t) {
        if (failure == null) {
            failure = t;
            connected = false;
            LOG.log(System.Logger.Level.ERROR, "bridge of " + backend + " failed: " + t.getMessage(), t);
            listener.failed(t);
        }
    }

    /** True once a receiver passed the handshake and the bridge sends to it. */
    public boolean isConnected() {
        return connected;
    }

    /**
     * Waits until a receiver joined and the handshake passed.
     *
     * @throws BridgeHandshakeException when the receiver's ring does not fit
     * @throws IllegalStateException on timeout, or when the bridge failed otherwise
     */
    public void awaitReceiver(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!connected) {
            throwIfFailed();
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no receiver joined the bridge of " + backend + " on "
                        + options.controlChannel + " within " + timeout);
            }
            sleepBriefly();
        }
    }

    /** Waits until the receiver acknowledged every sample below {@code sequence}. */
    public void awaitAcknowledged(long sequence, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (acknowledged < sequence) {
            throwIfFailed();
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("receiver acknowledged up to sequence " + acknowledged
                        + ", not " + sequence + ", within " + timeout);
            }
            sleepBriefly();
        }
    }

    static void sleepBriefly() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void throwIfFailed() {
        Throwable t = failure;
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException("bridge of " + backend + " failed", t);
        }
    }

    /** The failure that stopped this bridge, or {@code null}. */
    public Throwable failure() {
        return failure;
    }

    /** Samples offered to Aeron successfully (a resent sample counts again). */
    public long sentCount() {
        return sent;
    }

    /** Best effort: samples dropped because Aeron did not take them (or no receiver had joined). */
    public long droppedCount() {
        return dropped;
    }

    /** Offers refused by back pressure (reliable: each retried later). */
    public long backPressureCount() {
        return backPressured;
    }

    /** The current receiver has committed every sample below this sequence; -1 before its first acknowledgement. */
    public long acknowledgedSequence() {
        return acknowledged;
    }

    /** Receiver instances that joined (a restarted receiver counts again). */
    public long receiverCount() {
        return receivers;
    }

    /** Gaps this bridge reported (a restarted receiver asking for samples it no longer holds). */
    public long gapCount() {
        return gaps;
    }

    /** Stops the thread, detaches the reader (giving back every held sample) and closes Aeron. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CloseHelper.quietClose(runner);
        CloseHelper.quietClose(reader);
        connection.close();
    }

    @Override
    public String toString() {
        return "RingBridge[" + backend + " -> " + options.dataChannel + " stream " + options.streamId + "]";
    }

    /** Settings of a bridge; {@link #start()} builds and starts it. */
    public static final class Builder extends EndpointBuilder<Builder> {
        private Builder(SlotBackend backend) {
            super(backend);
        }

        /** Attaches the bridge's reader, connects to Aeron and starts the bridge's thread. */
        public RingBridge start() {
            options.check();
            RingBridge bridge = new RingBridge(backend, options);
            AgentRunner.startOnThread(bridge.runner);
            return bridge;
        }
    }
}
