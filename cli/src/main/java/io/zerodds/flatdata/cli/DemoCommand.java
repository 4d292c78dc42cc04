package io.zerodds.flatdata.cli;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.InMemorySlotBackend;
import io.zerodds.flatdata.Sample;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A writer thread and a reader thread over an in-memory ring: the writer fills each slot in
 * place with a sequence number and a checksum, the reader checks both in place.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs a writer and a reader over the in-memory backend and prints what flowed.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--samples", defaultValue = "1000000", description = "samples to send (default ${DEFAULT-VALUE})")
    long samples;

    @Option(names = "--size", defaultValue = "64", description = "bytes per sample, >= 16 (default ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--slots", defaultValue = "64", description = "slots in the ring (default ${DEFAULT-VALUE})")
    int slots;

    @Override
    public Integer call() throws Exception {
        if (size < 16) {
            throw new IllegalArgumentException("--size=" + size + " must be >= 16 (sequence + checksum)");
        }
        if (samples < 1) {
            throw new IllegalArgumentException("--samples=" + samples + " must be >= 1");
        }
        try (var backend = InMemorySlotBackend.create(slots, size);
             var reader = FlatReader.attach(backend);
             var writer = FlatWriter.reliable(backend, Duration.ofSeconds(10))) {
            long[] received = new long[2];
            Thread consumer = Thread.ofPlatform().name("demo-reader").start(() -> {
                long bytes = 0;
                for (long i = 0; i < samples; i++) {
                    try (Sample s = reader.take(Duration.ofSeconds(10))) {
                        if (s == null) {
                            throw new IllegalStateException("no sample within 10 s after " + i);
                        }
                        MemorySegment view = s.segment();
                        long seq = view.get(ValueLayout.JAVA_LONG, 0);
                        if (seq != i || view.get(ValueLayout.JAVA_LONG, 8) != checksum(view)) {
                            throw new IllegalStateException("sample " + i + " arrived as " + seq + " or corrupt");
                        }
                        bytes += s.size();
                    }
                }
                received[0] = samples;
                received[1] = bytes;
            });
            long start = System.nanoTime();
            for (long i = 0; i < samples; i++) {
                try (FlatWriter.Claim claim = writer.loan()) {
                    MemorySegment out = claim.segment();
                    out.set(ValueLayout.JAVA_LONG, 0, i);
                    for (int b = 16; b < size; b++) {
                        out.set(ValueLayout.JAVA_BYTE, b, (byte) (i + b));
                    }
                    out.set(ValueLayout.JAVA_LONG, 8, checksum(out.asSlice(0, size)));
                    claim.commit(size);
                }
            }
            consumer.join();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("backend   %s%n", backend);
            System.out.printf("samples   %,d of %,d bytes, all in order with valid checksums%n", received[0], size);
            System.out.printf("bytes     %,d%n", received[1]);
            System.out.printf("time      %.3f s%n", seconds);
            System.out.printf("rate      %,.0f samples/s (%.1f MB/s)%n", received[0] / seconds, received[1] / seconds / 1e6);
            return received[0] == samples ? 0 : 1;
        }
    }

    /** Sum of the payload bytes after the 16-byte prefix, mixed with the sequence. */
    static long checksum(MemorySegment sample) {
        long sum = sample.get(ValueLayout.JAVA_LONG, 0) * 0x9E3779B97F4A7C15L;
        for (long b = 16; b < sample.byteSize(); b++) {
            sum = sum * 31 + sample.get(ValueLayout.JAVA_BYTE, b);
        }
        return sum;
    }
}
