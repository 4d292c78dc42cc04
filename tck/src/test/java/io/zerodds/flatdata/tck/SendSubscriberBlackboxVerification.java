package io.zerodds.flatdata.tck;

import org.reactivestreams.Subscriber;
import org.reactivestreams.tck.SubscriberBlackboxVerification;
import org.testng.annotations.AfterMethod;

/** TCK subscriber rules (black box) for the subscriber behind {@code ReactiveFlatWriter.send}. */
abstract class SendSubscriberBlackboxVerification extends SubscriberBlackboxVerification<byte[]> {
    private final Rings rings;
    private final SendSubscribers subscribers = new SendSubscribers();

    SendSubscriberBlackboxVerification(Rings rings) {
        super(SampleViewPublisherVerification.environment());
        this.rings = rings;
    }

    @Override
    public Subscriber<byte[]> createSubscriber() {
        return subscribers.create(rings);
    }

    @Override
    public byte[] createElement(int element) {
        return new byte[] {(byte) element, (byte) (element >>> 8), (byte) (element >>> 16), (byte) (element >>> 24)};
    }

    @AfterMethod
    public void closeRings() {
        subscribers.close();
    }
}
