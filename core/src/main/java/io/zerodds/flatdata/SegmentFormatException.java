package io.zerodds.flatdata;

/**
 * A shared-memory segment does not hold what its header claims: wrong magic, unknown layout
 * version, a file smaller than its geometry, slot sizes that do not add up, a damaged descriptor,
 * or a file truncated by another process while it was mapped. The message names the file and the
 * expected and found values.
 */
public final class SegmentFormatException extends FlatDataException {
    public SegmentFormatException(String message) {
        super(message);
    }

    public SegmentFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
