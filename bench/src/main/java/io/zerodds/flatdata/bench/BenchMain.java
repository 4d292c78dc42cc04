package io.zerodds.flatdata.bench;

import java.util.Arrays;

/** Entry point of {@code ./flatdata bench NAME [args]}: picks a benchmark by name. */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        String name = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (name) {
            case "bridge" -> BridgeBenchmark.main(rest);
            case "iceoryx2-latency" -> Iceoryx2Latency.main(rest);
            case "iceoryx2-round" -> Iceoryx2RoundBenchmark.main(rest);
            case "in-memory-throughput" -> InMemoryThroughput.main(rest);
            case "metrics-overhead" -> MetricsOverhead.main(rest);
            case "peers" -> io.zerodds.flatdata.bench.peers.Peers.main(rest);
            case "posix-latency" -> PosixLatency.main(rest);
            case "reactive-throughput" -> ReactiveThroughput.main(rest);
            default -> {
                System.err.println("usage: ./flatdata bench NAME [args]; NAME is one of: bridge, iceoryx2-latency, iceoryx2-round, in-memory-throughput, metrics-overhead, peers, "
                        + "posix-latency, reactive-throughput");
                System.exit(2);
            }
        }
    }
}
