package io.zerodds.flatdata.tck;

/** TCK publisher rules for the {@code Mono<Void>} of a send over the in-memory backend. */
public class InMemorySendMonoPublisherTckTest extends SendMonoPublisherVerification {
    public InMemorySendMonoPublisherTckTest() {
        super(Rings.IN_MEMORY);
    }
}
