package io.zerodds.flatdata.bench.peers;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import org.HdrHistogram.Histogram;

/**
 * {@code ./flatdata bench peers [--quick|--full|--smoke] [--out DIR] [--only NAME,...]}: flatdata next to
 * the systems a Java user would pick instead for same-host messaging, measured in one run, doing
 * the same work each, between the same two JVM processes.
 *
 * <p>This process (PING) opens every system's sending side, starts the PONG process, and both
 * connect. Then both follow one schedule (see {@link Schedule}): latency blocks interleaved across
 * the systems, throughput runs, a paced run, allocation runs. The PONG process reports what it
 * alone can see (paced one-way latencies, its allocations) on its standard output. Then this
 * process measures idle subscribers and the native Rust iceoryx2 pair, prints the tables and
 * writes {@code results.md} and the charts into the output directory (default
 * {@code target/bench-peers}).
 */
public final class Peers {
    private Peers() {
    }

    /** The systems, in the order of the tables; the first is the one ratios are taken against. */
    static List<Peer> all() {
        return List.of(
                new FlatdataPeer("flatdata busy-spin", "spin", Rings.POSIX, false),
                new FlatdataPeer("flatdata futex wait", "futex", Rings.POSIX, true),
                new FluxPeer(),
                new FlatdataPeer("flatdata iceoryx2 busy-spin", "iox2", Rings.ICEORYX2, false),
                new AeronIpcPeer(),
                new AgronaRingPeer(),
                new ChronicleQueuePeer(),
                new UnixSocketPeer(),
                new BareLinePeer(),
                new BareFutexPeer());
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("pong")) {
            pong(args[1], Profile.valueOf(args[2]), args.length > 3 ? args[3] : "");
            return;
        }
        Options options = Options.parse(args);
        String tag = "flatdata-peers-" + ProcessHandle.current().pid();
        Results results = new Results(Machine.describe(), options.profile());
        System.out.println(results.machine());
        System.out.printf("profile %s; output %s%n", options.profile().flag(), options.out());
        List<Peer> peers = select(options.only());
        try {
            ping(tag, options.profile(), peers, options.only(), results);
            idle(tag, peers, options.profile(), results);
            NativeIceoryx2Pair pair = NativeIceoryx2Pair.find(tag);
            if (pair != null && options.includes("native iceoryx2")) {
                for (Case c : Case.all()) {
                    int rounds = options.profile().rounds(c.size()) * options.profile().passes;
                    results.nativeIceoryx2(c, pair.run(rounds, c.size(), c.touch()));
                }
                pair.removeFiles();
            }
        } finally {
            cleanUp(tag);
        }
        results.print(System.out);
        Files.createDirectories(options.out());
        results.write(options.out());
        System.out.println("wrote " + options.out().resolve("results.md") + " and its charts");
    }

    private static List<Peer> select(String only) {
        List<Peer> chosen = new ArrayList<>();
        for (Peer p : all()) {
            if (Options.matches(only, p.name())) {
                chosen.add(p);
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("--only " + only + " matches none of the systems");
        }
        return chosen;
    }

    private static void ping(String tag, Profile profile, List<Peer> peers, String only, Results results)
            throws Exception {
        List<Link> links = new ArrayList<>();
        Process child = null;
        try {
            for (Peer p : peers) {
                links.add(p.open(Side.PING, tag, Sizes.LARGEST));
            }
            child = start(tag, profile, only);
            BufferedReader from = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            expect(from, "OPENED");
            for (Link l : links) {
                l.connect();
            }
            expect(from, "READY");
            new Schedule(profile, peers, links).ping(results, from);
            expect(from, "DONE");
            if (child.waitFor() != 0) {
                throw new IllegalStateException("the pong process exited with " + child.exitValue());
            }
        } finally {
            if (child != null) {
                child.destroyForcibly();
                child.waitFor();
            }
            closeAll(links);
        }
    }

    private static void pong(String tag, Profile profile, String only) throws Exception {
        List<Peer> peers = select(only);
        List<Link> links = new ArrayList<>();
        PrintStream out = System.out;
        try {
            for (Peer p : peers) {
                links.add(p.open(Side.PONG, tag, Sizes.LARGEST));
            }
            out.println("OPENED");
            out.flush();
            for (Link l : links) {
                l.connect();
            }
            out.println("READY");
            out.flush();
            new Schedule(profile, peers, links).pong(out);
            out.println("DONE");
            out.flush();
        } finally {
            closeAll(links);
        }
    }

    private static Process start(String tag, Profile profile, String only) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Peers.class.getName(), "pong", tag,
                profile.name(), only));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    static void expect(BufferedReader from, String word) throws Exception {
        String line = line(from);
        if (!word.equals(line)) {
            throw new IllegalStateException("the pong process said " + line + ", expected " + word);
        }
    }

    /**
     * The pong process's next protocol line, skipping what the JVM's own logging prints to
     * standard output (lines starting with {@code [}, e.g. a flight recording's start).
     */
    static String line(BufferedReader from) throws java.io.IOException {
        String line;
        while ((line = from.readLine()) != null && line.startsWith("[")) {
            System.err.println("pong process: " + line);
        }
        return line;
    }

    private static void closeAll(List<Link> links) {
        for (Link l : links) {
            try {
                l.close();
            } catch (Exception e) {
                System.err.println("closing a link failed: " + e);
            }
        }
    }

    /** Idle subscribers of every system that has one, side by side, for {@link Profile#idleSeconds}. */
    private static void idle(String tag, List<Peer> peers, Profile profile, Results results) throws Exception {
        List<AutoCloseable> running = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<List<Thread>> threads = new ArrayList<>();
        try {
            for (Peer p : peers) {
                List<Thread> made = new CopyOnWriteArrayList<>();
                ThreadFactory factory = r -> {
                    Thread t = new Thread(r, "idle-" + p.name());
                    t.setDaemon(true);
                    made.add(t);
                    return t;
                };
                AutoCloseable s = p.idleSubscriber(tag + "-idle", factory);
                if (s != null) {
                    running.add(s);
                    names.add(p.name());
                    threads.add(made);
                }
            }
            Thread.sleep(500);
            long[] before = new long[names.size()];
            for (int i = 0; i < before.length; i++) {
                before[i] = cpu(threads.get(i));
            }
            long t0 = System.nanoTime();
            Thread.sleep(profile.idleSeconds() * 1000L);
            long wall = System.nanoTime() - t0;
            for (int i = 0; i < before.length; i++) {
                results.idle(names.get(i), cpu(threads.get(i)) - before[i], wall);
            }
        } finally {
            for (AutoCloseable s : running) {
                s.close();
            }
        }
    }

    private static long cpu(List<Thread> threads) {
        long sum = 0;
        for (Thread t : threads) {
            long c = Allocation.cpuNanos(t.threadId());
            sum += Math.max(0, c);
        }
        return sum;
    }

    /** Removes whatever a failed run left in {@code /dev/shm}: this run's files and its iceoryx2 prefix's. */
    private static void cleanUp(String tag) throws Exception {
        String prefix = Rings.prefix(tag + "-x");
        try (var files = Files.list(Path.of("/dev/shm"))) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith(tag) || name.startsWith(prefix)) {
                    if (Files.isDirectory(f)) {
                        try (var tree = Files.walk(f)) {
                            tree.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
                        }
                    } else {
                        Files.deleteIfExists(f);
                    }
                }
            }
        }
        Files.deleteIfExists(Path.of(System.getProperty("java.io.tmpdir"), tag + ".sock"));
    }

    /** Command-line options of the ping side. */
    record Options(Profile profile, Path out, String only) {
        static Options parse(String[] args) {
            Profile profile = Profile.QUICK;
            Path out = Path.of("target", "bench-peers");
            String only = "";
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> profile = Profile.QUICK;
                    case "--full" -> profile = Profile.FULL;
                    case "--smoke" -> profile = Profile.SMOKE;
                    case "--out" -> out = Path.of(value(args, ++i, "--out"));
                    case "--only" -> only = value(args, ++i, "--only");
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + "; usage: ./flatdata bench peers [--quick|--full|--smoke] [--out DIR] [--only NAME,...]");
                }
            }
            return new Options(profile, out, only);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        boolean includes(String name) {
            return matches(only, name);
        }

        /** Whether a system named {@code name} is chosen by {@code only} (comma-separated parts of names; empty: all). */
        static boolean matches(String only, String name) {
            if (only.isBlank()) {
                return true;
            }
            for (String part : only.split(",")) {
                if (!part.isBlank() && name.toLowerCase(Locale.ROOT).contains(part.trim().toLowerCase(Locale.ROOT))) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A histogram of nanoseconds up to 10 s, 3 significant digits. */
    static Histogram histogram() {
        return new Histogram(10_000_000_000L, 3);
    }
}
