package io.zerodds.flatdata.aeron;

import io.zerodds.flatdata.FlatDataException;

/**
 * The two ends of a bridge do not fit: another type hash, or receiving slots smaller than the
 * bridged ones. Both ends fail with it, each naming both rings' values.
 */
public final class BridgeHandshakeException extends FlatDataException {
    public BridgeHandshakeException(String message) {
        super(message);
    }
}
