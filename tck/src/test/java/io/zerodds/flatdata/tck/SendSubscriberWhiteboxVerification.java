package io.zerodds.flatdata.tck;

import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.reactivestreams.tck.SubscriberWhiteboxVerification;
import org.testng.annotations.AfterMethod;

/**
 * TCK subscriber rules (white box) for the subscriber behind {@code ReactiveFlatWriter.send}: a
 * thin probe around it reports every signal it receives and lets the TCK request and cancel
 * through the subscription it was given.
 */
abstract class SendSubscriberWhiteboxVerification extends SubscriberWhiteboxVerification<byte[]> {
    private final Rings rings;
    private final SendSubscribers.Mode mode;
    private final SendSubscribers subscribers = new SendSubscribers();

    SendSubscriberWhiteboxVerification(Rings rings, SendSubscribers.Mode mode) {
        super(SampleViewPublisherVerification.environment());
        this.rings = rings;
        this.mode = mode;
    }

    @Override
    public Subscriber<byte[]> createSubscriber(WhiteboxSubscriberProbe<byte[]> probe) {
        Subscriber<byte[]> send = subscribers.create(rings, mode);
        return new Subscriber<>() {
            @Override
            public void onSubscribe(Subscription subscription) {
                send.onSubscribe(subscription);
                probe.registerOnSubscribe(new SubscriberPuppet() {
                    @Override
                    public void triggerRequest(long elements) {
                        subscription.request(elements);
                    }

                    @Override
                    public void signalCancel() {
                        subscription.cancel();
                    }
                });
            }

            @Override
            public void onNext(byte[] element) {
                send.onNext(element);
                probe.registerOnNext(element);
            }

            @Override
            public void onError(Throwable error) {
                send.onError(error);
                probe.registerOnError(error);
            }

            @Override
            public void onComplete() {
                send.onComplete();
                probe.registerOnComplete();
            }
        };
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
