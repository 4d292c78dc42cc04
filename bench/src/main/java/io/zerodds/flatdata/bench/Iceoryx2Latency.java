package io.zerodds.flatdata.bench;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.PosixSlotBackend;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.bench.peers.NativeIceoryx2Pair;
import io.zerodds.flatdata.iceoryx2.Iceoryx2SlotBackend;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One-way latency (ping-pong RTT/2) of 64-byte samples between two JVM processes over the
 * iceoryx2 backend, in the same run as the POSIX backend, the bare cache-line baseline and a native
 * Rust iceoryx2 ping-pong built from the bridge's own crate that does per sample what the Java
 * backend does (write into the chunk loaned ahead, send, notify, loan ahead; receive, read, drop,
 * notify) without crossing FFM: the difference is the cost of Java and the FFM crossing per hop.
 *
 * <p>Bare, POSIX busy-spin, iceoryx2 busy-spin and the native ping-pong ({@link NativeIceoryx2Side}:
 * a whole block per FFM call) interleave in blocks in the same two processes and threads, so all
 * four see the same CPU placement, and ratios and differences are taken per quadruple of blocks.
 * (The native ping-pong run as processes of its own, {@code flatdata-iox2-ping}, cannot be
 * compared so: on two cores it competes with the two JVMs' spinning threads and lands in a
 * placement of its own.) Then each event-driven mode runs once (iceoryx2:
 * {@link FlatReader#take(java.time.Duration)} blocking in the listener; POSIX: in the futex).
 *
 * <p>First, one thread alone: a round of loan, commit, take and release through the Java backend
 * against the same round in the native crate, which isolates the Java side's own cost.
 *
 * <p>Usage: {@code ./flatdata bench iceoryx2-latency [round-trips]} (default 200000 per busy
 * mode; a fifth of that per event-driven mode).
 */
public final class Iceoryx2Latency {
    private Iceoryx2Latency() {
    }

    private static final int SAMPLE = 64;
    private static final int SLOTS = 64;
    private static final int PASSES = 4;
    private static final int BLOCKS = 25;
    private static final int BARE = 0;
    private static final int POSIX = 1;
    private static final int IOX = 2;
    private static final int NATIVE = 3;
    private static final int MODES = 4;
    private static final String[] NAMES = {"bare cache line (baseline)", "flatdata POSIX busy-spin",
            "flatdata iceoryx2 busy-spin", "native iceoryx2, same processes"};
    /** The property naming the library the iceoryx2 backend loads: the benchmark sets both sides to the cargo build's. */
    private static final String LIBRARY_PROPERTY = "flatdata.iceoryx2.library";
    private static final long FILE_SIZE = 4096;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("pong")) {
            pong(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]));
            return;
        }
        long rounds = Latencies.roundTrips(args, 200_000);
        int block = (int) Math.clamp(rounds / ((long) PASSES * BLOCKS), 200, 1_000_000);
        long eventRounds = Math.max(1_000, rounds / 5);
        String tag = "flatdata-bench-iox2-" + ProcessHandle.current().pid();
        useBuiltLibrary();
        Latencies.title(SAMPLE);
        System.out.printf("bare, POSIX busy-spin, iceoryx2 busy-spin and native iceoryx2 interleaved in blocks of %d"
                + " round trips, %d quadruples per pass, %d passes after a warm-up pass; the same two JVM processes"
                + " throughout%n", block, BLOCKS, PASSES);
        singleThreaded(tag);
        Path file = Path.of("/dev/shm", tag);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment line = Latencies.mapNew(file, FILE_SIZE, arena);
            try (PosixSlotBackend posixOut = PosixSlotBackend.create(tag + "-ping").slotCount(SLOTS)
                    .slotCapacity(SAMPLE).build();
                 Iceoryx2SlotBackend ioxOut = Iceoryx2SlotBackend.create("flatdata/bench/" + tag + "/ping")
                         .prefix(prefix(tag)).slotCount(SLOTS).slotCapacity(SAMPLE).build()) {
                ping(tag, line, posixOut, ioxOut, block, eventRounds);
            }
        } finally {
            Files.deleteIfExists(file);
            try (var files = Files.list(Path.of("/dev/shm"))) {
                files.filter(f -> f.getFileName().toString().startsWith(prefix(tag))).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static String prefix(String tag) {
        return NativeIceoryx2Pair.prefix(tag);
    }

    /**
     * Makes the backend load the cargo build's library, whose file the in-process native blocks
     * look their calls up in, so the process holds one copy of iceoryx2 (a property given on the
     * command line wins).
     */
    private static void useBuiltLibrary() {
        if (System.getProperty(LIBRARY_PROPERTY) == null) {
            Path library = NativeIceoryx2Pair.library().toAbsolutePath();
            if (!Files.isRegularFile(library)) {
                throw new IllegalStateException(library + " is not built: mvn package (or ./flatdata bench) builds it");
            }
            System.setProperty(LIBRARY_PROPERTY, library.toString());
        }
    }

    /**
     * A side of the in-process native ping-pong: writes {@code out}, reads {@code in} (one name
     * for both: the single-threaded round).
     */
    private static NativeIceoryx2Side nativeSide(String tag, String out, String in) {
        String base = "flatdata/bench/" + tag + "/inproc/";
        return new NativeIceoryx2Side(Path.of(System.getProperty(LIBRARY_PROPERTY)), prefix(tag), base + out, base + in,
                SAMPLE);
    }

    private static Histogram histogram() {
        return Latencies.histogram();
    }

    private static Histogram[] ping(String tag, MemorySegment line, PosixSlotBackend posixOut,
                                    Iceoryx2SlotBackend ioxOut, int block, long eventRounds) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-D" + LIBRARY_PROPERTY + "=" + System.getProperty(LIBRARY_PROPERTY), "-cp",
                System.getProperty("java.class.path"), Iceoryx2Latency.class.getName(), "pong", tag,
                Integer.toString(block), Long.toString(eventRounds)).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String ready = out.readLine();
            if (!"READY".equals(ready)) {
                throw new IllegalStateException("pong process said " + ready);
            }
            Histogram[] total;
            try (PosixSlotBackend posixIn = PosixSlotBackend.open(tag + "-pong").build();
                 Iceoryx2SlotBackend ioxIn = Iceoryx2SlotBackend.open("flatdata/bench/" + tag + "/pong")
                         .prefix(prefix(tag)).build();
                 Side side = new Side(line, posixIn, posixOut, ioxIn, ioxOut, nativeSide(tag, "ping", "pong"))) {
                child.getOutputStream().write('\n'); // our readers are attached
                child.getOutputStream().flush();
                total = measure(side, block);
                Histogram ioxEvent = histogram();
                side.pingEcho(IOX, eventRounds, ioxEvent, true);
                Histogram futex = histogram();
                side.pingEcho(POSIX, eventRounds, futex, true);
                header();
                report("flatdata iceoryx2 event wait", ioxEvent);
                report("flatdata POSIX futex wait", futex);
            }
            if (!child.waitFor(60, TimeUnit.SECONDS) || child.exitValue() != 0) {
                throw new IllegalStateException("pong process did not end cleanly");
            }
            return total;
        } finally {
            child.destroyForcibly();
            child.waitFor();
            Files.deleteIfExists(Path.of("/dev/shm", tag + "-pong"));
        }
    }

    private static Histogram[] measure(Side side, int block) {
        Histogram[] inBlock = {histogram(), histogram(), histogram(), histogram()};
        Histogram[] total = {histogram(), histogram(), histogram(), histogram()};
        int n = PASSES * BLOCKS;
        double[] hopInProcess = new double[n];
        double[] ioxBare = new double[n];
        double[] posixBare = new double[n];
        double[] ioxPosix = new double[n];
        for (int pass = 0; pass <= PASSES; pass++) {
            for (int b = 0; b < BLOCKS; b++) {
                for (int k = 0; k < MODES; k++) {
                    int mode = (b + k) % MODES;
                    inBlock[mode].reset();
                    side.ping(mode, block, inBlock[mode]);
                }
                if (pass > 0) {
                    int i = (pass - 1) * BLOCKS + b;
                    double bare = inBlock[BARE].getValueAtPercentile(50);
                    ioxBare[i] = inBlock[IOX].getValueAtPercentile(50) / bare;
                    posixBare[i] = inBlock[POSIX].getValueAtPercentile(50) / bare;
                    ioxPosix[i] = (double) inBlock[IOX].getValueAtPercentile(50) / inBlock[POSIX].getValueAtPercentile(50);
                    hopInProcess[i] = inBlock[IOX].getValueAtPercentile(50) - inBlock[NATIVE].getValueAtPercentile(50);
                    for (int mode = 0; mode < MODES; mode++) {
                        total[mode].add(inBlock[mode]);
                    }
                }
            }
        }
        double[] hops = hopInProcess.clone();
        Arrays.sort(hops);
        System.out.printf("Java + FFM per hop over native iceoryx2 in the same processes and threads (p50 one-way,"
                + " Java block - native block of the same quadruple): median of %d %.0f ns (10th percentile %.0f, 90th"
                + " %.0f)%n", n, hops[n / 2], hops[n / 10], hops[n * 9 / 10]);
        summary("iceoryx2 busy-spin / bare", ioxBare);
        summary("POSIX busy-spin / bare", posixBare);
        summary("iceoryx2 busy-spin / POSIX busy-spin", ioxPosix);
        header();
        for (int mode = 0; mode < MODES; mode++) {
            report(NAMES[mode], total[mode]);
        }
        return total;
    }

    private static final int SINGLE_ROUNDS = 300_000;
    private static final int SINGLE_REPEATS = 8;

    /**
     * Where a round goes without a second process: one thread loans, writes, commits, takes and
     * releases over two rings of one service (a writer's and a reader's), through
     * {@code FlatWriter}/{@code FlatReader} and the backend, and then the native crate's own
     * single-threaded round ({@code fdx_bench_local}, in this process) doing the same calls. Nanoseconds
     * per round, the best of {@value #SINGLE_REPEATS} repeats of {@value #SINGLE_ROUNDS}.
     */
    private static void singleThreaded(String tag) throws Exception {
        String name = "flatdata/bench/" + tag + "/single";
        long best = Long.MAX_VALUE;
        try (Iceoryx2SlotBackend out = Iceoryx2SlotBackend.create(name).prefix(prefix(tag)).slotCount(SLOTS)
                .slotCapacity(SAMPLE).build();
             Iceoryx2SlotBackend in = Iceoryx2SlotBackend.open(name).prefix(prefix(tag)).build();
             FlatReader reader = FlatReader.attach(in);
             FlatWriter writer = FlatWriter.reliable(out, BusyWait.PATIENCE)) {
            for (int rep = 0; rep < SINGLE_REPEATS; rep++) {
                long t0 = System.nanoTime();
                for (long i = 0; i < SINGLE_ROUNDS; i++) {
                    FlatWriter.Claim claim = writer.loan();
                    claim.segment().set(ValueLayout.JAVA_LONG, 0, i);
                    claim.commit(SAMPLE);
                    Latencies.spin(reader).release();
                }
                best = Math.min(best, (System.nanoTime() - t0) / SINGLE_ROUNDS);
            }
        }
        long nativeBest = Long.MAX_VALUE;
        try (NativeIceoryx2Side alone = nativeSide(tag, "single", "single")) {
            for (int rep = 0; rep < SINGLE_REPEATS; rep++) {
                nativeBest = Math.min(nativeBest, alone.local(SINGLE_ROUNDS));
            }
        }
        System.out.printf("single thread, one round = loan + commit + take + release (best of %d x %d): through the"
                + " Java backend %d ns, native Rust iceoryx2 from the same crate in this process %d ns%n",
                SINGLE_REPEATS, SINGLE_ROUNDS, best, nativeBest);
    }

    private static void summary(String what, double[] ratios) {
        Latencies.summary(what + " p50", "quadruple", ratios);
    }

    private static void header() {
        Latencies.header(34);
    }

    private static void report(String mode, Histogram h) {
        Latencies.report(34, mode, h);
    }

    /** The other process: echoes every ping in the ping side's order. */
    private static void pong(String tag, int block, long eventRounds) throws Exception {
        try (Arena arena = Arena.ofShared();
             FileChannel ch = FileChannel.open(Path.of("/dev/shm", tag), StandardOpenOption.READ, StandardOpenOption.WRITE);
             PosixSlotBackend posixIn = PosixSlotBackend.open(tag + "-ping").build();
             PosixSlotBackend posixOut = PosixSlotBackend.create(tag + "-pong").slotCount(SLOTS).slotCapacity(SAMPLE)
                     .build();
             Iceoryx2SlotBackend ioxIn = Iceoryx2SlotBackend.open("flatdata/bench/" + tag + "/ping").prefix(prefix(tag))
                     .build();
             Iceoryx2SlotBackend ioxOut = Iceoryx2SlotBackend.create("flatdata/bench/" + tag + "/pong")
                     .prefix(prefix(tag)).slotCount(SLOTS).slotCapacity(SAMPLE).build();
             Side side = new Side(ch.map(FileChannel.MapMode.READ_WRITE, 0, FILE_SIZE, arena), posixIn, posixOut,
                     ioxIn, ioxOut, nativeSide(tag, "pong", "ping"))) {
            System.out.println("READY");
            System.out.flush();
            if (System.in.read() < 0) {
                return;
            }
            for (int pass = 0; pass <= PASSES; pass++) {
                for (int b = 0; b < BLOCKS; b++) {
                    for (int k = 0; k < MODES; k++) {
                        side.pong((b + k) % MODES, block, false);
                    }
                }
            }
            side.pong(IOX, eventRounds, true);
            side.pong(POSIX, eventRounds, true);
        }
    }

    /** One process's end: a reader and a writer per backend, and the bare line. */
    private static final class Side implements AutoCloseable {
        private final MemorySegment line;
        private final NativeIceoryx2Side nativeSide;
        private final FlatReader[] readers = new FlatReader[MODES];
        private final FlatWriter[] writers = new FlatWriter[MODES];
        private final long[] round = new long[MODES];

        Side(MemorySegment line, SlotBackend posixIn, SlotBackend posixOut, SlotBackend ioxIn, SlotBackend ioxOut,
             NativeIceoryx2Side nativeSide) {
            this.line = line;
            this.nativeSide = nativeSide;
            readers[POSIX] = FlatReader.attach(posixIn);
            writers[POSIX] = FlatWriter.reliable(posixOut, BusyWait.PATIENCE);
            readers[IOX] = FlatReader.attach(ioxIn);
            writers[IOX] = FlatWriter.reliable(ioxOut, BusyWait.PATIENCE);
        }

        void ping(int mode, long rounds, Histogram histogram) {
            if (mode == BARE) {
                Latencies.pingBare(line, 0L, round[BARE], round[BARE] + rounds, histogram);
                round[BARE] += rounds;
            } else if (mode == NATIVE) {
                nativeSide.ping(round[NATIVE], (int) rounds, histogram);
                round[NATIVE] += rounds;
            } else {
                pingEcho(mode, rounds, histogram, false);
            }
        }

        void pingEcho(int mode, long rounds, Histogram histogram, boolean block) {
            Latencies.pingEcho(writers[mode], readers[mode], SAMPLE, round[mode], round[mode] + rounds, histogram, block);
            round[mode] += rounds;
        }

        void pong(int mode, long rounds, boolean block) {
            if (mode == BARE) {
                Latencies.pongBare(line, 0L, round[BARE], round[BARE] + rounds);
                round[BARE] += rounds;
                return;
            }
            if (mode == NATIVE) {
                nativeSide.pong(rounds);
                return;
            }
            for (long i = 0; i < rounds; i++) {
                Latencies.echo(readers[mode], writers[mode], SAMPLE, block);
            }
        }

        @Override
        public void close() {
            for (int mode = POSIX; mode <= IOX; mode++) {
                readers[mode].close();
                writers[mode].close();
            }
            nativeSide.close();
        }
    }
}
