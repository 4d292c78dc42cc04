package io.zerodds.flatdata.bench;

import org.HdrHistogram.Histogram;

/**
 * One process's end of a ping-pong that {@link Iceoryx2Latency} interleaves with the others in
 * blocks: the ping side sends a round and records half its round trip, the pong side echoes.
 */
interface PingPongSide extends AutoCloseable {

    /** Pings rounds {@code first..first + rounds - 1} and records each half round trip (ns). */
    void ping(long first, int rounds, Histogram histogram);

    /** Answers {@code rounds} pings: the reply goes out first, then the ping is released. */
    void pong(long rounds);

    /**
     * One thread alone, on a side that reads the service it writes: {@code rounds} rounds of send,
     * take back and release; nanoseconds per round.
     */
    long local(long rounds);

    @Override
    void close();
}
