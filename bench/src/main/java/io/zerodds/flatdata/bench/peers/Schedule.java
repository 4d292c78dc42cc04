package io.zerodds.flatdata.bench.peers;

import java.io.BufferedReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The order in which both processes drive the links, derived from the profile and the systems
 * alone, so that the two follow each other without talking:
 * <ol>
 * <li>latency: per {@link Case}, passes (the first a warm-up, not counted) of blocks; in each
 *     block every system carrying the size runs {@link Profile#block} round trips, the order
 *     rotating from block to block. Blocks a few milliseconds apart see the same CPU placement, so
 *     each system's p50 is divided by the first system's p50 of the same block, and the median of
 *     those ratios is reported;</li>
 * <li>throughput: per size, per system that streams, an uncounted run of a fifth, then a counted one;</li>
 * <li>paced: per rate of {@link Profile#rates}, per system that streams, {@link Profile#paced} 64-byte messages;
 *     the PONG process records the one-way latencies and reports the histogram;</li>
 * <li>allocation: per system, 64-byte round trips in a short and a long run; the difference of
 *     the bytes allocated over the difference of the round trips is the steady state's bytes per
 *     round trip, without the one-off costs of a run; three such pairs, the least counts; each
 *     process reports its own.</li>
 * </ol>
 */
final class Schedule {
    private static final int ALLOC_SHORT = 2_000;
    private static final int ALLOC_LONG = 20_000;
    /** Pairs of runs per system; the least figure counts (a recompilation in one run is not the steady state). */
    private static final int ALLOC_REPEATS = 3;

    private final Profile profile;
    private final List<Peer> peers;
    private final List<Link> links;
    /** The next round number of each link: rounds only grow over a link's life. */
    private final long[] next;

    Schedule(Profile profile, List<Peer> peers, List<Link> links) {
        this.profile = profile;
        this.peers = peers;
        this.links = links;
        this.next = new long[peers.size()];
    }

    void ping(Results results, BufferedReader fromPong) throws Exception {
        for (Case c : Case.all()) {
            latency(c, results);
        }
        for (int size : Sizes.ALL) {
            long count = profile.stream(size);
            for (int p = 0; p < peers.size(); p++) {
                if (peers.get(p).streams()) {
                    stream(p, count / 5, size);
                    results.throughput(size, peers.get(p).name(), count, stream(p, count, size));
                }
            }
        }
        for (long rate : profile.rates()) {
            long interval = 1_000_000_000L / rate;
            for (int p = 0; p < peers.size(); p++) {
                if (peers.get(p).streams()) {
                    links.get(p).paced(profile.paced(rate), interval, Sizes.SMALLEST);
                    results.paced(rate, peers.get(p).name(), decode(fromPong, "PACED"));
                }
            }
        }
        Histogram scratch = Peers.histogram();
        for (int p = 0; p < peers.size(); p++) {
            Link l = links.get(p);
            double least = Double.MAX_VALUE;
            for (int repeat = 0; repeat < ALLOC_REPEATS; repeat++) {
                long a0 = l.allocatedBytes();
                l.ping(advance(p, ALLOC_SHORT), ALLOC_SHORT, Sizes.SMALLEST, true, scratch);
                long a1 = l.allocatedBytes();
                l.ping(advance(p, ALLOC_LONG), ALLOC_LONG, Sizes.SMALLEST, true, scratch);
                long a2 = l.allocatedBytes();
                least = Math.min(least, perRound(a0, a1, a2));
            }
            String[] pong = String.valueOf(Peers.line(fromPong)).split(" ");
            if (!pong[0].equals("ALLOC") || Integer.parseInt(pong[1]) != p) {
                throw new IllegalStateException("the pong process said " + String.join(" ", pong) + ", expected ALLOC " + p);
            }
            results.allocation(peers.get(p).name(), least, Double.parseDouble(pong[2]));
        }
    }

    void pong(PrintStream toPing) {
        for (Case c : Case.all()) {
            for (int pass = 0; pass <= profile.passes; pass++) {
                for (int b = 0; b < profile.blocks; b++) {
                    for (int k = 0; k < peers.size(); k++) {
                        int p = (b + k) % peers.size();
                        if (peers.get(p).carries(c.size())) {
                            advance(p, profile.block(c.size()));
                            links.get(p).pong(profile.block(c.size()), c.size(), c.touch());
                        }
                    }
                }
            }
        }
        for (int size : Sizes.ALL) {
            long count = profile.stream(size);
            for (int p = 0; p < peers.size(); p++) {
                if (peers.get(p).streams()) {
                    links.get(p).drain(advance(p, count / 5), count / 5, size);
                    links.get(p).drain(advance(p, count), count, size);
                }
            }
        }
        for (long rate : profile.rates()) {
            long interval = 1_000_000_000L / rate;
            for (int p = 0; p < peers.size(); p++) {
                if (peers.get(p).streams()) {
                    Histogram h = Peers.histogram();
                    links.get(p).receivePaced(profile.paced(rate), interval, Sizes.SMALLEST, h);
                    toPing.println("PACED " + encode(h));
                    toPing.flush();
                }
            }
        }
        for (int p = 0; p < peers.size(); p++) {
            Link l = links.get(p);
            double least = Double.MAX_VALUE;
            for (int repeat = 0; repeat < ALLOC_REPEATS; repeat++) {
                advance(p, ALLOC_SHORT + ALLOC_LONG);
                long a0 = l.allocatedBytes();
                l.pong(ALLOC_SHORT, Sizes.SMALLEST, true);
                long a1 = l.allocatedBytes();
                l.pong(ALLOC_LONG, Sizes.SMALLEST, true);
                long a2 = l.allocatedBytes();
                least = Math.min(least, perRound(a0, a1, a2));
            }
            toPing.println("ALLOC " + p + " " + least);
            toPing.flush();
        }
    }

    private void latency(Case c, Results results) {
        int block = profile.block(c.size());
        int n = peers.size();
        Histogram[] inBlock = new Histogram[n];
        Histogram[] total = new Histogram[n];
        for (int p = 0; p < n; p++) {
            inBlock[p] = Peers.histogram();
            total[p] = Peers.histogram();
        }
        double[][] ratios = new double[n][profile.passes * profile.blocks];
        for (int pass = 0; pass <= profile.passes; pass++) {
            for (int b = 0; b < profile.blocks; b++) {
                for (int k = 0; k < n; k++) {
                    int p = (b + k) % n;
                    if (peers.get(p).carries(c.size())) {
                        inBlock[p].reset();
                        links.get(p).ping(advance(p, block), block, c.size(), c.touch(), inBlock[p]);
                    }
                }
                if (pass > 0) {
                    double reference = inBlock[0].getValueAtPercentile(50);
                    for (int p = 0; p < n; p++) {
                        if (peers.get(p).carries(c.size())) {
                            ratios[p][(pass - 1) * profile.blocks + b] = inBlock[p].getValueAtPercentile(50) / reference;
                            total[p].add(inBlock[p]);
                        }
                    }
                }
            }
        }
        for (int p = 0; p < n; p++) {
            if (peers.get(p).carries(c.size())) {
                results.latency(c, peers.get(p).name(), total[p], ratios[p]);
            }
        }
        System.out.printf("latency %s measured%n", c.label());
    }

    private long stream(int p, long count, int size) {
        return links.get(p).stream(advance(p, count), count, size);
    }

    /** The first round of the next {@code rounds} rounds of link {@code p}. */
    private long advance(int p, long rounds) {
        long first = next[p];
        next[p] = first + rounds;
        return first;
    }

    /** Steady-state bytes per round trip: the long run's allocation less the short run's, per extra round. */
    private static double perRound(long a0, long a1, long a2) {
        return Math.max(0.0, (double) ((a2 - a1) - (a1 - a0)) / (ALLOC_LONG - ALLOC_SHORT));
    }

    private static String encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }

    private static Histogram decode(BufferedReader from, String word) throws Exception {
        String line = Peers.line(from);
        if (line == null || !line.startsWith(word + " ")) {
            throw new IllegalStateException("the pong process said " + line + ", expected " + word);
        }
        byte[] bytes = Base64.getDecoder().decode(line.substring(word.length() + 1));
        return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
    }
}
