package io.zerodds.flatdata.cli;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counts and latencies of one writer or reader: its thread counts ({@link #sample}, ...), another
 * thread takes a {@link Progress} every period ({@link #progress}). One thread counts, one
 * thread reads.
 */
final class Meter {
    private final String role;
    private final long pid = ProcessHandle.current().pid();
    private volatile long start = System.nanoTime();
    /** When {@link #finish()} stopped the clock; 0 while it runs. */
    private long end;
    private volatile long samples;
    private volatile long bytes;
    private volatile long stalls;
    private volatile long outOfOrder;
    private volatile long bad;
    private final Recorder latency = new Recorder(3);
    /** The reading thread's: every period's histogram added up. */
    private final Histogram total = new Histogram(3);
    private Histogram interval;
    private long lastSamples;
    private long lastBytes;
    private long lastNanos = start;

    /** Starts the clock again (the writer, once its readers are there): elapsed counts from now. */
    synchronized void restart() {
        start = System.nanoTime();
        lastNanos = start;
    }

    /** Stops the clock (the writer, at the end of its stream): the elapsed time of later reports ends here. */
    synchronized void finish() {
        end = System.nanoTime();
    }

    Meter(String role) {
        this.role = role;
    }

    String role() {
        return role;
    }

    /** One sample of {@code size} bytes (latency {@code latencyNanos}, or none when negative). */
    void sample(int size, long latencyNanos) {
        samples++;
        bytes += size;
        if (latencyNanos >= 0) {
            latency.recordValue(latencyNanos);
        }
    }

    void stall() {
        stalls++;
    }

    void outOfOrder() {
        outOfOrder++;
    }

    void bad() {
        bad++;
    }

    long samples() {
        return samples;
    }

    /** The counts now and the rates and percentiles since the last call; with {@code done}, the whole run's too. */
    synchronized Progress progress(boolean done) {
        long now = System.nanoTime();
        long s = samples;
        long b = bytes;
        interval = latency.getIntervalHistogram(interval);
        total.add(interval);
        double seconds = Math.max(1e-9, (now - lastNanos) / 1e9);
        double rate = (s - lastSamples) / seconds;
        double bps = (b - lastBytes) / seconds;
        lastSamples = s;
        lastBytes = b;
        lastNanos = now;
        long p50 = interval.getTotalCount() == 0 ? -1 : interval.getValueAtPercentile(50);
        long p99 = interval.getTotalCount() == 0 ? -1 : interval.getValueAtPercentile(99);
        boolean any = total.getTotalCount() > 0;
        return new Progress(role, pid, done, s, b, (end != 0 ? end : now) - start, rate, bps, p50, p99, stalls, outOfOrder, bad,
                any ? total.getValueAtPercentile(50) : -1, any ? total.getValueAtPercentile(90) : -1,
                any ? total.getValueAtPercentile(99) : -1, any ? total.getValueAtPercentile(99.9) : -1,
                any ? total.getMaxValue() : -1, null);
    }
}
