package io.zerodds.flatdata.bench.peers;

/** Which of the two benchmark processes an end of a link is in. */
enum Side {
    /** The measuring process: starts the other, sends first, hosts shared infrastructure (Aeron's driver). */
    PING,
    /** The echoing process. */
    PONG;

    /** The other side. */
    Side other() {
        return this == PING ? PONG : PING;
    }

    /** A lower-case name for file and channel names. */
    String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
