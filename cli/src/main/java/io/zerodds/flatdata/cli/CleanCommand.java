package io.zerodds.flatdata.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./flatdata clean}: removes the flatdata rings in /dev/shm whose writer is dead, and only
 * those. A file is removed only when it is a valid ring of this layout (magic, extension,
 * version, descriptor checksum), belongs to this user, records a writer process that is gone and
 * no live reader, and is still the same file (inode) right before it is unlinked.
 */
@Command(name = "clean", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Removes the flatdata segments in /dev/shm whose owner (writer) is dead, and only those.",
        footer = {"%nLeft alone, each reported with the reason: a segment whose writer process",
                "runs (also one that closed its writer and kept it), one with a live reader,",
                "another user's, a plain reference segment (it records no owner), a damaged",
                "one, and every file that is not a flatdata segment.",
                "%nExamples:",
                "  ./flatdata clean --dry-run      what would be removed",
                "  ./flatdata clean",
                "  ./flatdata clean 'demo-*'       only segments whose names match"})
final class CleanCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", arity = "0..*", description = "names or glob patterns (default: all)")
    List<String> patterns = new ArrayList<>();

    @Option(names = "--dry-run", description = "show what would be removed, remove nothing")
    boolean dryRun;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int uid = Processes.effectiveUid();
        int removed = 0;
        int kept = 0;
        List<String> namedNonSegments = new ArrayList<>();
        for (ShmDirectory.Entry e : ShmDirectory.scan(patterns)) {
            String reason = reasonToKeep(e, uid);
            if (reason == null) {
                ShmDirectory.Entry again = ShmDirectory.entry(e.path());
                reason = again == null ? "vanished meanwhile"
                        : !Objects.equals(again.fileKey(), e.fileKey()) ? "replaced meanwhile by another file"
                        : reasonToKeep(again, uid);
            }
            if (reason != null) {
                kept++;
                out.printf("kept          %-32s %s%n", e.name(), reason);
                if (!e.isOurs() && patterns.contains(e.name())) {
                    namedNonSegments.add(e.name());
                }
                continue;
            }
            String why = "writer pid " + e.info().writerPid() + " is dead";
            if (dryRun) {
                out.printf("would remove  %-32s %s%n", e.name(), why);
                removed++;
                continue;
            }
            try {
                Files.delete(e.path());
                out.printf("removed       %-32s %s%n", e.name(), why);
                removed++;
            } catch (IOException ex) {
                kept++;
                out.printf("kept          %-32s cannot remove: %s%n", e.name(), ex.getMessage());
            }
        }
        out.printf("%s %d segment%s, kept %d file%s%n", dryRun ? "would remove" : "removed", removed,
                removed == 1 ? "" : "s", kept, kept == 1 ? "" : "s");
        out.flush();
        if (!namedNonSegments.isEmpty()) {
            throw new CliFailure(ExitCode.NOT_A_SEGMENT, String.join(", ", namedNonSegments)
                    + (namedNonSegments.size() == 1 ? " is" : " are") + " not a flatdata segment; left alone");
        }
        return 0;
    }

    /** Why {@code e} stays, or null when it is a ring of ours whose owner and readers are all dead. */
    private static String reasonToKeep(ShmDirectory.Entry e, int uid) {
        SegmentHeader.Info i = e.info();
        if (i == null) {
            return e.unreadable();
        }
        return switch (i.kind()) {
            case FOREIGN -> "not a flatdata segment (" + i.problem() + ")";
            case DAMAGED -> "damaged or half-created segment (" + i.problem() + ")";
            case OTHER_VERSION -> "segment of another " + i.problem();
            case REFERENCE -> "plain reference segment: it records no owner";
            case RING -> {
                if (uid >= 0 && e.uid() != uid) {
                    yield "belongs to uid " + e.uid();
                }
                if (e.ownerAlive()) {
                    yield "writer pid " + i.writerPid() + " is alive";
                }
                if (e.liveReaders() > 0) {
                    yield "writer pid " + i.writerPid() + " is dead, but " + e.liveReaders() + " live reader"
                            + (e.liveReaders() == 1 ? " is" : "s are") + " attached";
                }
                yield null;
            }
        };
    }
}
