package io.zerodds.flatdata;

/** Base of the flatdata-specific failures that are not plain argument or state misuse. */
public class FlatDataException extends RuntimeException {
    public FlatDataException(String message) {
        super(message);
    }

    public FlatDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
