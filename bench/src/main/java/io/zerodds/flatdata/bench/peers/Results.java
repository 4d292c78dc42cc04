package io.zerodds.flatdata.bench.peers;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one run of the peer benchmark measured, and its rendering: text tables on standard
 * output, and {@code results.md} with the charts ({@link Charts}) in the output directory.
 */
final class Results {
    /** The system every ratio is taken against. */
    static final String REFERENCE = "flatdata busy-spin";
    static final String NATIVE_ICEORYX2 = "native Rust iceoryx2 (own pair)";

    /** One system's latency for one case: every counted round trip, and its p50 ratios to the reference per block. */
    record Latency(Case c, String peer, Histogram histogram, double[] ratios) {
        double ratio() {
            return percentile(ratios, 50);
        }
    }

    private final String machine;
    private final Profile profile;
    private final List<Latency> latencies = new ArrayList<>();
    private final Map<Integer, Map<String, double[]>> throughput = new LinkedHashMap<>();
    private final Map<Long, Map<String, Histogram>> paced = new LinkedHashMap<>();
    private final Map<String, double[]> allocation = new LinkedHashMap<>();
    private final Map<String, Double> idle = new LinkedHashMap<>();

    Results(String machine, Profile profile) {
        this.machine = machine;
        this.profile = profile;
    }

    String machine() {
        return machine;
    }

    void latency(Case c, String peer, Histogram histogram, double[] ratios) {
        latencies.add(new Latency(c, peer, histogram, ratios.clone()));
    }

    void nativeIceoryx2(Case c, Histogram histogram) {
        latencies.add(new Latency(c, NATIVE_ICEORYX2, histogram, new double[0]));
    }

    void throughput(int size, String peer, long count, long nanos) {
        double perSecond = count * 1e9 / nanos;
        throughput.computeIfAbsent(size, s -> new LinkedHashMap<>()).put(peer,
                new double[] {perSecond, perSecond * size / 1e9});
    }

    void paced(long rate, String peer, Histogram histogram) {
        paced.computeIfAbsent(rate, r -> new LinkedHashMap<>()).put(peer, histogram);
    }

    void allocation(String peer, double pingBytesPerRound, double pongBytesPerRound) {
        allocation.put(peer, new double[] {pingBytesPerRound, pongBytesPerRound});
    }

    void idle(String peer, long cpuNanos, long wallNanos) {
        idle.put(peer, 100.0 * cpuNanos / wallNanos);
    }

    List<Latency> latencies() {
        return latencies;
    }

    Map<Integer, Map<String, double[]>> throughput() {
        return throughput;
    }

    Map<String, Double> idle() {
        return idle;
    }

    Map<String, double[]> allocation() {
        return allocation;
    }

    /** The latency of {@code peer} for {@code c}, or null when it was not measured. */
    Latency latency(Case c, String peer) {
        for (Latency l : latencies) {
            if (l.c().equals(c) && l.peer().equals(peer)) {
                return l;
            }
        }
        return null;
    }

    void print(PrintStream out) {
        out.println(machine);
        for (Case c : Case.all()) {
            out.printf("%none-way latency, %s, ns (RTT/2); ratio: p50 / %s p50 in the same block, median%n",
                    c.label(), REFERENCE);
            out.printf("%-34s %9s %8s %8s %8s %8s %8s %10s %7s%n", "system", "rounds", "mean", "p50", "p90", "p99",
                    "p99.9", "max", "ratio");
            for (Latency l : latencies) {
                if (l.c().equals(c)) {
                    Histogram h = l.histogram();
                    out.printf("%-34s %9d %8.0f %8d %8d %8d %8d %10d %7s%n", l.peer(), h.getTotalCount(), h.getMean(),
                            h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                            h.getValueAtPercentile(99.9), h.getMaxValue(), ratio(l));
                }
            }
        }
        out.printf("%nthroughput, writer process -> reader process%n");
        out.printf("%-34s %10s %14s %8s%n", "system", "size", "samples/s", "GB/s");
        throughput.forEach((size, bySystem) -> bySystem.forEach((peer, v) ->
                out.printf("%-34s %10s %,14.0f %8.2f%n", peer, Sizes.label(size), v[0], v[1])));
        paced.forEach((rate, bySystem) -> {
            out.printf("%npaced at %,d samples/s, 64 B, one-way, corrected for coordinated omission, ns%n", rate);
            out.printf("%-34s %9s %8s %8s %8s %10s%n", "system", "samples", "p50", "p99", "p99.9", "max");
            bySystem.forEach((peer, h) -> out.printf("%-34s %9d %8d %8d %8d %10d%n", peer, h.getTotalCount(),
                    h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9),
                    h.getMaxValue()));
        });
        out.printf("%nallocation per 64-byte round trip in the steady state, bytes (ping process / pong process)%n");
        allocation.forEach((peer, v) -> out.printf("%-34s %10.2f %10.2f%n", peer, v[0], v[1]));
        out.printf("%nidle subscriber, no traffic for %d s: CPU%% of one core%n", profile.idleSeconds());
        idle.forEach((peer, v) -> out.printf("%-34s %8.3f%n", peer, v));
        out.println();
        for (Goals.Goal g : Goals.of(this)) {
            out.printf("goal %-70s %s: %s%n", g.goal(), g.met() ? "met" : "MISSED", g.measured());
        }
    }

    private static String ratio(Latency l) {
        return l.ratios().length == 0 ? "-" : String.format(Locale.ROOT, "%.2f", l.ratio());
    }

    /** Writes {@code results.md}, {@code latency-percentiles.svg} and {@code sizes.svg} into {@code dir}. */
    void write(Path dir) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("<!-- written by ./flatdata bench peers ").append(profile.flag()).append(" -->\n\n");
        md.append("`").append(machine).append("`, profile `").append(profile.flag()).append("`\n\n");
        md.append("### One-way latency (RTT/2), ns\n\n");
        md.append("Ratio: the system's p50 over flatdata busy-spin's p50 in the same block of the same run, median "
                + "over the blocks (10th-90th percentile of the ratios in brackets).\n\n");
        for (Case c : Case.all()) {
            md.append("**").append(c.label()).append("**\n\n");
            md.append("| system | round trips | mean | p50 | p90 | p99 | p99.9 | max | p50 ratio |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Latency l : latencies) {
                if (l.c().equals(c)) {
                    Histogram h = l.histogram();
                    md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %d | %d | %d | %d | %d | %s |%n", l.peer(),
                            h.getTotalCount(), h.getMean(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                            h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(),
                            l.ratios().length == 0 ? "separate pair" : String.format(Locale.ROOT, "%.2f (%.2f-%.2f)",
                                    l.ratio(), percentile(l.ratios(), 10), percentile(l.ratios(), 90))));
                }
            }
            md.append('\n');
        }
        md.append("![latency percentiles at 64 B](latency-percentiles.svg)\n\n");
        md.append("### Throughput, writer process to reader process\n\n");
        md.append("| system | size | samples/s | GB/s | vs flatdata busy-spin |\n|---|---:|---:|---:|---:|\n");
        throughput.forEach((size, bySystem) -> {
            double[] ref = bySystem.get(REFERENCE);
            bySystem.forEach((peer, v) -> md.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %.2f | %s |%n", peer,
                    Sizes.label(size), v[0], v[1], ref == null ? "-" : String.format(Locale.ROOT, "%.2f", v[0] / ref[0]))));
        });
        md.append("\n![latency and throughput by sample size](sizes.svg)\n\n");
        paced.forEach((rate, bySystem) -> {
            md.append(String.format(Locale.ROOT, "### Paced: %,d samples/s of 64 B, one-way latency corrected for "
                    + "coordinated omission (HdrHistogram expected interval %d ns), ns%n%n", rate, 1_000_000_000L / rate));
            md.append("Samples: those sent plus those the correction adds for every stall longer than the interval.\n\n");
            md.append("| system | samples | p50 | p90 | p99 | p99.9 | p99.99 | max |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
            bySystem.forEach((peer, h) -> md.append(String.format(Locale.ROOT,
                    "| %s | %d | %d | %d | %d | %d | %d | %d |%n", peer, h.getTotalCount(), h.getValueAtPercentile(50),
                    h.getValueAtPercentile(90), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9),
                    h.getValueAtPercentile(99.99), h.getMaxValue())));
            md.append('\n');
        });
        md.append("\n### Allocation per 64-byte round trip in the steady state, bytes\n\n");
        md.append("Measured with the JVM's thread-allocation counters: the bytes of a run of 20,000 round trips less "
                + "those of a run of 2,000, over the 18,000 extra (so a pipeline's set-up does not count), the least of "
                + "three such pairs. The reactive path counts every thread of its process.\n\n");
        md.append("| system | ping process | pong process |\n|---|---:|---:|\n");
        allocation.forEach((peer, v) -> md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f |%n", peer, v[0], v[1])));
        md.append(String.format(Locale.ROOT, "%n### Idle subscriber: CPU of its thread with no traffic for %d s%n%n",
                profile.idleSeconds()));
        md.append("| subscriber | % of one core |\n|---|---:|\n");
        idle.forEach((peer, v) -> md.append(String.format(Locale.ROOT, "| %s | %.3f |%n", peer, v)));
        md.append("\n### Goals\n\n| goal | measured | |\n|---|---|---|\n");
        for (Goals.Goal g : Goals.of(this)) {
            md.append("| ").append(g.goal()).append(" | ").append(g.measured()).append(" | ")
                    .append(g.met() ? "met" : "**missed**").append(" |\n");
        }
        Files.writeString(dir.resolve("results.md"), md);
        Files.writeString(dir.resolve("latency-percentiles.svg"), Charts.percentiles(this, new Case(Sizes.SMALLEST, true)));
        Files.writeString(dir.resolve("sizes.svg"), Charts.sizes(this));
    }

    /** The {@code q}-th percentile of {@code values} (a sorted copy), 0 for none. */
    static double percentile(double[] values, double q) {
        if (values.length == 0) {
            return 0;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int i = (int) Math.min(sorted.length - 1, Math.round(q / 100 * (sorted.length - 1)));
        return sorted[i];
    }
}
