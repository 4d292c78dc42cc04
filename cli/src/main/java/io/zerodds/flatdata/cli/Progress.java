package io.zerodds.flatdata.cli;

import java.util.HashMap;
import java.util.Map;

/**
 * What one process (or thread) of the demo reports: counts so far, the rates and latency
 * percentiles of the last period, and at the end the percentiles of the whole run. A demo child
 * prints it as one line on stdout ({@link #toLine()}), which the parent parses ({@link #parse}).
 * Latencies are in ns, -1 when there is none (the writer, or no sample in the period).
 *
 * @param samples    samples written or received so far
 * @param outOfOrder samples that did not carry the next index or sequence
 * @param bad        samples whose checksum did not match
 * @param stalls     times the writer found no free slot and had to wait
 */
record Progress(String role, long pid, boolean done, long samples, long bytes, long elapsedNanos,
                double samplesPerSecond, double bytesPerSecond, long p50, long p99, long stalls, long outOfOrder,
                long bad, long totalP50, long totalP90, long totalP99, long totalP999, long totalMax, String error) {

    static final String PREFIX = "PROGRESS ";

    static Progress starting(String role, long pid) {
        return new Progress(role, pid, false, 0, 0, 0, 0, 0, -1, -1, 0, 0, 0, -1, -1, -1, -1, -1, null);
    }

    Progress failed(String message) {
        return new Progress(role, pid, true, samples, bytes, elapsedNanos, samplesPerSecond, bytesPerSecond, p50, p99,
                stalls, outOfOrder, bad, totalP50, totalP90, totalP99, totalP999, totalMax, message);
    }

    boolean ok() {
        return error == null && outOfOrder == 0 && bad == 0;
    }

    String toLine() {
        return PREFIX + "role=" + role + " pid=" + pid + " done=" + done + " samples=" + samples + " bytes=" + bytes
                + " elapsed=" + elapsedNanos + " rate=" + (long) samplesPerSecond + " bps=" + (long) bytesPerSecond
                + " p50=" + p50 + " p99=" + p99 + " stalls=" + stalls + " outOfOrder=" + outOfOrder + " bad=" + bad
                + " tp50=" + totalP50 + " tp90=" + totalP90 + " tp99=" + totalP99 + " tp999=" + totalP999
                + " tmax=" + totalMax + (error == null ? "" : " error=" + error.replace('\n', ' '));
    }

    /** The progress a line carries, or null when it is not a progress line. */
    static Progress parse(String line) {
        if (!line.startsWith(PREFIX)) {
            return null;
        }
        String rest = line.substring(PREFIX.length());
        String error = null;
        int e = rest.indexOf(" error=");
        if (e >= 0) {
            error = rest.substring(e + 7);
            rest = rest.substring(0, e);
        }
        Map<String, String> f = new HashMap<>();
        for (String token : rest.split(" ")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                f.put(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        try {
            return new Progress(f.get("role"), l(f, "pid"), Boolean.parseBoolean(f.get("done")), l(f, "samples"),
                    l(f, "bytes"), l(f, "elapsed"), l(f, "rate"), l(f, "bps"), l(f, "p50"), l(f, "p99"), l(f, "stalls"),
                    l(f, "outOfOrder"), l(f, "bad"), l(f, "tp50"), l(f, "tp90"), l(f, "tp99"), l(f, "tp999"),
                    l(f, "tmax"), error);
        } catch (RuntimeException ex) {
            return null;
        }
    }

    private static long l(Map<String, String> f, String key) {
        return Long.parseLong(f.get(key));
    }
}
