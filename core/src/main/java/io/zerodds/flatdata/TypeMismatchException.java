package io.zerodds.flatdata;

/** A writer or reader of one sample type met a backend that carries another type hash. */
public final class TypeMismatchException extends FlatDataException {
    public TypeMismatchException(String message) {
        super(message);
    }
}
