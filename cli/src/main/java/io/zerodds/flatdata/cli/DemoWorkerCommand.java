package io.zerodds.flatdata.cli;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.PosixSlotBackend;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One child process of {@code ./flatdata demo} (hidden): the writer, which creates the POSIX
 * segment, or one of the readers, which open it. It prints {@code READY} once it holds the ring
 * (created, or attached), then a {@link Progress} line every period and a last one with
 * {@code done=true}, and exits 0 (1 after a failure, reported in that last line).
 */
@Command(name = "demo-worker", hidden = true, description = "One process of the demo (started by demo).")
final class DemoWorkerCommand implements Callable<Integer> {

    @Option(names = "--role", required = true, description = "writer, reader or reactive")
    String role;

    @Option(names = "--name", required = true)
    String name;

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
        Meter meter = new Meter(role);
        Thread reporter = null;
        try {
            switch (role) {
                case "writer" -> {
                    try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(slots).slotCapacity(size).build()) {
                        print("READY");
                        reporter = startReporter(meter);
                        DemoWorkers.write(ring, size, rate, nanos, readers, count, meter, stop::get);
                    }
                }
                case "reader" -> {
                    try (PosixSlotBackend ring = PosixSlotBackend.open(name).build();
                         FlatReader reader = FlatReader.attach(ring)) {
                        print("READY");
                        reporter = startReporter(meter);
                        DemoWorkers.read(reader, meter, stop::get);
                    }
                }
                case "reactive" -> {
                    try (PosixSlotBackend ring = PosixSlotBackend.open(name).build();
                         ReactiveFlatReader reader = ReactiveFlatReader.attach(ring)) {
                        print("READY");
                        reporter = startReporter(meter);
                        DemoWorkers.readReactive(reader, slowNanos, meter, stop::get);
                    }
                }
                default -> throw new CliFailure(ExitCode.USAGE, "--role=" + role + ": expected writer, reader or reactive");
            }
            stopReporter(reporter);
            print(meter.progress(true).toLine());
            return 0;
        } catch (RuntimeException e) {
            stopReporter(reporter);
            print(meter.progress(true).failed(e.getClass().getSimpleName() + ": " + e.getMessage()).toLine());
            return ExitCode.FAILED.code;
        }
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
