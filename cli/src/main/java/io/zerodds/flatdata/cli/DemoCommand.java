package io.zerodds.flatdata.cli;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.InMemorySlotBackend;
import io.zerodds.flatdata.iceoryx2.Iceoryx2SlotBackend;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./flatdata demo}: a writer process and two reader processes over a POSIX shared-memory
 * ring (or an iceoryx2 service), one reader a plain {@link FlatReader}, the other a
 * {@link ReactiveFlatReader} pipeline with a slow stage; live progress, one line per process,
 * then a summary table.
 *
 * <p>The children are JVMs on this JVM's class path running the hidden {@code demo-worker}
 * command; each reports on stdout ({@link Progress}). A shutdown hook kills them and removes the
 * segment when the demo is stopped with Ctrl-C. With {@code --backend in-memory} (a ring on the
 * heap, which cannot span processes) the three run as threads of this process.
 *
 * <p>With {@code --backend iceoryx2} the ring is an iceoryx2 service of a name of its own
 * ({@code flatdata/demo/PID-HEX}) under an iceoryx2 file prefix of its own ({@code fdemoPIDxHEX_}),
 * which the writer creates and the readers open. This process never opens it: it only starts the
 * children, and once they are gone (ended, or killed on Ctrl-C) it removes every file of the
 * prefix in /dev/shm and under /tmp/iceoryx2 ({@link Iceoryx2Files}), so nothing of the run
 * stays, not even the management file iceoryx2 keeps per prefix. The writer waits for its readers
 * by the service's subscriber count ({@code Iceoryx2SlotBackend.readerPorts()}), as the reader
 * registry it waits on over POSIX is per process over iceoryx2; see {@link DemoWorkerCommand}.
 * The live line's free slots are, on every backend, the slots the slowest reader's count says it
 * does not hold, and the stalls are the writer's own count of finding no free slot (over
 * iceoryx2: no free chunk), so both mean over iceoryx2 what they mean over POSIX.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs a writer process and two reader processes over a shared-memory ring: one reader a"
                + " plain FlatReader, one a ReactiveFlatReader.flux() pipeline with a deliberately slow stage, so"
                + " that backpressure shows. Live progress per process, then a summary; the segment (or the"
                + " iceoryx2 service and all its files) is removed."},
        footer = {"%nExamples:",
                "  ./flatdata demo                      5 s over /dev/shm, 64 slots of 64 bytes",
                "  ./flatdata demo --seconds 10 --size 4096",
                "  ./flatdata demo --rate 100000 --slow-stage 5",
                "  ./flatdata demo --backend iceoryx2   the same over an iceoryx2 service",
                "  ./flatdata demo --backend in-memory  the same as three threads of one process",
                "%nColumns: samples/s and MB/s of the last period; p50/p99 latency from the",
                "send time in each sample to its check by the reader; free slots: slots the",
                "slowest reader does not hold; stalls: times the writer found the ring full",
                "and waited; lag: samples behind the writer.",
                "%nOver iceoryx2 the writer waits for the service's two subscribers, a full",
                "ring is every chunk in use, and at the end (and on Ctrl-C) every file of",
                "the run's iceoryx2 prefix goes from /dev/shm and /tmp/iceoryx2."})
final class DemoCommand implements java.util.concurrent.Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--backend", defaultValue = "posix",
            description = "posix (default: three processes over /dev/shm), iceoryx2 (three processes over an"
                    + " iceoryx2 service, slots <= " + Iceoryx2SlotBackend.Builder.MAX_SLOTS
                    + "), in-memory (three threads)")
    String backend;

    @Option(names = "--seconds", defaultValue = "5", description = "how long the writer writes (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--size", defaultValue = "64", description = "bytes per sample, >= " + SampleFormat.MIN_SIZE
            + " (default ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--slots", defaultValue = "64", description = "slots in the ring (default ${DEFAULT-VALUE})")
    int slots;

    @Option(names = "--rate", defaultValue = "0",
            description = "samples per second the writer sends; 0 = as fast as the readers take them (default)")
    long rate;

    @Option(names = "--samples", description = "stop after this many samples (default: when --seconds are up)")
    Long samples;

    @Option(names = "--slow-stage", defaultValue = "20",
            description = "µs the reactive reader's slow stage spends per sample (default ${DEFAULT-VALUE})")
    long slowStageMicros;

    /** The system property that points the iceoryx2 backend at a native library of one's own build. */
    static final String NATIVE_LIBRARY_PROPERTY = "flatdata.iceoryx2.library";

    /** The refresh period of the live lines. */
    static final long PERIOD_MILLIS = 250;
    private static final long READY_TIMEOUT_SECONDS = 60;

    private final AtomicBoolean interrupted = new AtomicBoolean();
    private final List<Part> parts = new ArrayList<>();
    private Path segment;
    /** The files of the run's iceoryx2 prefix (with --backend iceoryx2). */
    private Iceoryx2Files iceoryx2;
    private String service;
    /** What of the iceoryx2 run could not be removed. */
    private List<Path> iceoryx2Left = List.of();
    private boolean cleanedUp;

    @Override
    public Integer call() throws Exception {
        validate();
        Thread hook = new Thread(this::onInterrupt, "demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return switch (backend) {
                case "posix", "iceoryx2" -> runProcesses();
                case "in-memory" -> runThreads();
                default -> throw new IllegalStateException(backend);
            };
        } finally {
            cleanUp();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs
            }
        }
    }

    private void validate() {
        switch (backend) {
            case "posix", "in-memory", "iceoryx2" -> {
            }
            default -> throw usage("--backend=" + backend + ": expected posix, in-memory or iceoryx2");
        }
        if (!(seconds > 0 && seconds <= 3600)) {
            throw usage("--seconds=" + fmt(seconds) + " must be in (0, 3600]");
        }
        SampleFormat.checkSize("--size", size, 1 << 24);
        if (slots < 1 || slots > 1 << 20) {
            throw usage("--slots=" + slots + " must be in [1, 1048576]");
        }
        if (backend.equals("iceoryx2") && slots > Iceoryx2SlotBackend.Builder.MAX_SLOTS) {
            throw usage("--slots=" + slots + " must be in [1, " + Iceoryx2SlotBackend.Builder.MAX_SLOTS
                    + "] over iceoryx2 (the chunks of one service)");
        }
        if ((long) slots * size > 1L << 30) {
            throw usage("--slots=" + slots + " x --size=" + size + " is more than 1 GiB of shared memory");
        }
        if (rate < 0) {
            throw usage("--rate=" + rate + " must be >= 0 samples/s (0: as fast as possible)");
        }
        if (samples != null && samples < 1) {
            throw usage("--samples=" + samples + " must be >= 1");
        }
        if (slowStageMicros < 0 || slowStageMicros > 1_000_000) {
            throw usage("--slow-stage=" + slowStageMicros + " must be in [0, 1000000] µs");
        }
    }

    private static CliFailure usage(String message) {
        return new CliFailure(ExitCode.USAGE, message);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private long nanos() {
        return (long) (seconds * 1e9);
    }

    // ------------------------------------------------------------------ processes

    private int runProcesses() throws Exception {
        long pid = ProcessHandle.current().pid();
        String run = Long.toHexString(System.nanoTime() & 0xFFFFFF);
        String name;
        String where;
        if (backend.equals("iceoryx2")) {
            name = "flatdata/demo/" + pid + "-" + run;
            String prefix = "fdemo" + pid + "x" + run + "_";
            synchronized (this) {
                service = name;
                iceoryx2 = new Iceoryx2Files(prefix);
            }
            where = "iceoryx2 service " + name + " (file prefix " + prefix + ")";
        } else {
            name = "flatdata-demo-" + pid + "-" + run;
            synchronized (this) {
                segment = ShmDirectory.DIRECTORY.resolve(name);
            }
            where = "posix shared memory " + segment;
        }
        ChildPart writer = startChild("writer", name);
        writer.awaitReady();
        ChildPart reader = startChild("reader", name);
        ChildPart reactive = startChild("reactive", name);
        reader.awaitReady();
        reactive.awaitReady();
        return watchAndSummarize(where);
    }

    private ChildPart startChild(String role, String name) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        String library = System.getProperty(NATIVE_LIBRARY_PROPERTY);
        if (library != null) {
            // a developer's own build of the iceoryx2 library: the children load the same
            command.add("-D" + NATIVE_LIBRARY_PROPERTY + "=" + library);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "demo-worker",
                "--role", role, "--backend", backend, "--name", name, "--size", Integer.toString(size),
                "--slots", Integer.toString(slots),
                "--rate", Long.toString(rate), "--nanos", Long.toString(nanos()), "--readers", "2",
                "--slow-nanos", Long.toString(slowStageMicros * 1000), "--period-millis", Long.toString(PERIOD_MILLIS)));
        if (iceoryx2 != null) {
            command.addAll(List.of("--prefix", iceoryx2.prefix()));
        }
        if (samples != null) {
            command.addAll(List.of("--count", Long.toString(samples)));
        }
        ChildPart part = new ChildPart(role, command);
        synchronized (parts) {
            parts.add(part);
        }
        return part;
    }

    // ------------------------------------------------------------------ threads

    private int runThreads() throws Exception {
        try (InMemorySlotBackend ring = InMemorySlotBackend.create(slots, size);
             FlatReader plain = FlatReader.attach(ring);
             ReactiveFlatReader reactive = ReactiveFlatReader.attach(ring)) {
            long count = samples == null ? Long.MAX_VALUE : samples;
            ThreadPart writer = new ThreadPart("writer", m -> DemoWorkers.write(ring, size, rate, nanos(), 2,
                    () -> DemoWorkers.attachedReaders(ring), count, m, interrupted::get));
            ThreadPart reader = new ThreadPart("reader", m -> DemoWorkers.read(plain, m, interrupted::get));
            ThreadPart slow = new ThreadPart("reactive", m -> DemoWorkers.readReactive(reactive,
                    slowStageMicros * 1000, m, interrupted::get));
            synchronized (parts) {
                parts.addAll(List.of(writer, reader, slow));
            }
            parts.forEach(p -> ((ThreadPart) p).start());
            return watchAndSummarize("in-memory ring (threads of pid " + ProcessHandle.current().pid() + ")");
        }
    }

    // ------------------------------------------------------------------ display

    private int watchAndSummarize(String where) throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        boolean tty = System.console() != null && System.console().isTerminal();
        out.printf("flatdata demo: writer and 2 readers over %s: %d slots of %d bytes, %s, for %s s%n", where, slots,
                size, rate == 0 ? "as fast as possible" : Units.count(rate) + " samples/s", fmt(seconds));
        out.flush();
        long deadline = System.nanoTime() + nanos() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_SECONDS);
        long start = System.nanoTime();
        long lastPlain = 0;
        boolean drawn = false;
        while (!interrupted.get()) {
            boolean allDone = parts.stream().allMatch(Part::finished);
            List<Progress> now = parts.stream().map(Part::poll).toList();
            long elapsed = System.nanoTime() - start;
            if (tty) {
                if (drawn) {
                    out.print("\033[" + now.size() + "F");
                }
                for (String line : liveLines(now, elapsed)) {
                    out.print(line + "\033[K\n");
                }
                drawn = true;
                out.flush();
            } else if (allDone || elapsed - lastPlain >= TimeUnit.SECONDS.toNanos(1)) {
                lastPlain = elapsed;
                liveLines(now, elapsed).forEach(out::println);
                out.flush();
            }
            if (allDone) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new CliFailure(ExitCode.FAILED, "the demo did not finish within " + fmt(seconds) + " s + "
                        + READY_TIMEOUT_SECONDS + " s");
            }
            Thread.sleep(PERIOD_MILLIS);
        }
        if (interrupted.get()) {
            return ExitCode.INTERRUPTED.code;
        }
        List<Progress> results = parts.stream().map(Part::result).toList();
        return summarize(out, results);
    }

    private List<String> liveLines(List<Progress> now, long elapsed) {
        Progress writer = now.get(0);
        long slowest = Long.MAX_VALUE;
        for (int i = 1; i < now.size(); i++) {
            slowest = Math.min(slowest, now.get(i).samples());
        }
        long free = Math.max(0, Math.min(slots, slots - (writer.samples() - slowest)));
        List<String> lines = new ArrayList<>();
        for (Progress p : now) {
            String tail = p == writer
                    ? String.format(Locale.ROOT, "free slots %3d/%-3d  stalls %s", free, slots, Units.count(p.stalls()))
                    : "lag " + Units.count(Math.max(0, writer.samples() - p.samples())) + " samples";
            lines.add(String.format(Locale.ROOT, "%5.1fs %-9s pid %-7d %11s samples/s %7s MB/s  p50 %9s  p99 %9s  %s%s",
                    elapsed / 1e9, p.role(), p.pid(), Units.rate(p.samplesPerSecond()), Units.megabytes(p.bytesPerSecond()),
                    Units.nanos(p.p50()), Units.nanos(p.p99()), tail, p.done() ? "  done" : ""));
        }
        return lines;
    }

    private int summarize(PrintWriter out, List<Progress> results) {
        Progress writer = results.get(0);
        out.println();
        out.printf("%-9s %7s %13s %9s %9s %10s %10s %10s %10s %10s%n", "process", "pid", "samples", "in order",
                "checksums", "p50", "p90", "p99", "p99.9", "max");
        List<String> problems = new ArrayList<>();
        if (writer.error() != null) {
            problems.add("writer: " + writer.error());
        }
        for (Progress p : results) {
            boolean isWriter = p == writer;
            out.printf("%-9s %7d %13s %9s %9s %10s %10s %10s %10s %10s%n", p.role(), p.pid(), Units.count(p.samples()),
                    isWriter ? "-" : p.outOfOrder() == 0 ? "yes" : "NO", isWriter ? "-" : p.bad() == 0 ? "valid" : "BAD",
                    Units.nanos(p.totalP50()), Units.nanos(p.totalP90()), Units.nanos(p.totalP99()),
                    Units.nanos(p.totalP999()), Units.nanos(p.totalMax()));
            if (isWriter) {
                continue;
            }
            if (p.error() != null) {
                problems.add(p.role() + ": " + p.error());
            } else if (p.samples() != writer.samples()) {
                problems.add(p.role() + " received " + Units.count(p.samples()) + " of " + Units.count(writer.samples())
                        + " samples");
            }
            if (p.outOfOrder() > 0) {
                problems.add(p.role() + ": " + Units.count(p.outOfOrder()) + " samples out of order");
            }
            if (p.bad() > 0) {
                problems.add(p.role() + ": " + Units.count(p.bad()) + " samples with a bad checksum");
            }
        }
        double writerSeconds = writer.elapsedNanos() / 1e9;
        out.printf("writer: %s samples in %.2f s (%s samples/s, %s MB/s), stalled %s times on a full ring%n",
                Units.count(writer.samples()), writerSeconds, Units.rate(writer.samples() / writerSeconds),
                Units.megabytes(writer.bytes() / writerSeconds), Units.count(writer.stalls()));
        cleanUp();
        if (segment != null) {
            out.println("segment " + segment + (Files.exists(segment) ? " is still there" : " removed"));
        }
        if (iceoryx2 != null) {
            out.println(removedIceoryx2());
            if (!iceoryx2Left.isEmpty()) {
                problems.add("files of the iceoryx2 service are still there: " + iceoryx2Left);
            }
        }
        out.flush();
        if (!problems.isEmpty()) {
            throw new CliFailure(ExitCode.FAILED, String.join("; ", problems));
        }
        out.println("every sample reached both readers, in order, with valid checksums");
        out.flush();
        return 0;
    }

    // ------------------------------------------------------------------ cleanup

    private void onInterrupt() {
        if (cleanedUpAlready()) {
            return;
        }
        interrupted.set(true);
        cleanUp();
        PrintWriter err = spec.commandLine().getErr();
        err.println("flatdata demo: interrupted; writer and readers stopped"
                + (segment == null ? "" : ", segment " + segment + " removed")
                + (iceoryx2 == null ? "" : ", " + removedIceoryx2()));
        err.flush();
    }

    private synchronized boolean cleanedUpAlready() {
        return cleanedUp;
    }

    /** What became of the iceoryx2 service's files, for the summary and the interrupt message. */
    private String removedIceoryx2() {
        return "iceoryx2 service " + service + (iceoryx2Left.isEmpty()
                ? " removed: no file of prefix " + iceoryx2.prefix() + " left in /dev/shm or " + Iceoryx2Files.ROOT
                : " not removed whole: " + iceoryx2Left.size() + " files left, " + iceoryx2Left);
    }

    /**
     * Stops every part still running and removes the segment, or, once the children are gone, every
     * file of the run's iceoryx2 prefix; idempotent.
     */
    private synchronized void cleanUp() {
        if (cleanedUp) {
            return;
        }
        cleanedUp = true;
        List<Part> all;
        synchronized (parts) {
            all = List.copyOf(parts);
        }
        all.forEach(Part::stop);
        if (segment != null) {
            try {
                Files.deleteIfExists(segment);
            } catch (IOException e) {
                spec.commandLine().getErr().println("flatdata demo: cannot remove " + segment + ": " + e.getMessage());
            }
        }
        if (iceoryx2 != null) {
            iceoryx2Left = iceoryx2.remove();
        }
    }

    // ------------------------------------------------------------------ parts

    /** A writer or reader of the demo, in a child process or a thread. */
    private interface Part {
        /** The latest progress (for the live lines). */
        Progress poll();

        boolean finished();

        /** The final progress, once finished. */
        Progress result();

        /** Stops it now (kills a child) and waits until it has. */
        void stop();
    }

    /** A child JVM running {@code demo-worker}. */
    private static final class ChildPart implements Part {
        private final String role;
        private final Process process;
        private final Path stderr;
        private final CountDownLatch ready = new CountDownLatch(1);
        private final Thread stdout;
        private volatile Progress latest;
        private volatile Progress done;

        ChildPart(String role, List<String> command) throws IOException {
            this.role = role;
            this.stderr = Files.createTempFile("flatdata-demo-" + role + "-", ".err");
            this.process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            this.latest = Progress.starting(role, process.pid());
            process.getOutputStream().close();
            this.stdout = Thread.ofPlatform().daemon().name("demo-" + role + "-stdout").start(this::readStdout);
        }

        private void readStdout() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.equals("READY")) {
                        ready.countDown();
                        continue;
                    }
                    Progress p = Progress.parse(line);
                    if (p != null) {
                        latest = p;
                        if (p.done()) {
                            done = p;
                        }
                    }
                }
            } catch (IOException ignored) {
                // the child went away
            }
            ready.countDown();
        }

        void awaitReady() throws InterruptedException {
            if (!ready.await(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS) || (done != null && done.error() != null)
                    || !process.isAlive() && done == null) {
                String why = done != null && done.error() != null ? done.error() : lastErrorLine();
                if (why.startsWith(DemoWorkerCommand.UNAVAILABLE)) {
                    throw new CliFailure(ExitCode.UNAVAILABLE, "--backend=iceoryx2: the iceoryx2 backend cannot be"
                            + " loaded here: " + why.substring(DemoWorkerCommand.UNAVAILABLE.length()));
                }
                throw new CliFailure(ExitCode.FAILED, "the demo's " + role + " (pid " + process.pid()
                        + ") did not start: " + why);
            }
        }

        private String lastErrorLine() {
            try {
                List<String> lines = Files.readAllLines(stderr);
                for (int i = lines.size() - 1; i >= 0; i--) {
                    if (!lines.get(i).isBlank()) {
                        return lines.get(i).trim();
                    }
                }
                return process.isAlive() ? "no answer" : "exited with code " + process.exitValue();
            } catch (IOException e) {
                return "exited";
            }
        }

        @Override
        public Progress poll() {
            return latest;
        }

        @Override
        public boolean finished() {
            return !process.isAlive() && !stdout.isAlive();
        }

        @Override
        public Progress result() {
            if (done != null) {
                return done;
            }
            return latest.failed("exited with code " + process.exitValue() + " before its summary: " + lastErrorLine());
        }

        @Override
        public void stop() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            try {
                process.waitFor(10, TimeUnit.SECONDS);
                stdout.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                Files.deleteIfExists(stderr);
            } catch (IOException ignored) {
                // a temporary file
            }
        }
    }

    /** A writer or reader running as a thread over the in-memory ring. */
    private static final class ThreadPart implements Part {
        private final Meter meter;
        private final Thread thread;
        private volatile String error;

        ThreadPart(String role, java.util.function.Consumer<Meter> body) {
            this.meter = new Meter(role);
            this.thread = Thread.ofPlatform().name("demo-" + role).unstarted(() -> {
                try {
                    body.accept(meter);
                } catch (RuntimeException e) {
                    error = e.getClass().getSimpleName() + ": " + e.getMessage();
                }
            });
        }

        void start() {
            thread.start();
        }

        @Override
        public Progress poll() {
            return meter.progress(false);
        }

        @Override
        public boolean finished() {
            return !thread.isAlive();
        }

        @Override
        public Progress result() {
            Progress p = meter.progress(true);
            return error == null ? p : p.failed(error);
        }

        @Override
        public void stop() {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
