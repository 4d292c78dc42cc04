package io.zerodds.flatdata.bench.peers;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The messages of the peer benchmark: {@code size} bytes, a multiple of 8; the round number in the
 * first 8 bytes (native order), then {@code size / 8 - 1} copies of {@link #pattern(long)}. A
 * receiver that reads every byte sums those longs and compares with {@link #expectedSum}: a torn
 * or stale message fails the run instead of flattering it.
 */
final class Payload {
    private Payload() {
    }

    /** The smallest message: the round number and one pattern word. */
    static final int MIN_SIZE = 16;

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    /** The word repeated after the round number. */
    static long pattern(long round) {
        return round * 0x9E3779B97F4A7C15L + 1;
    }

    /** What the pattern words of a {@code size}-byte message of {@code round} sum to. */
    static long expectedSum(long round, int size) {
        return (size / 8 - 1) * pattern(round);
    }

    /** Checks a message size once, where a run's sizes are chosen. */
    static int checkSize(int size) {
        if (size < MIN_SIZE || size % 8 != 0) {
            throw new IllegalArgumentException("size=" + size + ": a message is a multiple of 8 bytes, at least "
                    + MIN_SIZE);
        }
        return size;
    }

    /** Writes message {@code round} into {@code to} at {@code offset}: every byte, or only the round. */
    static void write(MemorySegment to, long offset, long round, int size, boolean touch) {
        to.set(LONG, offset, round);
        if (touch) {
            long p = pattern(round);
            for (long at = offset + 8; at < offset + size; at += 8) {
                to.set(LONG, at, p);
            }
        }
    }

    /** Reads the message at {@code offset} of {@code from}: checks every byte when {@code touch}; returns its round. */
    static long read(MemorySegment from, long offset, int size, boolean touch) {
        long round = from.get(LONG, offset);
        if (touch) {
            long sum = 0;
            for (long at = offset + 8; at < offset + size; at += 8) {
                sum += from.get(LONG, at);
            }
            checkSum(round, size, sum);
        }
        return round;
    }

    /** {@link #write(MemorySegment, long, long, int, boolean)} into a buffer at its position. */
    static void write(ByteBuffer to, long round, int size, boolean touch) {
        ByteBuffer b = to.order(ByteOrder.nativeOrder());
        int base = b.position();
        b.putLong(base, round);
        if (touch) {
            long p = pattern(round);
            for (int at = base + 8; at < base + size; at += 8) {
                b.putLong(at, p);
            }
        }
    }

    /** {@link #read(MemorySegment, long, int, boolean)} from a buffer at its position. */
    static long read(ByteBuffer from, int size, boolean touch) {
        ByteBuffer b = from.order(ByteOrder.nativeOrder());
        int base = b.position();
        long round = b.getLong(base);
        if (touch) {
            long sum = 0;
            for (int at = base + 8; at < base + size; at += 8) {
                sum += b.getLong(at);
            }
            checkSum(round, size, sum);
        }
        return round;
    }

    /**
     * {@link #write(MemorySegment, long, long, int, boolean)} into an Agrona buffer (Aeron's claimed
     * log space, a ring's claimed record) at {@code offset}; Agrona's accessors without a byte
     * order are native order, as the layout is.
     */
    static void write(MutableDirectBuffer to, int offset, long round, int size, boolean touch) {
        to.putLong(offset, round);
        if (touch) {
            long p = pattern(round);
            for (int at = offset + 8; at < offset + size; at += 8) {
                to.putLong(at, p);
            }
        }
    }

    /** {@link #read(MemorySegment, long, int, boolean)} from an Agrona buffer at {@code offset}. */
    static long read(DirectBuffer from, int offset, int size, boolean touch) {
        long round = from.getLong(offset);
        if (touch) {
            long sum = 0;
            for (int at = offset + 8; at < offset + size; at += 8) {
                sum += from.getLong(at);
            }
            checkSum(round, size, sum);
        }
        return round;
    }

    /** Fails unless {@code sum} is what message {@code round}'s pattern words add up to. */
    static void checkSum(long round, int size, long sum) {
        if (sum != expectedSum(round, size)) {
            throw new IllegalStateException("message of round " + round + " (" + size + " bytes) is corrupt: pattern"
                    + " words sum to " + sum + ", expected " + expectedSum(round, size));
        }
    }

    /** Fails unless a message received is {@code size} bytes long, as the schedule says it is. */
    static void checkLength(int size, long length) {
        if (length != size) {
            throw new IllegalStateException("received a message of " + length + " bytes, expected " + size);
        }
    }

    /** How long before a paced send is due the sender stops sleeping and spins (timer slack is about 50 µs). */
    private static final long SPIN_BEFORE_DUE_NANOS = 80_000;

    /**
     * Waits until {@code due} (a {@link System#nanoTime} value) and returns the time then: sleeping
     * while more than {@link #SPIN_BEFORE_DUE_NANOS} remain, spinning the rest, so that a paced
     * sender leaves a core free between sends where the interval allows (on two cores, two
     * spinning senders and receivers leave none for anything else, and every other thread then
     * preempts one of them for a whole time slice).
     */
    static long awaitDue(long due) {
        long now;
        while ((now = System.nanoTime()) < due) {
            if (due - now > SPIN_BEFORE_DUE_NANOS) {
                java.util.concurrent.locks.LockSupport.parkNanos(due - now - SPIN_BEFORE_DUE_NANOS);
            } else {
                Thread.onSpinWait();
            }
        }
        return now;
    }

    /** Fails unless the message received is the one expected. */
    static void checkRound(long expected, long received) {
        if (received != expected) {
            throw new IllegalStateException("expected round " + expected + ", received " + received);
        }
    }
}
