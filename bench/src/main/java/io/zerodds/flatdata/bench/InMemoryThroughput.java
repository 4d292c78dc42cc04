package io.zerodds.flatdata.bench;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.InMemorySlotBackend;
import io.zerodds.flatdata.Sample;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

/**
 * Writer thread to reader thread over the in-memory ring, loan/commit and take/release, for a few
 * sample sizes. Prints samples/s and the bytes the two threads allocated per sample.
 * Usage: {@code ./flatdata bench in-memory-throughput [samples]}.
 */
public final class InMemoryThroughput {
    private InMemoryThroughput() {
    }

    public static void main(String[] args) throws Exception {
        long samples = args.length > 0 ? Long.parseLong(args[0]) : 5_000_000L;
        System.out.printf("%-8s %-6s %14s %12s%n", "size", "slots", "samples/s", "alloc B/op");
        for (int size : new int[] {64, 1024, 16384}) {
            run(size, 256, samples / 5); // warm-up
            Result r = run(size, 256, samples);
            System.out.printf("%-8d %-6d %,14.0f %12.3f%n", size, 256, r.rate, r.allocPerSample);
        }
    }

    record Result(double rate, double allocPerSample) {
    }

    static Result run(int size, int slots, long samples) throws Exception {
        return run(size, slots, samples, backend -> () -> { });
    }

    /** Something attached to the ring for the length of a run (metrics bound and scraped), closed after it. */
    interface Attachment {
        AutoCloseable attach(io.zerodds.flatdata.SlotBackend backend) throws Exception;
    }

    static Result run(int size, int slots, long samples, Attachment attachment) throws Exception {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (var backend = InMemorySlotBackend.create(slots, size);
             var reader = FlatReader.attach(backend);
             var writer = FlatWriter.reliable(backend, Duration.ofSeconds(10));
             var attached = attachment.attach(backend)) {
            long[] readerAlloc = new long[1];
            Thread consumer = Thread.ofPlatform().start(() -> {
                long before = mx.getCurrentThreadAllocatedBytes();
                long sum = 0;
                for (long i = 0; i < samples; i++) {
                    Sample s;
                    while ((s = reader.take()) == null) {
                        Thread.onSpinWait();
                    }
                    sum += s.segment().get(ValueLayout.JAVA_LONG, 0);
                    s.release();
                }
                readerAlloc[0] = mx.getCurrentThreadAllocatedBytes() - before;
                if (sum == 42) {
                    System.out.print("");
                }
            });
            long before = mx.getCurrentThreadAllocatedBytes();
            long start = System.nanoTime();
            for (long i = 0; i < samples; i++) {
                FlatWriter.Claim claim = writer.loan();
                claim.segment().set(ValueLayout.JAVA_LONG, 0, i);
                claim.commit(size);
            }
            consumer.join();
            long nanos = System.nanoTime() - start;
            long writerAlloc = mx.getCurrentThreadAllocatedBytes() - before;
            return new Result(samples * 1e9 / nanos, (writerAlloc + readerAlloc[0]) / (double) samples);
        }
    }
}
