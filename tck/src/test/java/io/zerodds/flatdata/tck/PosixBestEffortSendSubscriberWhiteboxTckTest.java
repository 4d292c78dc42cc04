package io.zerodds.flatdata.tck;

/** TCK subscriber rules (whitebox) for the best-effort send subscriber over the POSIX shared-memory backend. */
public class PosixBestEffortSendSubscriberWhiteboxTckTest extends SendSubscriberWhiteboxVerification {
    public PosixBestEffortSendSubscriberWhiteboxTckTest() {
        super(Rings.POSIX, SendSubscribers.Mode.BEST_EFFORT);
    }
}
