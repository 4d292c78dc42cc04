package io.zerodds.flatdata.bench;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zerodds.flatdata.micrometer.FlatMetrics;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The hot path with and without a ring's meters bound: writer thread to reader thread over the
 * in-memory ring (64-byte samples, 256 slots), runs alternating between no registry and
 * {@link FlatMetrics} bound to a registry that a third thread reads every 100 ms (a hundred times
 * more often than a publisher at a 10 s step would; reading more often makes the third thread take
 * CPU time from the two spinning ones on a 2-core machine, which is then what gets measured). Prints samples/s of each run and the median ratio of
 * bound to unbound over the pairs; the counts the meters read are kept whether or not anything is
 * bound, so the ratio shows what reading them costs the two threads.
 *
 * <p>Usage: {@code ./flatdata bench metrics-overhead [samples] [pairs]}.
 */
public final class MetricsOverhead {
    private MetricsOverhead() {
    }

    public static void main(String[] args) throws Exception {
        long samples = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000L;
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        if (samples < 1 || pairs < 1) {
            throw new IllegalArgumentException("samples=" + samples + " and pairs=" + pairs + " must be at least 1");
        }
        InMemoryThroughput.run(64, 256, samples / 2); // warm-up
        InMemoryThroughput.run(64, 256, samples / 2, MetricsOverhead::boundAndScraped);
        double[] ratios = new double[pairs];
        System.out.printf("%-5s %16s %16s %8s%n", "pair", "unbound (/s)", "bound (/s)", "ratio");
        for (int p = 0; p < pairs; p++) {
            // alternate which goes first, so a drift of the machine favours neither
            double unbound;
            double bound;
            if (p % 2 == 0) {
                unbound = InMemoryThroughput.run(64, 256, samples).rate();
                bound = InMemoryThroughput.run(64, 256, samples, MetricsOverhead::boundAndScraped).rate();
            } else {
                bound = InMemoryThroughput.run(64, 256, samples, MetricsOverhead::boundAndScraped).rate();
                unbound = InMemoryThroughput.run(64, 256, samples).rate();
            }
            ratios[p] = bound / unbound;
            System.out.printf("%-5d %,16.0f %,16.0f %8.3f%n", p + 1, unbound, bound, ratios[p]);
        }
        Arrays.sort(ratios);
        System.out.printf("bound / unbound samples/s: median of %d pairs %.3f (min %.3f, max %.3f)%n", pairs,
                ratios[pairs / 2], ratios[0], ratios[pairs - 1]);
    }

    private static AutoCloseable boundAndScraped(io.zerodds.flatdata.SlotBackend backend) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FlatMetrics.bind(backend, registry, Tags.of("bench", "metrics-overhead"));
        AtomicBoolean running = new AtomicBoolean(true);
        Thread scraper = Thread.ofPlatform().daemon().name("metrics-scraper").start(() -> {
            while (running.get()) {
                for (Meter m : registry.getMeters()) {
                    m.measure().forEach(x -> x.getValue());
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        return () -> {
            running.set(false);
            scraper.join();
        };
    }
}
