package io.zerodds.flatdata;

/** A reliable writer waited its whole timeout and no slot became free. */
public final class SlotTimeoutException extends FlatDataException {
    public SlotTimeoutException(String message) {
        super(message);
    }
}
