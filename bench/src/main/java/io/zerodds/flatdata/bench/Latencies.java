package io.zerodds.flatdata.bench;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.Sample;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.HdrHistogram.Histogram;

/** What the ping-pong latency benchmarks share: histograms, their report lines, waits, the mapped file. */
final class Latencies {
    private Latencies() {
    }

    /** The round-trip count argument ({@code args[0]}, else {@code otherwise}), at least 1. */
    static long roundTrips(String[] args, long otherwise) {
        long rounds = args.length > 0 ? Long.parseLong(args[0]) : otherwise;
        if (rounds < 1) {
            throw new IllegalArgumentException("round-trips=" + rounds + " must be at least 1");
        }
        return rounds;
    }

    /** The first line of a latency report: what is measured, on how many cores, with which JVM. */
    static void title(int sampleBytes) {
        System.out.printf("one-way latency, %d-byte samples, ping-pong RTT/2, %d cores, %s%n", sampleBytes,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
    }

    /** Nanoseconds up to 10 s, 3 significant digits. */
    static Histogram histogram() {
        return new Histogram(10_000_000_000L, 3);
    }

    /** Creates {@code file} zero-filled, {@code size} bytes, and maps it into {@code arena}. */
    static MemorySegment mapNew(Path file, long size, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate((int) size), 0);
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
        }
    }

    /** One line: the median of {@code ratios}, one per triple of blocks, with its 10th and 90th percentiles (sorts them). */
    static void summary(String what, double[] ratios) {
        summary(what, "triple", ratios);
    }

    /** {@link #summary(String, double[])} for ratios taken per {@code group} of blocks. */
    static void summary(String what, String group, double[] ratios) {
        Arrays.sort(ratios);
        int n = ratios.length;
        System.out.printf("%s per %s: median of %d %.2f (10th percentile %.2f, 90th %.2f)%n", what, group, n,
                ratios[n / 2], ratios[n / 10], ratios[n - 1 - n / 10]);
    }

    /** The header of the report table; {@code width} is the mode column's. */
    static void header(int width) {
        System.out.printf("%-" + width + "s %10s %8s %8s %8s %8s %8s %10s%n", "mode", "round trips", "mean", "p50", "p90",
                "p99", "p99.9", "max (ns)");
    }

    /** A row of the report table. */
    static void report(int width, String mode, Histogram h) {
        System.out.printf("%-" + width + "s %10d %8.0f %8d %8d %8d %8d %10d%n", mode, h.getTotalCount(), h.getMean(),
                h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), h.getMaxValue());
    }

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    /**
     * Round trips {@code first..end} of the bare baseline: one cache line at {@code offset} of
     * {@code line} bounced between the two processes; each RTT/2 recorded.
     */
    static void pingBare(MemorySegment line, long offset, long first, long end, Histogram histogram) {
        for (long i = first; i < end; i++) {
            long t0 = System.nanoTime();
            LONG.setRelease(line, offset, 2 * i + 1);
            long n = 0;
            while ((long) LONG.getAcquire(line, offset) != 2 * i + 2) {
                n = BusyWait.idle(n, "bare echo");
            }
            histogram.recordValue((System.nanoTime() - t0) / 2);
        }
    }

    /** The other side of {@link #pingBare}. */
    static void pongBare(MemorySegment line, long offset, long first, long end) {
        for (long i = first; i < end; i++) {
            long n = 0;
            while ((long) LONG.getAcquire(line, offset) != 2 * i + 1) {
                n = BusyWait.idle(n, "bare ping");
            }
            LONG.setRelease(line, offset, 2 * i + 2);
        }
    }

    /**
     * Flatdata round trips {@code first..end}: loan, write the round number, commit {@code size}
     * bytes, await the echo busy-spinning or blocking; each RTT/2 recorded. The round trip ends
     * when the echo is in hand; releasing it is the next round's business (it waits for the
     * echo's cache line).
     */
    static void pingEcho(FlatWriter writer, FlatReader reader, int size, long first, long end, Histogram histogram,
                         boolean block) {
        for (long i = first; i < end; i++) {
            long t0 = System.nanoTime();
            FlatWriter.Claim claim = writer.loan();
            claim.segment().set(ValueLayout.JAVA_LONG, 0, i);
            claim.commit(size);
            Sample s = block ? block(reader) : spin(reader);
            long echoed = s.segment().get(ValueLayout.JAVA_LONG, 0);
            long t1 = System.nanoTime();
            s.release();
            histogram.recordValue((t1 - t0) / 2);
            if (echoed != i) {
                throw new IllegalStateException("round " + i + " echoed " + echoed);
            }
        }
    }

    /**
     * The other side of {@link #pingEcho}: takes a ping, commits the reply, then releases the
     * ping (the reply goes out first: marking the ping read waits for its cache line).
     */
    static void echo(FlatReader reader, FlatWriter writer, int size, boolean block) {
        Sample s = block ? block(reader) : spin(reader);
        FlatWriter.Claim claim = writer.loan();
        claim.segment().set(ValueLayout.JAVA_LONG, 0, s.segment().get(ValueLayout.JAVA_LONG, 0));
        claim.commit(size);
        s.release();
    }

    /** The next sample, busy-spinning on take(). */
    static Sample spin(FlatReader reader) {
        Sample s;
        long n = 0;
        while ((s = reader.take()) == null) {
            n = BusyWait.idle(n, "sample");
        }
        return s;
    }

    /** The next sample, blocking in the backend's event-driven wait. */
    static Sample block(FlatReader reader) {
        Sample s = reader.take(BusyWait.PATIENCE);
        if (s == null) {
            throw new IllegalStateException("no sample within " + BusyWait.PATIENCE + " on " + reader);
        }
        return s;
    }
}
