package io.zerodds.flatdata;

/**
 * A shared-memory segment cannot be used by this process: an invalid name, a symbolic link, a
 * file that is not a regular file, a segment owned by another user, a segment whose writer is
 * still alive, or a file the operating system refuses to open. The message names the file.
 */
public final class SegmentAccessException extends FlatDataException {
    public SegmentAccessException(String message) {
        super(message);
    }

    public SegmentAccessException(String message, Throwable cause) {
        super(message, cause);
    }
}
