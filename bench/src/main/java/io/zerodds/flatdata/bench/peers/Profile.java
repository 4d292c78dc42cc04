package io.zerodds.flatdata.bench.peers;

/**
 * How much the peer benchmark measures: {@link #QUICK} (under ten minutes on two cores) or
 * {@link #FULL}. Both processes derive their whole schedule from the profile.
 */
enum Profile {
    QUICK(1, 3, 10),
    FULL(10, 5, 20);

    /** Round trips per system and pass at 64 B; larger sizes scale down (see {@link #rounds}). */
    private static final int BASE_ROUNDS = 10_000;
    /** Messages per system in a throughput run, at most. */
    private static final long BASE_STREAM = 400_000;
    /** Bytes per system in a throughput run, at most. */
    private static final long STREAM_BYTES = 1L << 30;

    private final int scale;
    /** Recorded passes of the latency blocks, after one warm-up pass. */
    final int passes;
    /** Blocks per pass: each system runs once per block, the order rotating. */
    final int blocks;

    Profile(int scale, int passes, int blocks) {
        this.scale = scale;
        this.passes = passes;
        this.blocks = blocks;
    }

    /** Round trips per system per pass for {@code size}-byte messages. */
    int rounds(int size) {
        int r = switch (size) {
            case 64 -> BASE_ROUNDS;
            case 4096 -> BASE_ROUNDS / 2;
            case 65536 -> BASE_ROUNDS / 10;
            default -> BASE_ROUNDS / 50;
        };
        return r * scale;
    }

    /** Round trips per block for {@code size}-byte messages: at least 10. */
    int block(int size) {
        return Math.max(10, rounds(size) / blocks);
    }

    /** Messages per system in a throughput run of {@code size}-byte messages. */
    long stream(int size) {
        return Math.min(BASE_STREAM, STREAM_BYTES / size) * scale;
    }

    /** The fixed rate of the paced run, messages per second. */
    long rate() {
        return 100_000;
    }

    /** Messages per system in the paced run: 2 s (quick) or 10 s at {@link #rate}. */
    long paced() {
        return rate() * (this == QUICK ? 2 : 10);
    }

    /** How long an idle subscriber is watched, seconds. */
    int idleSeconds() {
        return 10;
    }

    /** The lower-case name, as given on the command line. */
    String flag() {
        return "--" + name().toLowerCase(java.util.Locale.ROOT);
    }
}
