package io.zerodds.flatdata.bench.peers;

import org.HdrHistogram.Histogram;

/**
 * One process's end of one system's two-way link between the two benchmark processes: what the
 * harness drives. A message is {@code size} bytes (a multiple of 8, at least 16) laid out by
 * {@link Payload}: its round number in the first 8 bytes, then a pattern derived from it. With
 * {@code touch} the sender writes every byte and the receiver reads every byte and checks the
 * pattern; without, both touch only the round number (what zero copy can skip, a copying
 * transport still copies).
 *
 * <p>Life cycle: {@link Peer#open} creates what this end sends on (rings, queues, publications,
 * a listening socket); once both processes opened every link, {@link #connect} attaches to what
 * the other end sends on; then the loops run, both processes following the same schedule.
 *
 * <p>The loops below are the harness's: one body for every system, so each pays the same
 * (megamorphic) call into {@link #send} and {@link #receive}. A system whose API is not a pair
 * of blocking calls (the {@code Flux}) overrides them.
 */
interface Link extends AutoCloseable {

    /** Attaches to the other process's sending side; called once both processes opened. */
    void connect() throws Exception;

    /** Sends message {@code round} of {@code size} bytes, waiting the system's way for room. */
    void send(long round, int size, boolean touch);

    /**
     * Waits the system's way (busy-spin or blocking) for the next message of {@code size} bytes,
     * checks it (see {@link Payload}) and returns its round number.
     */
    long receive(int size, boolean touch);

    @Override
    void close() throws Exception;

    /**
     * The heap bytes allocated so far by the threads this end runs on (for a plain link, the
     * calling thread), for the allocation measurement: the difference over a run of rounds.
     */
    default long allocatedBytes() {
        return Allocation.currentThread();
    }

    /** Round trips {@code first..first+rounds}, each RTT/2 recorded in nanoseconds. */
    default void ping(long first, int rounds, int size, boolean touch, Histogram histogram) {
        for (long i = first; i < first + rounds; i++) {
            long t0 = System.nanoTime();
            send(i, size, touch);
            long echoed = receive(size, touch);
            long t1 = System.nanoTime();
            histogram.recordValue((t1 - t0) / 2);
            Payload.checkRound(i, echoed);
        }
    }

    /** The other side of {@link #ping}: echoes {@code rounds} messages. */
    default void pong(int rounds, int size, boolean touch) {
        for (int i = 0; i < rounds; i++) {
            send(receive(size, touch), size, touch);
        }
    }

    /**
     * Streams {@code count} messages as fast as the link takes them, then waits for the other
     * side's acknowledgement of the last; returns the nanoseconds from the first send to the ack.
     */
    default long stream(long first, long count, int size) {
        long t0 = System.nanoTime();
        for (long i = first; i < first + count; i++) {
            send(i, size, true);
        }
        Payload.checkRound(first + count - 1, receive(size, true));
        return System.nanoTime() - t0;
    }

    /** The other side of {@link #stream}: receives {@code count} messages in order, acknowledges the last. */
    default void drain(long first, long count, int size) {
        long last = -1;
        for (long i = first; i < first + count; i++) {
            last = receive(size, true);
            Payload.checkRound(i, last);
        }
        send(last, size, true);
    }

    /**
     * Sends {@code count} messages at a fixed interval ({@link Payload#awaitDue}), each carrying its send time (the
     * {@link System#nanoTime} clock is the host's monotonic clock, shared by both processes) as its
     * round number; waits for the acknowledgement of the last.
     */
    default void paced(long count, long intervalNanos, int size) {
        long next = System.nanoTime();
        long last = 0;
        for (long i = 0; i < count; i++) {
            next += intervalNanos;
            long now = Payload.awaitDue(next);
            send(now, size, true);
            last = now;
        }
        Payload.checkRound(last, receive(size, true));
    }

    /**
     * The other side of {@link #paced}: records each message's one-way latency (receive time
     * minus the send time it carries) with HdrHistogram's correction for the expected interval
     * (coordinated omission), then acknowledges the last.
     */
    default void receivePaced(long count, long intervalNanos, int size, Histogram histogram) {
        long sent = 0;
        for (long i = 0; i < count; i++) {
            sent = receive(size, true);
            histogram.recordValueWithExpectedInterval(Math.max(0, System.nanoTime() - sent), intervalNanos);
        }
        send(sent, size, true);
    }
}
