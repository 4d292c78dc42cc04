package io.zerodds.flatdata;

/** Every one of the 32 reader indexes of the reader mask is in use, or the one asked for is. */
public final class ReaderLimitException extends IllegalStateException {
    public ReaderLimitException(String message) {
        super(message);
    }
}
