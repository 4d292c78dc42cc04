package io.zerodds.flatdata.bench.peers;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The goals the peer benchmark reports against, each judged from the run's own numbers; a goal
 * whose systems were not measured (left out with {@code --only}, or not built) is not listed.
 */
final class Goals {
    private Goals() {
    }

    static final String SPIN = Results.REFERENCE;
    static final String FUTEX = "flatdata futex wait";
    static final String AERON = "Aeron IPC";
    static final String UDS = "Unix domain socket";
    static final String BARE_LINE = "bare cache line (limit)";
    static final String BARE_FUTEX = "bare futex (limit)";
    /**
     * The peers that copy a large payload on its way: Aeron offers it into its term buffer (above
     * one frame), a socket through the kernel. Agrona's ring and Chronicle are written in place here.
     */
    static final List<String> COPYING = List.of(AERON, UDS);

    record Goal(String goal, String measured, boolean met) {
    }

    static List<Goal> of(Results r) {
        List<Goal> goals = new ArrayList<>();
        Case small = new Case(Sizes.SMALLEST, true);
        Case large = new Case(Sizes.LARGEST, true);
        Case untouched = new Case(Sizes.LARGEST, false);
        Results.Latency spin = r.latency(small, SPIN);
        Results.Latency aeron = r.latency(small, AERON);
        if (spin != null && aeron != null) {
            long s = p50(spin);
            long a = p50(aeron);
            goals.add(new Goal("busy-spin p50 at or below Aeron IPC's, 64 B", s + " ns vs " + a + " ns", s <= a));
            long s99 = spin.histogram().getValueAtPercentile(99);
            long a99 = aeron.histogram().getValueAtPercentile(99);
            goals.add(new Goal("busy-spin p99 at or below Aeron IPC's, 64 B", s99 + " ns vs " + a99 + " ns", s99 <= a99));
        }
        Results.Latency line = r.latency(small, BARE_LINE);
        if (spin != null && line != null) {
            double ratio = 1 / line.ratio();
            goals.add(new Goal("busy-spin p50 at most 1.5x the bare cache line, 64 B",
                    fmt("%.2fx (%d ns vs %d ns)", ratio, p50(spin), p50(line)), ratio <= 1.5));
        }
        Results.Latency futex = r.latency(small, FUTEX);
        Results.Latency bareFutex = r.latency(small, BARE_FUTEX);
        if (futex != null && bareFutex != null) {
            double ratio = futex.ratio() / bareFutex.ratio();
            goals.add(new Goal("futex-wait p50 within 1.3x of the bare futex ping-pong, 64 B",
                    fmt("%.2fx (%d ns vs %d ns)", ratio, p50(futex), p50(bareFutex)), ratio <= 1.3));
        }
        Results.Latency spinUntouched = r.latency(untouched, SPIN);
        if (spin != null && spinUntouched != null) {
            double ratio = (double) p50(spinUntouched) / p50(spin);
            goals.add(new Goal("1 MiB untouched p50 within 1.2x of 64 B (zero copy)",
                    fmt("%.2fx (%d ns vs %d ns)", ratio, p50(spinUntouched), p50(spin)), ratio <= 1.2));
        }
        Results.Latency spinLarge = r.latency(large, SPIN);
        if (spinLarge != null) {
            String behind = null;
            long fastest = Long.MAX_VALUE;
            for (Results.Latency l : r.latencies()) {
                if (l.c().equals(large) && COPYING.contains(l.peer()) && p50(l) < fastest) {
                    fastest = p50(l);
                    behind = l.peer();
                }
            }
            if (behind != null) {
                goals.add(new Goal("1 MiB touched p50 ahead of every copying peer (Aeron IPC, Unix domain socket)",
                        fmt("%d ns; fastest copying peer: %s %d ns", p50(spinLarge), behind, fastest),
                        p50(spinLarge) < fastest));
            }
        }
        throughputGoal(goals, r, Sizes.SMALLEST, 1.0);
        throughputGoal(goals, r, Sizes.LARGEST, 2.0);
        Results.Latency uds = r.latency(small, UDS);
        if (spin != null && uds != null) {
            double ratio = uds.ratio();
            goals.add(new Goal("20x lower p50 than Unix domain sockets, 64 B",
                    fmt("%.1fx (%d ns vs %d ns)", ratio, p50(spin), p50(uds)), ratio >= 20));
        }
        Double idle = r.idle().get(FUTEX);
        if (idle != null) {
            goals.add(new Goal("an idle subscriber under 1% of a core (futex wait)", fmt("%.3f%%", idle), idle < 1.0));
        }
        return goals;
    }

    private static void throughputGoal(List<Goal> goals, Results r, int size, double factor) {
        Map<String, double[]> bySystem = r.throughput().get(size);
        if (bySystem == null || !bySystem.containsKey(SPIN) || !bySystem.containsKey(AERON)) {
            return;
        }
        double s = bySystem.get(SPIN)[0];
        double a = bySystem.get(AERON)[0];
        goals.add(new Goal(fmt("throughput at %s at least %sx Aeron IPC's", Sizes.label(size),
                factor == 1.0 ? "1" : fmt("%.0f", factor)), fmt("%.2fx (%,.0f/s vs %,.0f/s)", s / a, s, a),
                s >= factor * a));
    }

    private static long p50(Results.Latency l) {
        return l.histogram().getValueAtPercentile(50);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
