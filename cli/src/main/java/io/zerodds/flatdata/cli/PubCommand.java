package io.zerodds.flatdata.cli;

import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.PosixSlotBackend;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./flatdata pub NAME}: creates the POSIX segment {@code NAME} and publishes samples into
 * it, raw ({@link SampleFormat}: index, send time, checksum) or of a {@link TypeSpec type}, then
 * ends the stream and removes the segment.
 */
@Command(name = "pub", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Creates the shared-memory segment NAME in /dev/shm and publishes samples into it.",
        footer = {"%nRaw samples carry an index, the send time and a CRC32C: sub checks order and",
                "contents and measures latency. A typed segment carries the type's hash: a",
                "reader of another type is refused. pub waits for --readers readers, publishes,",
                "ends the stream and removes the segment.",
                "%nExamples:",
                "  ./flatdata pub prices                   1 s of 64-byte samples, full speed",
                "  ./flatdata pub prices --rate 1000 --seconds 10",
                "  ./flatdata pub prices --count 1000000 --size 1024 --slots 256",
                "  ./flatdata pub ticks --type 'Tick{id:i64,price:f64}' --rate 10 --count 100",
                "  ./flatdata pub prices --readers 0 --best-effort   no waiting, drop when full"})
final class PubCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "segment name (a file in /dev/shm)")
    String name;

    @Option(names = "--size", defaultValue = "64", description = "bytes per raw sample, >= " + SampleFormat.MIN_SIZE
            + " (default ${DEFAULT-VALUE}; with --type the type's size)")
    int size;

    @Option(names = "--slots", defaultValue = "64", description = "slots in the ring (default ${DEFAULT-VALUE})")
    int slots;

    @Option(names = "--rate", defaultValue = "0", description = "samples per second; 0 = as fast as possible (default)")
    double rate;

    @Option(names = "--count", description = "samples to publish")
    Long count;

    @Option(names = "--seconds", description = "how long to publish (default 1 without --count)")
    Double seconds;

    @Option(names = "--type", paramLabel = "TYPE", description = "publish typed samples, e.g. 'Tick{id:i64,price:f64}'")
    String typeText;

    @Option(names = "--readers", defaultValue = "1",
            description = "readers to wait for before the first sample (default ${DEFAULT-VALUE}; 0 = none)")
    int readers;

    @Option(names = "--wait", defaultValue = "60", description = "seconds to wait for them (default ${DEFAULT-VALUE})")
    double waitSeconds;

    @Option(names = "--best-effort", description = "drop a sample when the ring is full instead of waiting")
    boolean bestEffort;

    @Option(names = "--timeout", defaultValue = "10",
            description = "seconds a reliable writer waits for a free slot before failing (default ${DEFAULT-VALUE})")
    double timeoutSeconds;

    @Override
    public Integer call() {
        TypeSpec type = typeText == null ? null : TypeSpec.parse(typeText);
        int sampleSize = type == null ? size : (int) type.type().byteSize();
        if (type == null) {
            SampleFormat.checkSize("--size", size, 1 << 24);
        }
        if (slots < 1 || slots > 1 << 20) {
            throw new CliFailure(ExitCode.USAGE, "--slots=" + slots + " must be in [1, 1048576]");
        }
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new CliFailure(ExitCode.USAGE, "--rate=" + rate + " must be >= 0 samples/s (0: as fast as possible)");
        }
        if (count != null && count < 1) {
            throw new CliFailure(ExitCode.USAGE, "--count=" + count + " must be >= 1");
        }
        if (seconds != null && !(seconds > 0)) {
            throw new CliFailure(ExitCode.USAGE, "--seconds=" + seconds + " must be > 0");
        }
        if (readers < 0 || readers > 32) {
            throw new CliFailure(ExitCode.USAGE, "--readers=" + readers + " must be in [0, 32]");
        }
        if (!(timeoutSeconds > 0)) {
            throw new CliFailure(ExitCode.USAGE, "--timeout=" + timeoutSeconds + " must be > 0");
        }
        long limit = count != null ? count : Long.MAX_VALUE;
        long nanos = seconds != null ? (long) (seconds * 1e9) : count != null ? Long.MAX_VALUE : 1_000_000_000L;
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (StopGuard stop = new StopGuard("pub");
             PosixSlotBackend ring = Segments.create(name, slots, type == null ? size : 0,
                type == null ? null : type.type(), null);
             FlatWriter writer = bestEffort ? FlatWriter.bestEffort(ring)
                     : FlatWriter.reliable(ring, Duration.ofNanos((long) (timeoutSeconds * 1e9)))) {
            if (readers > 0) {
                err.printf("pub %s: waiting for %d reader%s ...%n", ring.path(), readers, readers == 1 ? "" : "s");
                err.flush();
                long deadline = System.nanoTime() + (long) (waitSeconds * 1e9);
                while (Integer.bitCount(ring.activeReaders()) < readers) {
                    if (stop.stopped()) {
                        return ExitCode.INTERRUPTED.code;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new CliFailure(ExitCode.FAILED, "no " + readers + " reader(s) attached to " + ring.path()
                                + " within " + waitSeconds + " s");
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
            }
            SampleFormat format = new SampleFormat();
            long start = System.nanoTime();
            long sent = 0;
            long bytes = 0;
            for (long i = 0; i < limit && !stop.stopped(); i++) {
                long now = System.nanoTime();
                if (now - start >= nanos) {
                    break;
                }
                if (rate > 0) {
                    long due = start + (long) (i * 1e9 / rate);
                    if (due > now) {
                        LockSupport.parkNanos(due - now);
                    }
                }
                try (FlatWriter.Claim claim = writer.loan()) {
                    if (claim == null) {
                        continue; // best effort, ring full: counted as dropped
                    }
                    if (type == null) {
                        format.write(claim.segment(), i, sampleSize);
                    } else {
                        type.fill(claim.segment(), i);
                    }
                    claim.commit(sampleSize);
                }
                sent++;
                bytes += sampleSize;
            }
            writer.endStream();
            double s = (System.nanoTime() - start) / 1e9;
            out.printf("pub %s: %s samples of %d bytes in %.2f s (%s samples/s, %s MB/s)%s%n", ring.path(),
                    Units.count(sent), sampleSize, s, Units.rate(sent / s), Units.megabytes(bytes / s),
                    writer.droppedCount() > 0 ? ", " + Units.count(writer.droppedCount()) + " dropped (ring full)" : "");
            out.flush();
            return stop.stopped() ? ExitCode.INTERRUPTED.code : 0;
        }
    }
}
