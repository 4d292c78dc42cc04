package io.zerodds.flatdata.iceoryx2;

import io.zerodds.flatdata.FlatDataException;

/**
 * iceoryx2 refused a request: the service does not exist (open) or exists already (create), its
 * settings do not fit (buffer sizes, reader limits, overflow behaviour, a creator's geometry), a
 * port limit was reached, or iceoryx2 failed inside. The message names the service and says what
 * iceoryx2 reported; {@link #reason()} tells the kinds apart.
 */
public final class Iceoryx2Exception extends FlatDataException {

    /** What kind of refusal it was. */
    public enum Reason {
        /** iceoryx2 failed in a way the caller cannot fix. */
        INTERNAL,
        /** The service exists with settings that do not fit the request. */
        SETTINGS,
        /** Create found the service already there. */
        EXISTS,
        /** Open found no such service. */
        MISSING,
        /** A port or loan limit of the service was reached. */
        LIMIT,
        /** The native side caught a panic at its boundary. */
        PANIC
    }

    private final Reason reason;

    public Iceoryx2Exception(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
