package io.zerodds.flatdata;

/**
 * The reader was marked disconnected (its lease expired, or another party called
 * {@link SlotBackend#markReaderDisconnected(int)}): the writer no longer waits for it and samples
 * it had not read may already be overwritten. Detach and attach again to resume.
 */
public final class ReaderDisconnectedException extends IllegalStateException {
    public ReaderDisconnectedException(int reader, String backend) {
        super("reader index=" + reader + " was disconnected from " + backend);
    }
}
