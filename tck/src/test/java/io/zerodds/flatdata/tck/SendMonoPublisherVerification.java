package io.zerodds.flatdata.tck;

import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.reactor.ReactiveFlatWriter;
import java.util.ArrayList;
import java.util.List;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.testng.annotations.AfterMethod;
import reactor.core.publisher.Flux;

/**
 * The Reactive Streams TCK against the {@code Mono<Void>} that {@link ReactiveFlatWriter#send}
 * returns: it never emits an element (so {@link #maxElementsFromPublisher()} is 0 and the TCK
 * skips the rules that need elements) and completes once every upstream element was published.
 */
abstract class SendMonoPublisherVerification extends PublisherVerification<Void> {

    /** Upstream elements each send publishes before its {@code Mono} completes. */
    static final int UPSTREAM = 3;

    private final Rings rings;
    private final List<SlotBackend> opened = new ArrayList<>();

    SendMonoPublisherVerification(Rings rings) {
        super(SampleViewPublisherVerification.environment(), 2_000);
        this.rings = rings;
    }

    @Override
    public Publisher<Void> createPublisher(long elements) {
        return ReactiveFlatWriter.reliable(ring()).send(Flux.range(0, UPSTREAM).map(SendSubscribers::element));
    }

    /** A send on a closed ring: onSubscribe, then onError. */
    @Override
    public Publisher<Void> createFailedPublisher() {
        SlotBackend ring = ring();
        ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(ring);
        ring.close();
        return writer.send(Flux.range(0, UPSTREAM).map(SendSubscribers::element));
    }

    @Override
    public long maxElementsFromPublisher() {
        return 0;
    }

    private SlotBackend ring() {
        SlotBackend ring = rings.create();
        synchronized (opened) {
            opened.add(ring);
        }
        return ring;
    }

    @AfterMethod
    public void closeRings() {
        synchronized (opened) {
            opened.forEach(SlotBackend::close);
            opened.clear();
        }
    }
}
