package io.zerodds.flatdata.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import io.zerodds.flatdata.reactor.SampleView;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SignalType;

/**
 * A reactive reader's samples inside a {@code flatdata.receive} observation: started when the
 * {@code Flux} is subscribed, stopped when it completes, fails (the error recorded) or is
 * cancelled; the observation is in the subscriber's Reactor context under
 * Micrometer's key ({@code ObservationThreadLocalAccessor.KEY}), so that observations of operators downstream
 * ({@code tap(Micrometer.observation(registry))}) become its children.
 *
 * <pre>{@code
 * FlatObservations.receive(reader, observationRegistry)
 *         .map(view -> view.getLong(0))
 *         .subscribe(...);
 * }</pre>
 */
public final class FlatObservations {
    private FlatObservations() {
    }

    /** {@code ObservationThreadLocalAccessor.KEY}, without a dependency on context-propagation for one string. */
    static final String OBSERVATION_KEY = "micrometer.observation";

    /** The samples of {@code reader} in a {@code flatdata.receive} observation with the default convention. */
    public static Flux<SampleView> receive(ReactiveFlatReader reader, ObservationRegistry registry) {
        return receive(reader, registry, null);
    }

    /** As {@link #receive(ReactiveFlatReader, ObservationRegistry)}, with {@code convention} (null: the default). */
    public static Flux<SampleView> receive(ReactiveFlatReader reader, ObservationRegistry registry,
                                           FlatReceiveObservationConvention convention) {
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(registry, "registry");
        return Flux.defer(() -> {
            FlatReceiveContext context = new FlatReceiveContext(RingTags.ring(reader.backend()),
                    RingTags.backend(reader.backend()), reader.readerIndex());
            Observation observation = FlatReceiveObservation.RECEIVE.observation(convention,
                    DefaultFlatReceiveObservationConvention.INSTANCE, () -> context, registry).start();
            return reader.flux()
                    .doOnError(observation::error)
                    .doFinally(signal -> {
                        if (signal == SignalType.CANCEL) {
                            observation.event(Observation.Event.of("cancel", "the subscriber cancelled"));
                        }
                        observation.stop();
                    })
                    .contextWrite(ctx -> ctx.put(OBSERVATION_KEY, observation));
        });
    }
}
