package io.zerodds.flatdata;

/** A call reached a backend (or a writer or reader on it) after {@code close()}. */
public final class BackendClosedException extends IllegalStateException {
    public BackendClosedException(String what) {
        super(what + " is closed");
    }
}
