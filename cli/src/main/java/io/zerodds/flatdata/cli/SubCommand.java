package io.zerodds.flatdata.cli;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.PosixSlotBackend;
import io.zerodds.flatdata.Sample;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import reactor.core.publisher.Flux;

/**
 * {@code ./flatdata sub NAME}: attaches a reader to the POSIX segment {@code NAME}, checks every
 * sample (sequence continuity; for raw samples also index and checksum), prints the rate every
 * second like iceoryx2's {@code hz}, and at the end the totals and latency percentiles.
 */
@Command(name = "sub", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Reads the segment NAME: checks order and checksums, prints the rate every second and"
                + " a summary with latency percentiles at the end (end of stream, --count, --seconds or Ctrl-C).",
        footer = {"%nExamples:",
                "  ./flatdata sub prices                    until the writer ends the stream",
                "  ./flatdata sub prices --seconds 5        5 s, then the summary",
                "  ./flatdata sub prices --reactive         through ReactiveFlatReader.flux()",
                "  ./flatdata sub prices --follow --count 3 each sample: index, size, hex",
                "  ./flatdata sub ticks --type 'Tick{id:i64,price:f64}' --follow",
                "                           (refused unless the segment has that type)"})
final class SubCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "segment name (a file in /dev/shm)")
    String name;

    @Option(names = "--count", description = "stop after this many samples")
    Long count;

    @Option(names = "--seconds", description = "stop after this long")
    Double seconds;

    @Option(names = "--reactive", description = "consume through ReactiveFlatReader.flux()")
    boolean reactive;

    @Option(names = "--follow", description = "print every sample: typed fields with --type, else index and hex")
    boolean follow;

    @Option(names = "--type", paramLabel = "TYPE", description = "expect this type, e.g. 'Tick{id:i64,price:f64}'")
    String typeText;

    @Option(names = "--no-verify", description = "do not check the raw sample format (samples of another writer)")
    boolean noVerify;

    @Option(names = "--quiet", description = "no rate line every second, only the summary")
    boolean quiet;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        TypeSpec type = typeText == null ? null : TypeSpec.parse(typeText);
        if (count != null && count < 1) {
            throw new CliFailure(ExitCode.USAGE, "--count=" + count + " must be >= 1");
        }
        if (seconds != null && !(seconds > 0)) {
            throw new CliFailure(ExitCode.USAGE, "--seconds=" + seconds + " must be > 0");
        }
        out = spec.commandLine().getOut();
        long limit = count == null ? Long.MAX_VALUE : count;
        long deadline = seconds == null ? Long.MAX_VALUE : System.nanoTime() + (long) (seconds * 1e9);
        try (StopGuard stop = new StopGuard("sub");
             PosixSlotBackend ring = Segments.openReader(name, type == null ? null : type.type())) {
            boolean raw = type == null && ring.typeHash().isEmpty() && !noVerify;
            Meter meter = new Meter("sub");
            SampleChecker checker = new SampleChecker(meter, raw, -1);
            Follower follower = follow ? new Follower(type, raw) : null;
            Thread hz = quiet || follow ? null : Thread.ofPlatform().daemon().name("sub-hz").start(() -> hz(meter));
            long start = System.nanoTime();
            String ended;
            if (reactive) {
                ended = readReactive(ring, type, limit, deadline, checker, follower, stop);
            } else {
                ended = read(ring, type, limit, deadline, checker, follower, stop);
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (hz != null) {
                hz.interrupt();
                hz.join(1_000);
            }
            return summary(ring, meter.progress(true), checker, raw, elapsed, ended);
        }
    }

    private String read(PosixSlotBackend ring, TypeSpec type, long limit, long deadline, SampleChecker checker,
                        Follower follower, StopGuard stop) {
        try (FlatReader reader = type == null ? FlatReader.attach(ring) : FlatReader.attach(ring, type.type())) {
            for (long n = 0; n < limit; ) {
                if (stop.stopped()) {
                    return "interrupted";
                }
                if (System.nanoTime() >= deadline) {
                    return "time";
                }
                try (Sample s = reader.take(Duration.ofMillis(100))) {
                    if (s == null) {
                        if (reader.isEndOfStream()) {
                            return "end of stream";
                        }
                        continue;
                    }
                    checker.check(s.segment(), s.sequence());
                    if (follower != null) {
                        follower.print(s.segment(), s.sequence());
                    }
                    n++;
                }
            }
            return "count";
        }
    }

    private String readReactive(PosixSlotBackend ring, TypeSpec type, long limit, long deadline,
                                SampleChecker checker, Follower follower, StopGuard stop) {
        ReactiveFlatReader.Builder b = ReactiveFlatReader.builder(ring);
        if (type != null) {
            b.type(type.type());
        }
        String[] ended = {"end of stream"};
        try (ReactiveFlatReader reader = b.build()) {
            Flux<Object> stopper = Flux.interval(Duration.ofMillis(50))
                    .filter(t -> stop.stopped() || System.nanoTime() >= deadline)
                    .doOnNext(t -> ended[0] = stop.stopped() ? "interrupted" : "time")
                    .cast(Object.class);
            reader.flux()
                    .doOnNext(view -> {
                        checker.check(view);
                        if (follower != null) {
                            view.read(segment -> {
                                follower.print(segment, view.sequence());
                                return null;
                            });
                        }
                    })
                    .take(limit)
                    .doOnComplete(() -> {
                        if (limit != Long.MAX_VALUE && checker.lastSequence() >= 0
                                && checker.lastSequence() - checker.firstSequence() + 1 >= limit) {
                            ended[0] = "count";
                        }
                    })
                    .takeUntilOther(stopper)
                    .blockLast();
        }
        return ended[0];
    }

    private void hz(Meter meter) {
        try {
            while (true) {
                Thread.sleep(1_000);
                Progress p = meter.progress(false);
                synchronized (this) {
                    out.printf(Locale.ROOT, "%6.1fs %11s samples/s %7s MB/s  p50 %9s  p99 %9s  total %s%n",
                            p.elapsedNanos() / 1e9, Units.rate(p.samplesPerSecond()), Units.megabytes(p.bytesPerSecond()),
                            Units.nanos(p.p50()), Units.nanos(p.p99()), Units.count(p.samples()));
                    out.flush();
                }
            }
        } catch (InterruptedException ignored) {
            // done
        }
    }

    private int summary(PosixSlotBackend ring, Progress p, SampleChecker checker, boolean raw, double elapsed,
                        String ended) {
        synchronized (this) {
            out.printf(Locale.ROOT, "sub %s: %s samples (%s bytes) in %.2f s, %s samples/s, %s MB/s; ended by %s%n",
                    ring.path(), Units.count(p.samples()), Units.count(p.bytes()), elapsed,
                    Units.rate(p.samples() / elapsed), Units.megabytes(p.bytes() / elapsed), ended);
            out.printf("  order      %s%n", p.samples() == 0 ? "no samples"
                    : p.outOfOrder() == 0 ? "in order, sequences " + checker.firstSequence() + ".." + checker.lastSequence()
                            + " without a gap"
                    : Units.count(p.outOfOrder()) + " samples out of order (sequences " + checker.firstSequence() + ".."
                            + checker.lastSequence() + ")");
            if (raw) {
                out.printf("  checksums  %s%n", p.bad() == 0 ? "all valid" : Units.count(p.bad()) + " BAD");
                out.printf("  latency    p50 %s  p90 %s  p99 %s  p99.9 %s  max %s%n", Units.nanos(p.totalP50()),
                        Units.nanos(p.totalP90()), Units.nanos(p.totalP99()), Units.nanos(p.totalP999()),
                        Units.nanos(p.totalMax()));
            } else {
                out.printf("  checksums  not checked (%s)%n", ring.typeHash().isPresent()
                        ? "typed samples, type hash " + HexFormat.of().formatHex(ring.typeHash().get()) : "--no-verify");
            }
            out.flush();
        }
        if (p.outOfOrder() > 0 || p.bad() > 0) {
            throw new CliFailure(ExitCode.FAILED, ring.path() + ": " + Units.count(p.outOfOrder()) + " samples out of order, "
                    + Units.count(p.bad()) + " with a bad checksum");
        }
        return "interrupted".equals(ended) ? ExitCode.INTERRUPTED.code : 0;
    }

    /** Prints each sample as text. */
    private final class Follower {
        private final TypeSpec type;
        private final boolean raw;

        Follower(TypeSpec type, boolean raw) {
            this.type = type;
            this.raw = raw;
        }

        void print(MemorySegment sample, long sequence) {
            String text;
            if (type != null) {
                text = type.format(sample);
            } else {
                int n = (int) Math.min(sample.byteSize(), 32);
                byte[] head = sample.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                text = (raw && sample.byteSize() >= SampleFormat.MIN_SIZE ? "index " + SampleFormat.index(sample) + "  " : "")
                        + HexFormat.ofDelimiter(" ").formatHex(head) + (sample.byteSize() > n ? " ..." : "");
            }
            synchronized (SubCommand.this) {
                out.printf("#%d %d bytes  %s%n", sequence, sample.byteSize(), text);
            }
        }
    }
}
