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

    /** Whether this system queues messages, so that it can stream and pace (a bare word cannot). */
    default boolean streams() {
        return true;
    }

    /** Whether this is one of flatdata's own paths (the rows the ratios are taken against). */
    default boolean flatdata() {
        return false;
    }

    /**
     * Starts a subscriber of this system that waits its default way for traffic that never comes,
     * on a thread made by {@code threads} (so that its CPU time can be read), for the idle-cost
     * measurement; closing the result stops it. Null when this system has no idle row.
     */
    default AutoCloseable idleSubscriber(String tag, java.util.concurrent.ThreadFactory threads) throws Exception {
        return null;
    }

    /**
     * Creates the sending side of this process's end: rings, queues, publications or a listening
     * socket named after {@code tag} (unique to the run) and {@code side}, for messages up to
     * {@code maxSize} bytes. The PING process opens every peer before it starts the PONG process.
     */
    Link open(Side side, String tag, int maxSize) throws Exception;
}
