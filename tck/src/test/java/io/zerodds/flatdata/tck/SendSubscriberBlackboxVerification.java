package io.zerodds.flatdata.tck;

import org.reactivestreams.Subscriber;
import org.reactivestreams.tck.SubscriberBlackboxVerification;
import org.testng.annotations.AfterMethod;

/** TCK subscriber rules (black box) for the subscriber behind {@code ReactiveFlatWriter.send}. */
abstract class SendSubscriberBlackboxVerification extends SubscriberBlackboxVerification<byte[]> {
    private final Rings rings;
    private final SendSubscribers.Mode mode;
    private final SendSubscribers subscribers = new SendSubscribers();

    SendSubscriberBlackboxVerification(Rings rings, SendSubscribers.Mode mode) {
        super(SampleViewPublisherVerification.environment());
        this.rings = rings;
        this.mode = mode;
    }

    @Override
    public Subscriber<byte[]> createSubscriber() {
        return subscribers.create(rings, mode);
    }

    @Override
    public byte[] createElement(int element) {
        return SendSubscribers.element(element);
    }

    @AfterMethod
    public void closeRings() {
        subscribers.close();
    }
}
