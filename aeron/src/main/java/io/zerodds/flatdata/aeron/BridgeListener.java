package io.zerodds.flatdata.aeron;

/**
 * What a bridge end reports besides its counters. Called on the end's own thread: return quickly,
 * do not block. Every method has an empty default; whatever a listener does, the end also logs
 * each event (logger {@code io.zerodds.flatdata.aeron}) and counts it.
 */
public interface BridgeListener {

    /**
     * Samples {@code [fromSequence, toSequence)} of the bridged ring will never reach this
     * receiver (best-effort drops by the bridge, samples sent to a receiver that died before
     * writing them, a restarted receiver expecting samples the bridge no longer holds). On a
     * receiver, reported when the first sample after the gap arrives (or at the end of stream);
     * on a bridge, when a restarted receiver asks for samples it cannot resend.
     */
    default void gap(long fromSequence, long toSequence) {
    }

    /**
     * Bridge side: a receiver (a new instance: a first one, or one restarted) joined. It expected
     * {@code expectedSequence} (-1: no expectation) and the bridge resumes at {@code resumeSequence}.
     */
    default void receiverJoined(long instance, long expectedSequence, long resumeSequence) {
    }

    /** Bridge side: Aeron reports the data publication no longer connected (the receiver is gone or silent). */
    default void receiverLost(long instance) {
    }

    /** The end failed (a handshake mismatch, a protocol violation, a closed ring) and stopped working. */
    default void failed(Throwable failure) {
    }
}
