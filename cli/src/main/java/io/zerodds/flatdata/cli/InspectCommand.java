package io.zerodds.flatdata.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./flatdata inspect NAME}: one segment as it is now, like AeronStat: its header, its writer,
 * every slot, every reader, its waiters. Reads a read-only mapping ({@link SegmentSnapshot}) and
 * never changes the segment.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Shows one segment: layout, writer, slots, readers, waiters. Never changes it.",
        footer = {"", "Examples:",
                "  ./flatdata inspect prices             the segment /dev/shm/prices, once",
                "  ./flatdata inspect prices --watch     refreshed in place every 500 ms until Ctrl-C",
                "  ./flatdata inspect prices --json      one JSON document"})
final class InspectCommand implements Callable<Integer> {

    private static final com.google.gson.Gson JSON = new com.google.gson.GsonBuilder().serializeNulls().create();

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "the segment's name under /dev/shm")
    String name;

    @Option(names = "--json", description = "print one JSON document")
    boolean json;

    @Option(names = "--watch", description = "refresh in place until interrupted")
    boolean watch;

    @Option(names = "--interval", defaultValue = "500ms", converter = DurationConverter.class,
            description = "refresh period with --watch (default ${DEFAULT-VALUE})")
    Duration interval;

    @Option(names = "--count", defaultValue = "0", description = "with --watch: stop after this many refreshes (0: never)")
    int count;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        if (count < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--count=" + count + " must be >= 0");
        }
        for (int round = 1; ; round++) {
            SegmentSnapshot snapshot = SegmentSnapshot.read(name);
            if (watch) {
                out.print("\u001b[H\u001b[2J"); // home, clear: the refresh replaces the last one
            }
            out.print(json ? toJson(snapshot) + "\n" : toText(snapshot));
            out.flush();
            if (!watch || (count > 0 && round >= count)) {
                return 0;
            }
            Thread.sleep(interval.toMillis());
        }
    }

    static String toText(SegmentSnapshot s) {
        StringBuilder b = new StringBuilder();
        b.append("segment ").append(s.path()).append(" (").append(s.fileSize()).append(" bytes, ")
                .append(s.reference() ? "plain reference layout" : "layout version " + s.layoutVersion())
                .append(")\n");
        b.append(String.format("slots %d x %d bytes, type %s, notify %d, next sequence %d%s%n", s.slotCount(),
                s.capacity(), s.typeHash() == null ? "untyped" : s.typeHash(), s.notifyGeneration(), s.nextSequence(),
                s.endSequence() >= 0 ? ", ended at " + s.endSequence() : ""));
        if (s.writer() != null) {
            SegmentSnapshot.Writer w = s.writer();
            b.append(String.format("writer pid %d %s, %s, heartbeat %d ms ago%n", w.pid(), w.alive() ? "alive" : "dead",
                    w.open() ? "open" : "closed", System.currentTimeMillis() - w.heartbeatMillis()));
        }
        b.append(String.format("%-5s %-9s %10s %6s %10s%n", "slot", "state", "sequence", "size", "read by"));
        for (SegmentSnapshot.Slot slot : s.slots()) {
            b.append(String.format("%-5d %-9s %10s %6d 0x%08x%n", slot.index(), slot.state(),
                    slot.sequence() < 0 ? "-" : Long.toString(slot.sequence()), slot.size(), slot.readerMask()));
        }
        if (!s.reference()) {
            b.append(String.format("readers (active mask 0x%08x)%n", s.activeMask()));
            b.append(String.format("%-6s %-13s %8s %-5s %13s %8s %6s%n", "reader", "state", "pid", "alive", "heartbeat age",
                    "from", "unread"));
            for (SegmentSnapshot.Reader r : s.readers()) {
                b.append(String.format("%-6d %-13s %8d %-5s %10d ms %8d %6d%n", r.index(), r.state(), r.pid(),
                        r.alive() ? "yes" : "no", r.heartbeatAgeMillis(), r.startSequence(), r.unread()));
            }
            java.util.List<String> waiting = new java.util.ArrayList<>();
            for (SegmentSnapshot.Waiter w : s.waiters()) {
                waiting.add("pid " + w.pid() + (w.alive() ? "" : " (dead)"));
            }
            if (s.anonymousWaiters() != 0) {
                waiting.add(s.anonymousWaiters() + " uncounted");
            }
            b.append("waiters: ").append(waiting.isEmpty() ? "none" : String.join(", ", waiting)).append('\n');
            long loans = s.slots().stream().filter(x -> x.state().equals("loaned")).count();
            b.append("loans: ").append(loans).append(loans == 0 ? "" : " (held by writer pid " + s.writer().pid() + ")")
                    .append('\n');
        }
        return b.toString();
    }

    /** One JSON document with every field of the snapshot (nulls included, so the shape is fixed). */
    static String toJson(SegmentSnapshot s) {
        return JSON.toJson(s);
    }

    /** Accepts {@code 500ms}, {@code 2s} or an ISO-8601 duration. */
    static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(java.util.Locale.ROOT);
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            }
            return Duration.parse(value);
        }
    }
}
