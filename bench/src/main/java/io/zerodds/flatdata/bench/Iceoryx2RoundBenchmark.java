package io.zerodds.flatdata.bench;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH: the single-threaded round over iceoryx2 ({@link SingleRound}), one layer per
 * {@code layer} parameter, in nanoseconds per round. What {@code iceoryx2-latency} prints as its
 * first line, measured with JMH's forks, warm-up and error bars, and open to its profilers:
 * {@code ./flatdata bench iceoryx2-round -prof gc} shows the bytes each layer allocates per round.
 *
 * <p>Usage: {@code ./flatdata bench iceoryx2-round [JMH options]}, for example {@code -p layer=backend,ffm}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class Iceoryx2RoundBenchmark {

    /** Rounds per benchmark call: the side's loop, timed by JMH around it. */
    static final int ROUNDS = 1_000;
    private static final int SLOTS = 64;
    private static final int SAMPLE = 64;

    /** Which layer: one of {@link SingleRound#LAYERS}. */
    @Param({"flat", "backend", "ffm", "native"})
    public String layer;

    private String tag;
    private SingleRound round;
    private PingPongSide side;

    @Setup
    public void open() {
        int index = SingleRound.LAYERS.indexOf(layer);
        if (index < 0) {
            throw new IllegalArgumentException("layer=" + layer + " is not one of " + SingleRound.LAYERS);
        }
        Iceoryx2Latency.useBuiltLibrary();
        tag = "flatdata-bench-round-" + ProcessHandle.current().pid();
        round = new SingleRound(tag, SLOTS, SAMPLE);
        side = round.side(index);
    }

    @TearDown
    public void close() throws IOException {
        try {
            round.close();
        } finally {
            Iceoryx2Latency.removeServiceFiles(tag);
        }
    }

    /** {@value #ROUNDS} rounds of loan, write, commit, take, read and release; JMH reports one. */
    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long round() {
        return side.local(ROUNDS);
    }

    public static void main(String[] args) throws Exception {
        new Runner(new OptionsBuilder().parent(new CommandLineOptions(args))
                .include(Iceoryx2RoundBenchmark.class.getName() + ".round").build()).run();
    }
}
