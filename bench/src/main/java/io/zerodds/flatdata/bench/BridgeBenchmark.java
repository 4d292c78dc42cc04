package io.zerodds.flatdata.bench;

import io.aeron.driver.MediaDriver;
import io.zerodds.flatdata.test.ChildProcess;
import io.zerodds.flatdata.test.NetworkNamespaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.HdrHistogram.Histogram;

/**
 * {@code ./flatdata bench bridge [--quick | --full] [--round-trips N] [--samples N]}: the flatdata
 * Aeron bridge across a veth link between this network namespace and a second one (made here; needs
 * root and {@code ip}, else loopback, said so in the report), next to plain Aeron UDP on the same
 * link in the same run, at 64 B and 64 KiB.
 *
 * <p>Latency is one way, RTT/2 of a ping-pong timed on this process's {@code System.nanoTime()}:
 * the peer process ({@link BridgePeer}) echoes every message whole. The bridge path is ring, bridge,
 * receiver, ring and back the same way; the plain path is an Aeron publication each way. Throughput:
 * N samples streamed one way as fast as flow control lets them, only the last one echoed, the clock
 * stopped when that echo arrives. {@code --quick} (the default) runs 5,000 round trips and 200,000
 * samples at 64 B, a tenth of each at 64 KiB; {@code --full} ten times that; {@code --round-trips}
 * and {@code --samples} set the 64-byte counts (64 KiB takes a tenth, at least 10).
 */
public final class BridgeBenchmark {
    /**
     * Slots of every ring of a case: a reliable bridge holds at most its ring's slot count
     * unacknowledged, so the ring is its window (1024 small samples, 64 of 64 KiB: 4 MiB).
     */
    static int slots(int size) {
        return size <= 1024 ? 1024 : 64;
    }
    private static final int[] SIZES = {64, 64 * 1024};
    private static final int WIDTH = 22;

    private BridgeBenchmark() {
    }

    record Result(Histogram latency, long samples, double seconds, int size) {
        double samplesPerSecond() {
            return samples / seconds;
        }

        double megabytesPerSecond() {
            return samples * (double) size / seconds / 1e6;
        }
    }

    public static void main(String[] args) throws Exception {
        long roundTrips = 5_000;
        long samples = 200_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> {
                }
                case "--full" -> {
                    roundTrips *= 10;
                    samples *= 10;
                }
                case "--round-trips" -> roundTrips = positive(args, ++i);
                case "--samples" -> samples = positive(args, ++i);
                default -> throw new IllegalArgumentException("argument=" + args[i]
                        + " is none of --quick, --full, --round-trips N, --samples N");
            }
        }
        NetworkNamespaces ns = NetworkNamespaces.create();
        try {
            String here = ns == null ? "127.0.0.1" : ns.hostAddress;
            String there = ns == null ? "127.0.0.1" : ns.peerAddress;
            System.out.printf("bridge benchmark, %d cores, %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.vm.version"));
            if (ns != null) {
                System.out.printf("link: veth %s (%s) <-> %s (%s) in network namespace %s%n", ns.hostLink, here,
                        ns.peerLink, there, ns.namespace);
            } else {
                System.out.printf("link: loopback 127.0.0.1, fallen back because %s%n", NetworkNamespaces.whyNot);
            }
            System.out.println("latency: one way, RTT/2 of a ping-pong on this process's System.nanoTime(); "
                    + "throughput: samples streamed one way, clock stopped at the echo of the last");
            System.out.printf("rings: %d slots at 64 B, %d at 64 KiB (a reliable bridge's window)%n", slots(64), slots(64 * 1024));
            System.out.printf("%-" + WIDTH + "s %11s %8s %8s %8s %8s %10s %12s %9s%n", "case", "round trips", "p50",
                    "p90", "p99", "p99.9", "max (ns)", "samples/s", "MB/s");
            try (MediaDriver driver = BridgePath.driver()) {
                for (int size : SIZES) {
                    long rt = size == 64 ? roundTrips : Math.max(10, roundTrips / 10);
                    long n = size == 64 ? samples : Math.max(10, samples / 10);
                    String label = size == 64 ? "64 B" : "64 KiB";
                    Result aeron = run("aeron", size, rt, n, driver, ns, here, there);
                    report(label + " aeron udp", aeron);
                    Result bridge = run("bridge", size, rt, n, driver, ns, here, there);
                    report(label + " flatdata bridge", bridge);
                    ratios(label + " bridge/aeron", bridge, aeron);
                }
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }

    private static long positive(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a count");
        }
        long n = Long.parseLong(args[i]);
        if (n < 1) {
            throw new IllegalArgumentException(args[i - 1] + "=" + n + " must be at least 1");
        }
        return n;
    }

    private static Result run(String kind, int size, long roundTrips, long samples, MediaDriver driver,
                              NetworkNamespaces ns, String here, String there) throws Exception {
        BridgePath.Endpoints at = new BridgePath.Endpoints(there + ":" + port(), here + ":" + port(),
                here + ":" + port(), there + ":" + port());
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        java.addAll(jvmFlags());
        java.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"), BridgePeer.class.getName(),
                kind, String.valueOf(size)));
        java.addAll(List.of(at.args()));
        String dir = driver.aeronDirectoryName();
        try (ChildProcess peer = ChildProcess.start("bridge peer " + kind, ns == null ? java : ns.inside(java));
             BridgePath path = kind.equals("aeron")
                     ? new BridgePath.Plain(dir, BridgePath.udp(at.data()), BridgePath.DATA_STREAM,
                             BridgePath.udp(at.back()), BridgePath.BACK_STREAM, size)
                     : new BridgePath.Bridged(dir, at.data(), at.dataControl(), at.back(), at.backControl(), slots(size), size)) {
            path.awaitConnected();
            peer.expect("ready", BridgePath.PATIENCE);
            long warmup = Math.max(1, roundTrips / 10);
            Histogram latency = Latencies.histogram();
            for (long i = 0; i < warmup + roundTrips; i++) {
                long t0 = System.nanoTime();
                path.send(i | BridgePath.REPLY, size);
                long echoed = path.receive();
                long t1 = System.nanoTime();
                if (echoed != (i | BridgePath.REPLY)) {
                    throw new IllegalStateException(kind + " round trip " + i + " echoed tag " + Long.toHexString(echoed));
                }
                if (i >= warmup) {
                    latency.recordValue((t1 - t0) / 2);
                }
            }
            long start = System.nanoTime();
            for (long i = 0; i < samples - 1; i++) {
                path.send(i, size);
            }
            path.send((samples - 1) | BridgePath.REPLY, size);
            long last = path.receive();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (last != ((samples - 1) | BridgePath.REPLY)) {
                throw new IllegalStateException(kind + " stream of " + samples + " ended with tag " + Long.toHexString(last));
            }
            path.send(BridgePath.STOP, size);
            peer.expect("stopped", BridgePath.PATIENCE);
            return new Result(latency, samples, seconds, size);
        }
    }

    /** The JVM flags of bench/jvm-flags.txt (from the repository root or from bench/). */
    private static List<String> jvmFlags() {
        for (Path p : List.of(Path.of("bench", "jvm-flags.txt"), Path.of("jvm-flags.txt"))) {
            if (Files.isRegularFile(p)) {
                return List.of("@" + p.toAbsolutePath());
            }
        }
        throw new IllegalStateException("no bench/jvm-flags.txt under " + Path.of("").toAbsolutePath());
    }

    private static int port() {
        return ThreadLocalRandom.current().nextInt(20_000, 45_000);
    }

    private static void report(String what, Result r) {
        Histogram h = r.latency();
        System.out.printf("%-" + WIDTH + "s %11d %8d %8d %8d %8d %10d %12.0f %9.1f%n", what, h.getTotalCount(),
                h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), h.getMaxValue(), r.samplesPerSecond(), r.megabytesPerSecond());
    }

    private static void ratios(String what, Result bridge, Result aeron) {
        Histogram b = bridge.latency();
        Histogram a = aeron.latency();
        System.out.printf("%-" + WIDTH + "s %11s %8.2f %8.2f %8.2f %8.2f %10.2f %12.2f %9.2f%n", what, "",
                ratio(b.getValueAtPercentile(50), a.getValueAtPercentile(50)),
                ratio(b.getValueAtPercentile(90), a.getValueAtPercentile(90)),
                ratio(b.getValueAtPercentile(99), a.getValueAtPercentile(99)),
                ratio(b.getValueAtPercentile(99.9), a.getValueAtPercentile(99.9)),
                ratio(b.getMaxValue(), a.getMaxValue()),
                bridge.samplesPerSecond() / aeron.samplesPerSecond(),
                bridge.megabytesPerSecond() / aeron.megabytesPerSecond());
    }

    private static double ratio(long a, long b) {
        return (double) a / Math.max(1, b);
    }
}
