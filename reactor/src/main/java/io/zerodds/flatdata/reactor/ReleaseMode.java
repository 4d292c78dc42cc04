package io.zerodds.flatdata.reactor;

/**
 * When a {@link SampleView} delivered by a {@link ReactiveFlatReader} is released (its slot marked
 * read, so the writer may reuse it).
 */
public enum ReleaseMode {

    /**
     * The default, and the safe choice with any operator chain: a view is released as soon as the
     * subscriber's {@code onNext} returns, unless the subscriber called {@link SampleView#retain()},
     * in which case it owes one {@link SampleView#release()} per retain. Operators that queue
     * elements ({@code publishOn}, {@code flatMap}, {@code buffer}, ...) therefore need either a
     * copy before the queue ({@code map(SampleView::copy)}) or a retain
     * ({@code map(SampleView::retain)}) and a release after it.
     */
    AFTER_ON_NEXT,

    /**
     * Every view delivered so far (every view whose {@code onNext} has started, including the
     * current one) is released when the subscriber next calls {@code request(n)}: for subscribers
     * that use {@code request} as an acknowledgement, e.g. a {@code BaseSubscriber} that calls
     * {@code request(1)} when it finished with a sample. Views stay live across {@code onNext}
     * without {@code retain()}.
     *
     * <p><b>Hazard:</b> {@code request(n)} is demand in Reactive Streams, not an acknowledgement.
     * Prefetching operators ({@code publishOn}, {@code flatMap}, {@code limitRate},
     * {@code concatMap}, ...) request ahead while earlier elements still sit in their queues: in
     * this mode such a request releases views that downstream has not seen yet, and reading them
     * throws {@link IllegalStateException}. Use this mode only when the subscriber of the
     * {@code Flux} itself does the work and requests after it; otherwise use
     * {@link #AFTER_ON_NEXT}. A subscriber that requests {@code Long.MAX_VALUE} once never
     * releases anything in this mode: the ring fills up and the writer stalls.
     */
    ON_REQUEST
}
