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
        return SendSubscribers.element(element);
    }

    @AfterMethod
    public void closeRings() {
        subscribers.close();
    }
}
