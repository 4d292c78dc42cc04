package io.zerodds.flatdata.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./flatdata list}: the segments of ours in /dev/shm (flatdata rings and plain reference
 * segments), with their writer, whether it is alive, size and readers. Reads the files only.
 */
@Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Lists the flatdata segments in /dev/shm: owner (writer) pid, alive, size, readers attached.",
        footer = {"%nOWNER is the writer pid the segment records; ALIVE: that process still runs",
                "(same pid, same start time). READERS: attached readers, the live ones in",
                "parentheses. A plain reference segment records neither. Files are only read.",
                "%nExamples:",
                "  ./flatdata list",
                "  ./flatdata list 'demo-*' --json",
                "  ./flatdata list --all            also the files that are not segments"})
final class ListCommand implements Callable<Integer> {

    private static final com.google.gson.Gson JSON = new com.google.gson.GsonBuilder().serializeNulls().create();

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", arity = "0..*", description = "names or glob patterns (default: all)")
    List<String> patterns = new ArrayList<>();

    @Option(names = "--json", description = "print one JSON document")
    boolean json;

    @Option(names = "--all", description = "also list files that are not flatdata segments")
    boolean all;

    @Override
    public Integer call() {
        List<ShmDirectory.Entry> entries = ShmDirectory.scan(patterns);
        List<ShmDirectory.Entry> segments = new ArrayList<>();
        List<ShmDirectory.Entry> others = new ArrayList<>();
        for (ShmDirectory.Entry e : entries) {
            if (e.info() != null && e.info().kind() != SegmentHeader.Kind.FOREIGN) {
                segments.add(e);
            } else {
                others.add(e);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("directory", ShmDirectory.DIRECTORY.toString());
            doc.put("segments", segments.stream().map(ListCommand::toJson).toList());
            if (all) {
                doc.put("others", others.stream().map(e -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", e.name());
                    m.put("uid", e.uid());
                    m.put("reason", reason(e));
                    return m;
                }).toList());
            }
            out.println(JSON.toJson(doc));
        } else {
            out.printf("%-32s %-9s %8s %-5s %-6s %10s %6s %8s %-8s%n", "NAME", "KIND", "OWNER", "ALIVE", "STATE", "SIZE",
                    "SLOTS", "CAPACITY", "READERS");
            for (ShmDirectory.Entry e : segments) {
                SegmentHeader.Info i = e.info();
                boolean ring = e.isRing();
                out.printf("%-32s %-9s %8s %-5s %-6s %10s %6s %8s %-8s%s%n", e.name(), kind(i.kind()),
                        ring ? Integer.toString(i.writerPid()) : "-", ring ? (e.ownerAlive() ? "yes" : "no") : "?",
                        ring ? (i.writerState() == SegmentHeader.WRITER_OPEN ? "open" : "closed") : "-",
                        Units.bytes(i.fileSize()), i.slotCount() > 0 ? Integer.toString(i.slotCount()) : "-",
                        i.capacity() > 0 ? Integer.toString(i.capacity()) : "-",
                        ring ? i.readers().size() + " (" + e.liveReaders() + ")" : "-",
                        i.problem() == null ? "" : "  " + i.problem());
            }
            if (all) {
                for (ShmDirectory.Entry e : others) {
                    out.printf("%-32s %-9s %s%n", e.name(), "other", reason(e));
                }
            }
            if (segments.isEmpty()) {
                out.println("(no flatdata segments in " + ShmDirectory.DIRECTORY + ")");
            }
        }
        out.flush();
        return 0;
    }

    static String kind(SegmentHeader.Kind k) {
        return switch (k) {
            case RING -> "ring";
            case REFERENCE -> "reference";
            case DAMAGED -> "damaged";
            case OTHER_VERSION -> "version?";
            case FOREIGN -> "other";
        };
    }

    static String reason(ShmDirectory.Entry e) {
        if (e.info() == null) {
            return e.unreadable();
        }
        return "not a flatdata segment: " + e.info().problem();
    }

    private static Map<String, Object> toJson(ShmDirectory.Entry e) {
        SegmentHeader.Info i = e.info();
        boolean ring = e.isRing();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", e.name());
        m.put("path", e.path().toString());
        m.put("kind", switch (i.kind()) {
            case RING -> "ring";
            case REFERENCE -> "reference";
            case DAMAGED -> "damaged";
            case OTHER_VERSION -> "other-layout-version";
            case FOREIGN -> "other";
        });
        m.put("uid", e.uid());
        m.put("sizeBytes", i.fileSize());
        m.put("slotCount", i.slotCount());
        m.put("slotCapacity", i.capacity());
        m.put("layoutVersion", ring ? i.layoutVersion() : null);
        m.put("typeHash", i.typeHash());
        m.put("ownerPid", ring ? i.writerPid() : null);
        m.put("ownerAlive", ring ? e.ownerAlive() : null);
        m.put("writerState", ring ? (i.writerState() == SegmentHeader.WRITER_OPEN ? "open" : "closed") : null);
        m.put("nextSequence", ring || i.kind() == SegmentHeader.Kind.REFERENCE ? i.nextSequence() : null);
        m.put("readersAttached", ring ? i.readers().size() : null);
        m.put("readersAlive", ring ? e.liveReaders() : null);
        m.put("readers", i.readers().stream().map(r -> {
            Map<String, Object> rm = new LinkedHashMap<>();
            rm.put("index", r.index());
            rm.put("pid", r.pid());
            rm.put("alive", Processes.isAlive(r.pid(), r.startMillis()));
            return rm;
        }).toList());
        m.put("problem", i.problem());
        return m;
    }
}
