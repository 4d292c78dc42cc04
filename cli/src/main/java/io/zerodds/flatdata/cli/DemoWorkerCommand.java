package io.zerodds.flatdata.cli;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.PosixSlotBackend;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.iceoryx2.Iceoryx2SlotBackend;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One child process of {@code ./flatdata demo} (hidden): the writer, which creates the ring (a
 * POSIX segment, or an iceoryx2 service under the run's prefix), or one of the readers, which open
 * it. It prints {@code READY} once it holds the ring (created, or attached), then a
 * {@link Progress} line every period and a last one with {@code done=true}, and exits 0 (1 after a
 * failure, reported in that last line; 8 when the iceoryx2 native library cannot be loaded).
 *
 * <p>The writer waits for its readers before it writes: over POSIX the segment's reader registry
 * counts them across processes; over iceoryx2 the registry is per process, so it counts the
 * service's subscribers instead ({@link Iceoryx2SlotBackend#readerPorts()}: a reader process
 * subscribes when its reader attaches, before it says {@code READY}). Over iceoryx2 the writer
 * also stays, after the end of the stream, until both readers have left the service: a publisher
 * that closes takes the samples still queued for its subscribers with it.
 */
@Command(name = "demo-worker", hidden = true, description = "One process of the demo (started by demo).")
final class DemoWorkerCommand implements Callable<Integer> {

    @Option(names = "--role", required = true, description = "writer, reader or reactive")
    String role;

    @Option(names = "--backend", defaultValue = "posix", description = "posix or iceoryx2")
    String backend;

    @Option(names = "--name", required = true, description = "the segment's name, or the iceoryx2 service's")
    String name;

    @Option(names = "--prefix", description = "the iceoryx2 file prefix of the run")
    String prefix;

    @Option(names = "--size", defaultValue = "64")
    int size;

    @Option(names = "--slots", defaultValue = "64")
    int slots;

    @Option(names = "--rate", defaultValue = "0")
    long rate;

    @Option(names = "--nanos", defaultValue = "3000000000")
    long nanos;

    @Option(names = "--count", defaultValue = "9223372036854775807")
    long count;

    @Option(names = "--readers", defaultValue = "2")
    int readers;

    @Option(names = "--slow-nanos", defaultValue = "20000")
    long slowNanos;

    @Option(names = "--period-millis", defaultValue = "200")
    long periodMillis;

    private final PrintStream out = System.out;
    private final AtomicBoolean stop = new AtomicBoolean();

    @Override
    public Integer call() {
        if (!List.of("writer", "reader", "reactive").contains(role)) {
            throw new CliFailure(ExitCode.USAGE, "--role=" + role + ": expected writer, reader or reactive");
        }
        if (!List.of("posix", "iceoryx2").contains(backend)) {
            throw new CliFailure(ExitCode.USAGE, "--backend=" + backend + ": expected posix or iceoryx2");
        }
        Meter meter = new Meter(role);
        Thread reporter = null;
        try (SlotBackend ring = openRing()) {
            switch (role) {
                case "writer" -> {
                    print("READY");
                    reporter = startReporter(meter);
                    if (ring instanceof Iceoryx2SlotBackend iox) {
                        DemoWorkers.write(ring, size, rate, nanos, readers, iox::readerPorts, count, meter, stop::get);
                        DemoWorkers.awaitReadersGone(iox::readerPorts, iox::cleanupDeadNodes,
                                Iceoryx2SlotBackend.DEFAULT_DEAD_NODE_CHECK, stop::get);
                    } else {
                        DemoWorkers.write(ring, size, rate, nanos, readers, () -> DemoWorkers.attachedReaders(ring),
                                count, meter, stop::get);
                    }
                }
                case "reader" -> {
                    try (FlatReader reader = FlatReader.attach(ring)) {
                        print("READY");
                        reporter = startReporter(meter);
                        DemoWorkers.read(reader, meter, stop::get);
                    }
                }
                default -> {
                    try (ReactiveFlatReader reader = ReactiveFlatReader.attach(ring)) {
                        print("READY");
                        reporter = startReporter(meter);
                        DemoWorkers.readReactive(reader, slowNanos, meter, stop::get);
                    }
                }
            }
            stopReporter(reporter);
            print(meter.progress(true).toLine());
            return 0;
        } catch (RuntimeException e) {
            stopReporter(reporter);
            print(meter.progress(true).failed(e.getClass().getSimpleName() + ": " + e.getMessage()).toLine());
            return ExitCode.FAILED.code;
        } catch (LinkageError e) {
            if (!backend.equals("iceoryx2")) {
                throw e;
            }
            // the iceoryx2 native library did not load (none for this platform, or not loadable)
            Throwable why = e.getCause() != null ? e.getCause() : e;
            print(meter.progress(true).failed(UNAVAILABLE + (why.getMessage() != null ? why.getMessage() : why))
                    .toLine());
            return ExitCode.UNAVAILABLE.code;
        }
    }

    /** What the last line of a worker says when the iceoryx2 backend cannot be loaded here. */
    static final String UNAVAILABLE = "iceoryx2 unavailable: ";

    /** The writer creates the ring; a reader opens it. */
    private SlotBackend openRing() {
        boolean create = role.equals("writer");
        if (backend.equals("iceoryx2")) {
            Iceoryx2SlotBackend.Builder b = create
                    ? Iceoryx2SlotBackend.create(name).slotCount(slots).slotCapacity(size)
                    : Iceoryx2SlotBackend.open(name);
            return (prefix == null ? b : b.prefix(prefix)).build();
        }
        return create ? PosixSlotBackend.create(name).slotCount(slots).slotCapacity(size).build()
                : PosixSlotBackend.open(name).build();
    }

    private Thread startReporter(Meter meter) {
        return Thread.ofPlatform().daemon().name("demo-progress").start(() -> {
            try {
                while (!stop.get()) {
                    Thread.sleep(periodMillis);
                    print(meter.progress(false).toLine());
                }
            } catch (InterruptedException ignored) {
                // stopped
            }
        });
    }

    private static void stopReporter(Thread reporter) {
        if (reporter != null) {
            reporter.interrupt();
            try {
                reporter.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void print(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
