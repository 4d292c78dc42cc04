package io.zerodds.flatdata.aeron;

import io.zerodds.flatdata.FlatDataException;

/** A message on a bridge's streams that does not follow the protocol (another version, a short message). */
public final class BridgeProtocolException extends FlatDataException {
    public BridgeProtocolException(String message) {
        super(message);
    }
}
