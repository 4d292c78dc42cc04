package io.zerodds.flatdata.bench;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.PosixSlotBackend;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import org.HdrHistogram.Histogram;

/**
 * One-way latency between two processes, measured as ping-pong round trip / 2, for 64-byte
 * samples through {@link PosixSlotBackend} with {@link FlatWriter#loan()} and
 * {@link FlatReader#take()}, busy-spinning; next to a bare baseline measured by the same two
 * processes: one cache line bounced through a mapped {@code /dev/shm} file. The two processes
 * also run the {@link RingFloor} (flatdata's memory operations on the shared lines without the
 * library's code), which splits the gap to the baseline into protocol and code.
 *
 * <p>The three modes interleave in blocks: a block of bare round trips, one of the floor, one of
 * busy-spin (the order rotating from block to block), {@value #BLOCKS} such triples per pass,
 * {@value #PASSES} passes after an uncounted warm-up pass. How fast a cache line moves between
 * two processes depends on which cores they run on, which a shared host changes when it likes;
 * blocks a few milliseconds apart in the same two processes see the same placement, so the ratio
 * is taken per triple (busy-spin p50 / bare p50) and the summary gives the median over all
 * triples. Then the same processes run the futex wait mode once, {@link FlatReader#take(Duration)}
 * blocking in the kernel.
 *
 * <p>The ping side loans, writes and commits a sample, takes the echo, stops the clock and
 * releases the echo; the pong side takes the ping, commits its reply, then releases the ping.
 *
 * <p>Usage: {@code ./flatdata bench posix-latency [round-trips]}: recorded round trips of each
 * busy-spinning mode (default 1000000), spread over the passes; a tenth of that with futex
 * waits. The pong side is a child JVM started from this one.
 */
public final class PosixLatency {
    private PosixLatency() {
    }

    private static final int SAMPLE = 64;
    /** Recorded passes, after one warm-up pass. */
    private static final int PASSES = 5;
    /** Triples of blocks (bare, floor, busy-spin) per pass. */
    private static final int BLOCKS = 40;
    private static final int BARE = 0;
    private static final int FLOOR = 1;
    private static final int SPIN = 2;
    private static final int MODES = 3;
    /** The bare baseline's line, on a page after the floor's rings. */
    private static final long BARE_LINE = RingFloor.FILE_SIZE;
    private static final long FILE_SIZE = RingFloor.FILE_SIZE + 4096;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("pong")) {
            pong(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]));
            return;
        }
        long rounds = Latencies.roundTrips(args, 1_000_000);
        int block = (int) Math.clamp(rounds / ((long) PASSES * BLOCKS), 1_000, 1_000_000);
        long futexRounds = Math.max(1_000, rounds / 10);
        String tag = "flatdata-bench-" + ProcessHandle.current().pid();
        Latencies.title(SAMPLE);
        System.out.printf("bare, protocol floor and busy-spin interleaved in blocks of %d round trips, %d triples"
                + " per pass, %d passes after a warm-up pass; the same two processes throughout%n", block, BLOCKS,
                PASSES);
        Path file = Path.of("/dev/shm", tag);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment mapped = Latencies.mapNew(file, FILE_SIZE, arena);
            try (PosixSlotBackend ping = PosixSlotBackend.create(tag + "-ping").slotCount(64).slotCapacity(SAMPLE)
                    .build()) {
                ping(tag, mapped, ping, block, futexRounds);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static Histogram histogram() {
        return Latencies.histogram();
    }

    private static Histogram[] histograms() {
        return new Histogram[] {histogram(), histogram(), histogram()};
    }

    /** The mode run {@code k}-th in triple {@code b}: each mode goes first, second and third in turn. */
    private static int mode(int b, int k) {
        return (b + k) % MODES;
    }

    private static void ping(String tag, MemorySegment mapped, PosixSlotBackend ping, int block, long futexRounds)
            throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), PosixLatency.class.getName(), "pong", tag,
                Integer.toString(block), Long.toString(futexRounds)).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String ready = out.readLine();
            if (!"READY".equals(ready)) {
                throw new IllegalStateException("pong process said " + ready);
            }
            try (PosixSlotBackend pong = PosixSlotBackend.open(tag + "-pong").build();
                 FlatReader reader = FlatReader.attach(pong);
                 FlatWriter writer = FlatWriter.reliable(ping, BusyWait.PATIENCE)) {
                child.getOutputStream().write('\n'); // our reader is attached to the pong ring
                child.getOutputStream().flush();
                Side side = new Side(mapped, reader, writer);
                measure(side, block);
                Histogram futex = histogram();
                side.pingFutex(futexRounds, futex);
                report("flatdata futex wait", futex);
            }
            if (child.waitFor() != 0) {
                throw new IllegalStateException("pong process exited with " + child.exitValue());
            }
        } finally {
            child.destroyForcibly();
            child.waitFor();
            // the pong process owns its ring and unlinks it on close; killed after a failure, it cannot
            Files.deleteIfExists(Path.of("/dev/shm", tag + "-pong"));
        }
    }

    private static void measure(Side side, int block) {
        Histogram[] inBlock = histograms();
        Histogram[] total = histograms();
        double[] spinRatios = new double[PASSES * BLOCKS];
        double[] floorRatios = new double[PASSES * BLOCKS];
        for (int pass = 0; pass <= PASSES; pass++) {
            Histogram[] inPass = histograms();
            double[] passRatios = new double[BLOCKS];
            for (int b = 0; b < BLOCKS; b++) {
                for (int k = 0; k < MODES; k++) {
                    int mode = mode(b, k);
                    inBlock[mode].reset();
                    side.ping(mode, block, inBlock[mode]);
                }
                long bare = inBlock[BARE].getValueAtPercentile(50);
                passRatios[b] = (double) inBlock[SPIN].getValueAtPercentile(50) / bare;
                if (pass > 0) {
                    spinRatios[(pass - 1) * BLOCKS + b] = passRatios[b];
                    floorRatios[(pass - 1) * BLOCKS + b] = (double) inBlock[FLOOR].getValueAtPercentile(50) / bare;
                }
                for (int mode = 0; mode < MODES; mode++) {
                    inPass[mode].add(inBlock[mode]);
                }
            }
            Arrays.sort(passRatios);
            System.out.printf("%s: p50 bare %d ns, protocol floor %d ns, busy-spin %d ns; busy-spin / bare per"
                    + " triple: median %.2f%n", pass == 0 ? "warm-up pass (not counted)" : "pass " + pass,
                    inPass[BARE].getValueAtPercentile(50), inPass[FLOOR].getValueAtPercentile(50),
                    inPass[SPIN].getValueAtPercentile(50), passRatios[BLOCKS / 2]);
            if (pass > 0) {
                for (int mode = 0; mode < MODES; mode++) {
                    total[mode].add(inPass[mode]);
                }
            }
        }
        summary("busy-spin", spinRatios);
        summary("protocol floor", floorRatios);
        Latencies.header(28);
        report("bare cache line (baseline)", total[BARE]);
        report("protocol floor (no library)", total[FLOOR]);
        report("flatdata busy-spin", total[SPIN]);
    }

    private static void summary(String mode, double[] ratios) {
        Latencies.summary(mode + " p50 / bare p50", ratios);
    }

    private static void report(String mode, Histogram h) {
        Latencies.report(28, mode, h);
    }

    /** The other process: echoes every ping, mode by mode in the ping side's order. */
    private static void pong(String tag, int block, long futexRounds) throws Exception {
        try (Arena arena = Arena.ofShared();
             FileChannel ch = FileChannel.open(Path.of("/dev/shm", tag), StandardOpenOption.READ,
                     StandardOpenOption.WRITE);
             PosixSlotBackend in = PosixSlotBackend.open(tag + "-ping").build();
             FlatReader reader = FlatReader.attach(in);
             PosixSlotBackend out = PosixSlotBackend.create(tag + "-pong").slotCount(64).slotCapacity(SAMPLE).build();
             FlatWriter writer = FlatWriter.reliable(out, BusyWait.PATIENCE)) {
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_WRITE, 0, FILE_SIZE, arena);
            System.out.println("READY");
            System.out.flush();
            if (System.in.read() < 0) { // the ping side attached its reader to our ring
                return;
            }
            Side side = new Side(mapped, reader, writer);
            for (int pass = 0; pass <= PASSES; pass++) {
                for (int b = 0; b < BLOCKS; b++) {
                    for (int k = 0; k < MODES; k++) {
                        side.pong(mode(b, k), block);
                    }
                }
            }
            side.pongFutex(futexRounds);
        }
    }

    /**
     * One process's end of the three protocols; each keeps its round count from block to block.
     */
    private static final class Side {
        private final MemorySegment mapped;
        private final RingFloor floor;
        private final FlatReader reader;
        private final FlatWriter writer;
        private final long[] round = new long[MODES];

        Side(MemorySegment mapped, FlatReader reader, FlatWriter writer) {
            this.mapped = mapped;
            this.floor = new RingFloor(mapped);
            this.reader = reader;
            this.writer = writer;
        }

        /** {@code rounds} round trips of {@code mode}, each RTT/2 recorded into {@code histogram}. */
        void ping(int mode, int rounds, Histogram histogram) {
            // one loop per mode, each compiled on its own
            long first = round[mode];
            switch (mode) {
                case BARE -> Latencies.pingBare(mapped, BARE_LINE, first, first + rounds, histogram);
                case FLOOR -> pingFloor(first, first + rounds, histogram);
                default -> Latencies.pingEcho(writer, reader, SAMPLE, first, first + rounds, histogram, false);
            }
            round[mode] = first + rounds;
        }

        private void pingFloor(long first, long end, Histogram histogram) {
            for (long i = first; i < end; i++) {
                long t0 = System.nanoTime();
                floor.send(0, i, i);
                long echoed = floor.receive(1, i);
                histogram.recordValue((System.nanoTime() - t0) / 2);
                floor.release(1, i);
                checkEcho(i, echoed);
            }
        }

        private static void checkEcho(long round, long echoed) {
            if (echoed != round) {
                throw new IllegalStateException("round " + round + " echoed " + echoed);
            }
        }

        /** Echoes {@code rounds} round trips of {@code mode}. */
        void pong(int mode, int rounds) {
            long first = round[mode];
            switch (mode) {
                case BARE -> Latencies.pongBare(mapped, BARE_LINE, first, first + rounds);
                case FLOOR -> pongFloor(first, first + rounds);
                default -> pongSpin(rounds);
            }
            round[mode] = first + rounds;
        }

        private void pongFloor(long first, long end) {
            for (long i = first; i < end; i++) {
                floor.send(1, i, floor.receive(0, i));
                floor.release(0, i);
            }
        }

        private void pongSpin(int rounds) {
            for (int i = 0; i < rounds; i++) {
                Latencies.echo(reader, writer, SAMPLE, false);
            }
        }

        /** Round trips through the same rings, each side blocking in the futex wait. */
        void pingFutex(long rounds, Histogram histogram) {
            long first = round[SPIN];
            Latencies.pingEcho(writer, reader, SAMPLE, first, first + rounds, histogram, true);
            round[SPIN] = first + rounds;
        }

        void pongFutex(long rounds) {
            for (long i = 0; i < rounds; i++) {
                Latencies.echo(reader, writer, SAMPLE, true);
            }
        }
    }
}
