package io.zerodds.flatdata.bench.peers;

/**
 * One system measured by the peer benchmark: a name for the tables and a factory for one
 * process's end of its link. Both processes build the same list of peers, in the same order.
 */
interface Peer {

    /** The row name, e.g. {@code "Aeron IPC"}. */
    String name();

    /** Whether this system carries messages of {@code size} bytes (the bare limits carry one word only). */
    default boolean carries(int size) {
        return true;
    }

    /** Whether this system belongs to the allocation and idle measurements of flatdata's own paths. */
    default boolean flatdata() {
        return false;
    }

    /**
     * Creates the sending side of this process's end: rings, queues, publications or a listening
     * socket named after {@code tag} (unique to the run) and {@code side}, for messages up to
     * {@code maxSize} bytes. The PING process opens every peer before it starts the PONG process.
     */
    Link open(Side side, String tag, int maxSize) throws Exception;
}
