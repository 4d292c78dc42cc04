package io.zerodds.flatdata.bench;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.PosixSlotBackend;
import io.zerodds.flatdata.Sample;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * One-way latency between two processes, measured as ping-pong round trip / 2, for 64-byte
 * samples through {@link PosixSlotBackend} with {@link FlatWriter#loan()} and
 * {@link FlatReader#take()}: once busy-spinning, once blocking in the futex wait; next to a bare
 * baseline in the same run, two processes bouncing one cache line through a mapped
 * {@code /dev/shm} file. Bare and busy-spin runs alternate in {@value #PASSES} passes after one
 * warm-up pass, and the summary line gives the median of the passes' p50 ratios. Each pass also
 * runs the {@link RingFloor}: flatdata's memory operations on the shared lines without the
 * library's code, which splits the gap to the baseline into protocol and code.
 *
 * <p>The ping side loans, writes and commits a sample, takes the echo, stops the clock and
 * releases the echo; the pong side takes the ping, commits its reply, then releases the ping.
 * Both wait for the first 100000 round trips (or a quarter of a run, if more) before recording.
 *
 * <p>Usage: {@code ./flatdata bench posix-latency [round-trips]} (default 1000000 busy-spinning,
 * spread over the passes, and a tenth of that with futex waits). The pong side is a child JVM
 * started from this one.
 */
public final class PosixLatency {
    private PosixLatency() {
    }

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final int SAMPLE = 64;
    /** Alternating bare and busy-spin runs in one benchmark run. */
    private static final int PASSES = 5;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("pong")) {
            pong(args[1], args[2], Long.parseLong(args[3]));
            return;
        }
        long rounds = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        String tag = "flatdata-bench-" + ProcessHandle.current().pid();
        System.out.printf("one-way latency, %d-byte samples, ping-pong RTT/2, %d cores, %s%n", SAMPLE,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
        // The cost of moving a cache line between two cores drifts on a shared host (which physical
        // cores the two processes get): bare and busy-spin alternate in passes, and each pass's
        // ratio compares two runs seconds apart.
        Histogram bare = histogram();
        Histogram floor = histogram();
        Histogram spin = histogram();
        // this process compiles its loops during the first pass: that one is not counted
        Histogram wb = run("bare", tag + "-warm-bare", rounds / PASSES);
        Histogram wf = run("floor", tag + "-warm-floor", rounds / PASSES);
        Histogram ws = run("spin", tag + "-warm-spin", rounds / PASSES);
        System.out.printf("warm-up pass (not counted): p50 bare %d ns, busy-spin %d ns, protocol floor %d ns%n",
                wb.getValueAtPercentile(50), ws.getValueAtPercentile(50), wf.getValueAtPercentile(50));
        double[] ratios = new double[PASSES];
        double[] floorRatios = new double[PASSES];
        for (int pass = 0; pass < PASSES; pass++) {
            Histogram b = run("bare", tag + "-bare" + pass, rounds / PASSES);
            Histogram f = run("floor", tag + "-floor" + pass, rounds / PASSES);
            Histogram s = run("spin", tag + "-spin" + pass, rounds / PASSES);
            ratios[pass] = (double) s.getValueAtPercentile(50) / b.getValueAtPercentile(50);
            floorRatios[pass] = (double) f.getValueAtPercentile(50) / b.getValueAtPercentile(50);
            System.out.printf("pass %d: p50 bare %d ns, busy-spin %d ns, ratio %.2f; protocol floor %d ns%n",
                    pass + 1, b.getValueAtPercentile(50), s.getValueAtPercentile(50), ratios[pass],
                    f.getValueAtPercentile(50));
            bare.add(b);
            floor.add(f);
            spin.add(s);
        }
        Arrays.sort(ratios);
        Arrays.sort(floorRatios);
        System.out.printf("busy-spin p50 / bare p50: median of %d passes %.2f (lowest %.2f, highest %.2f)%n",
                PASSES, ratios[PASSES / 2], ratios[0], ratios[PASSES - 1]);
        System.out.printf("protocol floor p50 / bare p50: median of %d passes %.2f (lowest %.2f, highest %.2f)%n",
                PASSES, floorRatios[PASSES / 2], floorRatios[0], floorRatios[PASSES - 1]);
        System.out.printf("%-28s %10s %8s %8s %8s %8s %8s %10s%n", "mode", "round trips", "mean", "p50", "p90",
                "p99", "p99.9", "max (ns)");
        report("bare cache line (baseline)", bare);
        report("protocol floor (no library)", floor);
        report("flatdata busy-spin", spin);
        report("flatdata futex wait", run("futex", tag + "-futex", Math.max(1_000, rounds / 10)));
    }

    /** Creates {@code file} (zero-filled, large enough for either file-based mode) and maps it. */
    private static MemorySegment mapNew(Path file, Arena arena) throws java.io.IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate((int) RingFloor.FILE_SIZE), 0);
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, RingFloor.FILE_SIZE, arena);
        }
    }

    /** Nanoseconds up to 10 s, 3 significant digits. */
    private static Histogram histogram() {
        return new Histogram(10_000_000_000L, 3);
    }

    private static void report(String mode, Histogram h) {
        System.out.printf("%-28s %10d %8.0f %8d %8d %8d %8d %10d%n", mode, h.getTotalCount(), h.getMean(),
                h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), h.getMaxValue());
    }

    /** Starts the pong process, runs warm-up and measured round trips, returns RTT/2 in ns. */
    private static Histogram run(String mode, String name, long rounds) throws Exception {
        long warmup = Math.max(100_000, rounds / 4);
        long total = warmup + rounds;
        Histogram histogram = histogram();
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path bare = Path.of("/dev/shm", name);
        PosixSlotBackend ping = null;
        MemorySegment line = null;
        Arena arena = Arena.ofShared();
        if (mode.equals("bare") || mode.equals("floor")) {
            line = mapNew(bare, arena);
        } else {
            ping = PosixSlotBackend.create(name + "-ping").slotCount(64).slotCapacity(SAMPLE).build();
        }
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), PosixLatency.class.getName(), "pong", mode, name,
                Long.toString(total)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String ready = out.readLine();
            if (!"READY".equals(ready)) {
                throw new IllegalStateException("pong process said " + ready);
            }
            if (mode.equals("floor")) {
                RingFloor rings = new RingFloor(line);
                for (long i = 0; i < total; i++) {
                    long t0 = System.nanoTime();
                    rings.send(0, i, i);
                    long echoed = rings.receive(1, i);
                    long t1 = System.nanoTime();
                    rings.release(1, i);
                    if (echoed != i) {
                        throw new IllegalStateException("round " + i + " echoed " + echoed);
                    }
                    if (i >= warmup) {
                        histogram.recordValue((t1 - t0) / 2);
                    }
                }
            } else if (mode.equals("bare")) {
                for (long i = 0; i < total; i++) {
                    long t0 = System.nanoTime();
                    LONG.setRelease(line, 0L, 2 * i + 1);
                    while ((long) LONG.getAcquire(line, 0L) != 2 * i + 2) {
                        Thread.onSpinWait();
                    }
                    if (i >= warmup) {
                        histogram.recordValue((System.nanoTime() - t0) / 2);
                    }
                }
            } else {
                boolean spin = mode.equals("spin");
                try (PosixSlotBackend pong = PosixSlotBackend.open(name + "-pong").build();
                     FlatReader reader = FlatReader.attach(pong);
                     FlatWriter writer = FlatWriter.reliable(ping, Duration.ofSeconds(10))) {
                    System.out.flush();
                    child.getOutputStream().write('\n');
                    child.getOutputStream().flush();
                    for (long i = 0; i < total; i++) {
                        long t0 = System.nanoTime();
                        FlatWriter.Claim claim = writer.loan();
                        claim.segment().set(ValueLayout.JAVA_LONG, 0, i);
                        claim.commit(SAMPLE);
                        Sample s = next(reader, spin);
                        long echoed = s.segment().get(ValueLayout.JAVA_LONG, 0);
                        // the round trip ends when the echo is in hand; releasing it is the next
                        // round's business (it waits for the echo's cache line)
                        long t1 = System.nanoTime();
                        s.release();
                        if (echoed != i) {
                            throw new IllegalStateException("round " + i + " echoed " + echoed);
                        }
                        if (i >= warmup) {
                            histogram.recordValue((t1 - t0) / 2);
                        }
                    }
                }
            }
            if (child.waitFor() != 0) {
                throw new IllegalStateException("pong process exited with " + child.exitValue());
            }
        } finally {
            child.destroyForcibly();
            child.waitFor();
            // the pong process owns its ring and unlinks it on close; killed after a failure, it cannot
            Files.deleteIfExists(Path.of("/dev/shm", name + "-pong"));
            if (ping != null) {
                ping.close();
            }
            arena.close();
            Files.deleteIfExists(bare);
        }
        return histogram;
    }

    /** How long either side waits for the other's sample before it gives up. */
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    /** The next sample: busy-spinning on take(), or blocking in the futex wait. */
    private static Sample next(FlatReader reader, boolean spin) {
        Sample s;
        if (spin) {
            while ((s = reader.take()) == null) {
                Thread.onSpinWait();
            }
        } else if ((s = reader.take(PATIENCE)) == null) {
            throw new IllegalStateException("no sample within " + PATIENCE + " on " + reader);
        }
        return s;
    }

    /** The other process: echoes every ping. */
    private static void pong(String mode, String name, long total) throws Exception {
        if (mode.equals("bare") || mode.equals("floor")) {
            try (Arena arena = Arena.ofShared();
                 FileChannel ch = FileChannel.open(Path.of("/dev/shm", name), StandardOpenOption.READ,
                         StandardOpenOption.WRITE)) {
                MemorySegment line = ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size(), arena);
                System.out.println("READY");
                System.out.flush();
                RingFloor rings = new RingFloor(line);
                for (long i = 0; i < total && mode.equals("floor"); i++) {
                    rings.send(1, i, rings.receive(0, i));
                    rings.release(0, i);
                }
                for (long i = 0; i < total && mode.equals("bare"); i++) {
                    while ((long) LONG.getAcquire(line, 0L) != 2 * i + 1) {
                        Thread.onSpinWait();
                    }
                    LONG.setRelease(line, 0L, 2 * i + 2);
                }
            }
            return;
        }
        boolean spin = mode.equals("spin");
        try (PosixSlotBackend in = PosixSlotBackend.open(name + "-ping").build();
             FlatReader reader = FlatReader.attach(in);
             PosixSlotBackend out = PosixSlotBackend.create(name + "-pong").slotCount(64).slotCapacity(SAMPLE).build();
             FlatWriter writer = FlatWriter.reliable(out, Duration.ofSeconds(10))) {
            System.out.println("READY");
            System.out.flush();
            if (System.in.read() < 0) { // the ping side attached its reader to our ring
                return;
            }
            for (long i = 0; i < total; i++) {
                Sample s = next(reader, spin);
                FlatWriter.Claim claim = writer.loan();
                claim.segment().set(ValueLayout.JAVA_LONG, 0, s.segment().get(ValueLayout.JAVA_LONG, 0));
                claim.commit(SAMPLE);
                // the reply goes out first: marking the ping read waits for its cache line
                s.release();
            }
        }
    }
}
