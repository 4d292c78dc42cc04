package io.zerodds.flatdata.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/** Names and keys of the {@code flatdata.receive} observation; implement it to change them. */
public interface FlatReceiveObservationConvention extends ObservationConvention<FlatReceiveContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof FlatReceiveContext;
    }
}
