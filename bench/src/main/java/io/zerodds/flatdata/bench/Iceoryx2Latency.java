package io.zerodds.flatdata.bench;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.PosixSlotBackend;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.bench.peers.NativeIceoryx2Pair;
import io.zerodds.flatdata.iceoryx2.Iceoryx2SlotBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 * <p>Six modes interleave in blocks in the same two processes and threads, so all see the same CPU
 * placement, and ratios and differences are taken per group of six blocks: bare, POSIX busy-spin,
 * iceoryx2 busy-spin through {@code FlatWriter}/{@code FlatReader}, the iceoryx2 backend's own
 * calls alone ({@link BackendApiSide}), the native ping-pong's calls made from Java one downcall
 * each ({@link FfmIceoryx2Side}: the FFM crossing and nothing else), and the native ping-pong
 * itself ({@link NativeIceoryx2Side}: a whole block per FFM call). The three differences to the
 * native block split a hop's cost into the FFM crossing, the backend's bookkeeping and the
 * {@code FlatWriter}/{@code FlatReader} layer.
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
    /**
     * The reader limit of every iceoryx2 service here, the native ping-pong's ({@code pingpong.rs}):
     * iceoryx2's send visits each subscriber place the service has, so every layer runs over
     * services of the same settings.
     */
    static final int MAX_READERS = 2;
    private static final int PASSES = 4;
    private static final int BLOCKS = 25;
    private static final int BARE = 0;
    private static final int POSIX = 1;
    private static final int IOX = 2;
    /** The iceoryx2 backend's own calls, without FlatWriter/FlatReader. */
    private static final int API = 3;
    /** The native ping-pong's calls made from Java, one downcall each. */
    private static final int FFM = 4;
    private static final int NATIVE = 5;
    private static final int MODES = 6;
    private static final String[] NAMES = {"bare cache line (baseline)", "flatdata POSIX busy-spin",
            "flatdata iceoryx2 busy-spin", "iceoryx2 backend calls alone", "native's calls through FFM",
            "native iceoryx2, same processes"};
    /** The property naming the library the iceoryx2 backend loads: the benchmark sets both sides to the cargo build's. */
    static final String LIBRARY_PROPERTY = "flatdata.iceoryx2.library";
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
        System.out.printf("%d modes interleaved in blocks of %d round trips, %d groups per pass, %d passes after a"
                + " warm-up pass; the same two JVM processes throughout%n", MODES, block, BLOCKS, PASSES);
        singleThreaded(tag);
        Path file = Path.of("/dev/shm", tag);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment line = Latencies.mapNew(file, FILE_SIZE, arena);
            try (PosixSlotBackend posixOut = PosixSlotBackend.create(tag + "-ping").slotCount(SLOTS)
                    .slotCapacity(SAMPLE).build();
                 Iceoryx2SlotBackend ioxOut = Iceoryx2SlotBackend.create("flatdata/bench/" + tag + "/ping")
                         .prefix(prefix(tag)).slotCount(SLOTS).slotCapacity(SAMPLE).maxReaders(MAX_READERS).build();
                 Iceoryx2SlotBackend apiOut = Iceoryx2SlotBackend.create("flatdata/bench/" + tag + "/api/ping")
                         .prefix(prefix(tag)).slotCount(SLOTS).slotCapacity(SAMPLE).maxReaders(MAX_READERS).build()) {
                ping(tag, line, posixOut, ioxOut, apiOut, block, eventRounds);
            }
        } finally {
            Files.deleteIfExists(file);
            removeServiceFiles(tag);
        }
    }

    /** Deletes what the services of the run tagged {@code tag} left in /dev/shm. */
    static void removeServiceFiles(String tag) throws IOException {
        try (var files = Files.list(Path.of("/dev/shm"))) {
            files.filter(f -> f.getFileName().toString().startsWith(prefix(tag))).forEach(f -> f.toFile().delete());
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
    static void useBuiltLibrary() {
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

    /** A side of the native ping-pong's calls made from Java: writes {@code out}, reads {@code in}. */
    private static FfmIceoryx2Side ffmSide(String tag, String out, String in) {
        String base = "flatdata/bench/" + tag + "/ffm/";
        return new FfmIceoryx2Side(prefix(tag), base + out, base + in, SAMPLE);
    }

    private static Histogram histogram() {
        return Latencies.histogram();
    }

    private static Histogram[] ping(String tag, MemorySegment line, PosixSlotBackend posixOut,
                                    Iceoryx2SlotBackend ioxOut, Iceoryx2SlotBackend apiOut, int block,
                                    long eventRounds) throws Exception {
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
                 Iceoryx2SlotBackend apiIn = Iceoryx2SlotBackend.open("flatdata/bench/" + tag + "/api/pong")
                         .prefix(prefix(tag)).build();
                 Side side = new Side(line, posixIn, posixOut, ioxIn, ioxOut, new BackendApiSide(apiIn, apiOut, SAMPLE),
                         ffmSide(tag, "ping", "pong"), nativeSide(tag, "ping", "pong"))) {
                child.getOutputStream().write('\n'); // our readers are attached
                child.getOutputStream().flush();
                total = measure(side, block);
                Histogram ioxEvent = histogram();
                side.pingBlocking(IOX, eventRounds, ioxEvent);
                Histogram futex = histogram();
                side.pingBlocking(POSIX, eventRounds, futex);
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
        Histogram[] inBlock = new Histogram[MODES];
        Histogram[] total = new Histogram[MODES];
        for (int mode = 0; mode < MODES; mode++) {
            inBlock[mode] = histogram();
            total[mode] = histogram();
        }
        int n = PASSES * BLOCKS;
        double[][] overNative = new double[MODES][n];
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
                    for (int mode = IOX; mode < NATIVE; mode++) {
                        overNative[mode][i] = inBlock[mode].getValueAtPercentile(50)
                                - inBlock[NATIVE].getValueAtPercentile(50);
                    }
                    for (int mode = 0; mode < MODES; mode++) {
                        total[mode].add(inBlock[mode]);
                    }
                }
            }
        }
        System.out.printf("per hop over native iceoryx2 in the same processes and threads (p50 one-way, the block"
                + " minus the native block of its group), median of %d groups:%n", n);
        hops("Java + FFM, FlatWriter/FlatReader", overNative[IOX]);
        hops("Java + FFM, the backend's calls", overNative[API]);
        hops("FFM alone, native's calls", overNative[FFM]);
        summary("iceoryx2 busy-spin / bare", ioxBare);
        summary("POSIX busy-spin / bare", posixBare);
        summary("iceoryx2 busy-spin / POSIX busy-spin", ioxPosix);
        header();
        for (int mode = 0; mode < MODES; mode++) {
            report(NAMES[mode], total[mode]);
        }
        return total;
    }

    /** One per-hop line: the median of {@code differences} (sorts them) with its 10th and 90th percentiles. */
    private static void hops(String what, double[] differences) {
        Arrays.sort(differences);
        int n = differences.length;
        System.out.printf("  %-34s %5.0f ns (10th percentile %.0f, 90th %.0f)%n", what + ":", differences[n / 2],
                differences[n / 10], differences[n * 9 / 10]);
    }

    private static final int SINGLE_ROUNDS = 300_000;
    private static final int SINGLE_REPEATS = 8;

    /**
     * Where a round goes without a second process: one thread loans, writes, commits, takes and
     * releases over one service, in the four layers of the two-process modes: through
     * {@code FlatWriter}/{@code FlatReader}, through the backend's calls alone, through the native
     * ping-pong's calls made from Java one downcall each, and in the native crate itself
     * ({@code fdx_bench_local}). The four alternate in repeats of {@value #SINGLE_ROUNDS} rounds;
     * nanoseconds per round, the best of {@value #SINGLE_REPEATS} repeats each.
     */
    private static void singleThreaded(String tag) {
        long[] best = new long[SingleRound.LAYERS.size()];
        Arrays.fill(best, Long.MAX_VALUE);
        try (SingleRound round = new SingleRound(tag, SLOTS, SAMPLE)) {
            for (int rep = 0; rep < SINGLE_REPEATS; rep++) {
                for (int k = 0; k < best.length; k++) {
                    best[k] = Math.min(best[k], round.side(k).local(SINGLE_ROUNDS));
                }
            }
        }
        System.out.printf("single thread, one round = loan + commit + take + release (best of %d x %d): through the"
                + " Java backend %d ns (its calls alone %d ns, the native calls through FFM %d ns), native Rust"
                + " iceoryx2 from the same crate in this process %d ns%n", SINGLE_REPEATS, SINGLE_ROUNDS, best[0],
                best[1], best[2], best[3]);
    }

    private static void summary(String what, double[] ratios) {
        Latencies.summary(what + " p50", "group", ratios);
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
                     .prefix(prefix(tag)).slotCount(SLOTS).slotCapacity(SAMPLE).maxReaders(MAX_READERS).build();
             Iceoryx2SlotBackend apiIn = Iceoryx2SlotBackend.open("flatdata/bench/" + tag + "/api/ping")
                     .prefix(prefix(tag)).build();
             Iceoryx2SlotBackend apiOut = Iceoryx2SlotBackend.create("flatdata/bench/" + tag + "/api/pong")
                     .prefix(prefix(tag)).slotCount(SLOTS).slotCapacity(SAMPLE).maxReaders(MAX_READERS).build();
             Side side = new Side(ch.map(FileChannel.MapMode.READ_WRITE, 0, FILE_SIZE, arena), posixIn, posixOut,
                     ioxIn, ioxOut, new BackendApiSide(apiIn, apiOut, SAMPLE), ffmSide(tag, "pong", "ping"),
                     nativeSide(tag, "pong", "ping"))) {
            System.out.println("READY");
            System.out.flush();
            if (System.in.read() < 0) {
                return;
            }
            for (int pass = 0; pass <= PASSES; pass++) {
                for (int b = 0; b < BLOCKS; b++) {
                    for (int k = 0; k < MODES; k++) {
                        side.pong((b + k) % MODES, block);
                    }
                }
            }
            side.pongBlocking(IOX, eventRounds);
            side.pongBlocking(POSIX, eventRounds);
        }
    }

    /** One process's end: the bare line and a ping-pong side per other mode. */
    private static final class Side implements AutoCloseable {
        private final MemorySegment line;
        private final FlatSide posix;
        private final FlatSide iox;
        private final PingPongSide[] sides = new PingPongSide[MODES];
        private final long[] round = new long[MODES];

        Side(MemorySegment line, SlotBackend posixIn, SlotBackend posixOut, SlotBackend ioxIn, SlotBackend ioxOut,
             PingPongSide api, PingPongSide ffm, PingPongSide nativeSide) {
            this.line = line;
            posix = new FlatSide(FlatReader.attach(posixIn), FlatWriter.reliable(posixOut, BusyWait.PATIENCE), SAMPLE);
            iox = new FlatSide(FlatReader.attach(ioxIn), FlatWriter.reliable(ioxOut, BusyWait.PATIENCE), SAMPLE);
            sides[POSIX] = posix;
            sides[IOX] = iox;
            sides[API] = api;
            sides[FFM] = ffm;
            sides[NATIVE] = nativeSide;
        }

        void ping(int mode, int rounds, Histogram histogram) {
            if (mode == BARE) {
                Latencies.pingBare(line, 0L, round[BARE], round[BARE] + rounds, histogram);
            } else {
                sides[mode].ping(round[mode], rounds, histogram);
            }
            round[mode] += rounds;
        }

        /** The event-driven rounds of a FlatWriter/FlatReader mode ({@code POSIX} or {@code IOX}). */
        void pingBlocking(int mode, long rounds, Histogram histogram) {
            flat(mode).pingBlocking(round[mode], rounds, histogram);
            round[mode] += rounds;
        }

        void pong(int mode, long rounds) {
            if (mode == BARE) {
                Latencies.pongBare(line, 0L, round[BARE], round[BARE] + rounds);
                round[BARE] += rounds;
            } else {
                sides[mode].pong(rounds);
            }
        }

        void pongBlocking(int mode, long rounds) {
            flat(mode).pongBlocking(rounds);
        }

        private FlatSide flat(int mode) {
            return mode == POSIX ? posix : iox;
        }

        @Override
        public void close() {
            for (PingPongSide side : sides) {
                if (side != null) {
                    side.close();
                }
            }
        }
    }
}
