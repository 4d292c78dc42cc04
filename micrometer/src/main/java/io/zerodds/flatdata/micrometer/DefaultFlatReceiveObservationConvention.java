package io.zerodds.flatdata.micrometer;

import io.micrometer.common.KeyValues;

/**
 * The default convention: name {@code flatdata.receive}, contextual name {@code "<ring> receive"},
 * low-cardinality keys {@code flatdata.ring}, {@code flatdata.backend} and {@code flatdata.reader};
 * no high-cardinality keys (a subscription has no per-sample identity worth a key).
 */
public class DefaultFlatReceiveObservationConvention implements FlatReceiveObservationConvention {

    /** The one instance the observation uses unless given another convention. */
    public static final DefaultFlatReceiveObservationConvention INSTANCE = new DefaultFlatReceiveObservationConvention();

    @Override
    public String getName() {
        return "flatdata.receive";
    }

    @Override
    public String getContextualName(FlatReceiveContext context) {
        return context.ring() + " receive";
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(FlatReceiveContext context) {
        return KeyValues.of(FlatReceiveObservation.LowCardinalityKeys.RING.withValue(context.ring()),
                FlatReceiveObservation.LowCardinalityKeys.BACKEND.withValue(context.backend()),
                FlatReceiveObservation.LowCardinalityKeys.READER.withValue(Integer.toString(context.reader())));
    }
}
