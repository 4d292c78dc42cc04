package io.zerodds.flatdata.micrometer;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/** The documented shape of the {@code flatdata.receive} observation (as reactor-kafka documents its receiver's). */
public enum FlatReceiveObservation implements ObservationDocumentation {

    /** One subscription to a reactive reader's samples, from subscribe to completion, error or cancel. */
    RECEIVE {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultFlatReceiveObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return LowCardinalityKeys.values();
        }
    };

    /** The low-cardinality keys. */
    public enum LowCardinalityKeys implements KeyName {
        /** The ring's name. */
        RING {
            @Override
            public String asString() {
                return "flatdata.ring";
            }
        },
        /** The backend: in-memory, posix or iceoryx2. */
        BACKEND {
            @Override
            public String asString() {
                return "flatdata.backend";
            }
        },
        /** The reader index. */
        READER {
            @Override
            public String asString() {
                return "flatdata.reader";
            }
        }
    }
}
