package io.zerodds.flatdata.bench.peers;

import java.util.Locale;

/**
 * How much the peer benchmark measures: {@link #QUICK} (a few minutes on two cores), {@link #FULL}
 * (longer runs, tighter tails), or {@link #SMOKE} (seconds: the test that the whole schedule runs).
 * Both processes derive their whole schedule from the profile.
 */
enum Profile {
    QUICK(20_000, 3, 10, 400_000, 1L << 30, 2_000, 10),
    FULL(200_000, 5, 20, 2_000_000, 4L << 30, 10_000, 10),
    SMOKE(400, 1, 2, 2_000, 16L << 20, 50, 1);

    /** Round trips per system and pass at 64 B; larger sizes scale down (see {@link #rounds}). */
    private final int baseRounds;
    /** Recorded passes of the latency blocks, after one warm-up pass. */
    final int passes;
    /** Blocks per pass: each system runs once per block, the order rotating. */
    final int blocks;
    /** Messages per system in a throughput run, at most. */
    private final long streamCount;
    /** Bytes per system in a throughput run, at most. */
    private final long streamBytes;
    private final long pacedMillis;
    private final int idleSeconds;

    Profile(int baseRounds, int passes, int blocks, long streamCount, long streamBytes, long pacedMillis,
            int idleSeconds) {
        this.baseRounds = baseRounds;
        this.passes = passes;
        this.blocks = blocks;
        this.streamCount = streamCount;
        this.streamBytes = streamBytes;
        this.pacedMillis = pacedMillis;
        this.idleSeconds = idleSeconds;
    }

    /** Round trips per system per pass for {@code size}-byte messages. */
    int rounds(int size) {
        return switch (size) {
            case 64 -> baseRounds;
            case 4096 -> baseRounds / 2;
            case 65536 -> baseRounds / 10;
            default -> baseRounds / 50;
        };
    }

    /** Round trips per block for {@code size}-byte messages: at least 4. */
    int block(int size) {
        return Math.max(4, rounds(size) / blocks);
    }

    /** Messages per system in a throughput run of {@code size}-byte messages: at least 20. */
    long stream(int size) {
        return Math.max(20, Math.min(streamCount, streamBytes / size));
    }

    /** The fixed rates of the paced runs, messages per second. */
    long[] rates() {
        return new long[] {10_000, 100_000};
    }

    /** Messages per system in a paced run at {@code rate}. */
    long paced(long rate) {
        return rate * pacedMillis / 1000;
    }

    /** How long an idle subscriber is watched, seconds. */
    int idleSeconds() {
        return idleSeconds;
    }

    /** The option that selects this profile. */
    String flag() {
        return "--" + name().toLowerCase(Locale.ROOT);
    }
}
