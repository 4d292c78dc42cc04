package io.zerodds.flatdata.cli;

import io.zerodds.flatdata.FlatType;
import io.zerodds.flatdata.PosixSlotBackend;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Opening and creating the POSIX segments of {@code pub} and {@code sub}, with the checks that give
 * each kind of refusal its own message and {@link ExitCode} before core is asked.
 */
final class Segments {
    private Segments() {
    }

    /** Opens {@code name} as a reader (checked against {@code type} when not null). */
    static PosixSlotBackend openReader(String name, FlatType<?> type) {
        Path path = existing(name);
        try {
            PosixSlotBackend.OpenBuilder b = PosixSlotBackend.open(path.getFileName().toString());
            if (type != null) {
                b.type(type);
            }
            return b.build();
        } catch (RuntimeException e) {
            throw Errors.classify(e);
        }
    }

    /** Creates {@code name} as its owner and writer. */
    static PosixSlotBackend create(String name, int slots, int capacity, FlatType<?> type, Duration lease) {
        String n = checkName(name);
        Path path = ShmDirectory.DIRECTORY.resolve(n);
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            ShmDirectory.Entry e = ShmDirectory.entry(path);
            if (e != null) {
                refuseNonSegment(e);
                if (e.info().kind() == SegmentHeader.Kind.REFERENCE) {
                    throw new CliFailure(ExitCode.BUSY, "segment " + path + " is a plain reference segment: it"
                            + " records no writer, which may be alive; remove it first if it is abandoned");
                }
                if (e.ownerAlive()) {
                    throw new CliFailure(ExitCode.BUSY, "segment " + path + " has a live writer, pid "
                            + e.info().writerPid());
                }
            }
        }
        try {
            PosixSlotBackend.CreateBuilder b = PosixSlotBackend.create(n).slotCount(slots);
            if (type != null) {
                b.type(type);
            }
            if (capacity > 0) {
                b.slotCapacity(capacity);
            }
            if (lease != null) {
                b.leaseTimeout(lease);
            }
            return b.build();
        } catch (RuntimeException e) {
            throw Errors.classify(e);
        }
    }

    /** The path of the existing segment {@code name}, after the checks core would make. */
    static Path existing(String name) {
        ShmDirectory.Entry e = segment(name);
        int uid = Processes.effectiveUid();
        if (uid >= 0 && e.uid() != uid) {
            throw new CliFailure(ExitCode.PERMISSION, "segment " + e.path() + " belongs to uid " + e.uid()
                    + ", this process runs as uid " + uid);
        }
        return e.path();
    }

    /**
     * The segment {@code name}, checked the way every command checks it (one file name, there, a
     * regular file, a header that adds up, our layout version, a valid descriptor checksum), but
     * whoever owns it: for commands that only read it.
     */
    static ShmDirectory.Entry segment(String name) {
        Path path = ShmDirectory.DIRECTORY.resolve(checkName(name));
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new CliFailure(ExitCode.NO_SEGMENT, "no segment named '" + name + "' in " + ShmDirectory.DIRECTORY
                    + ": " + path + " does not exist (./flatdata list shows the segments there)");
        }
        ShmDirectory.Entry e = ShmDirectory.entry(path);
        if (e == null) {
            throw new CliFailure(ExitCode.NO_SEGMENT, "segment " + path + " vanished while being opened");
        }
        refuseNonSegment(e);
        return e;
    }

    private static void refuseNonSegment(ShmDirectory.Entry e) {
        if (e.info() == null) {
            if ("permission denied".equals(e.unreadable())) {
                throw new CliFailure(ExitCode.PERMISSION, "segment " + e.path() + ": permission denied (uid "
                        + e.uid() + " owns it)");
            }
            throw new CliFailure(ExitCode.NOT_A_SEGMENT, e.path() + " is not a flatdata segment: " + e.unreadable());
        }
        switch (e.info().kind()) {
            case FOREIGN, DAMAGED -> throw new CliFailure(ExitCode.NOT_A_SEGMENT, e.path()
                    + " is not a flatdata segment: " + e.info().problem());
            case OTHER_VERSION -> throw new CliFailure(ExitCode.INCOMPATIBLE, "segment " + e.path() + " has "
                    + e.info().problem());
            default -> {
            }
        }
    }

    private static String checkName(String name) {
        String n = name.startsWith("/") ? name.substring(1) : name;
        if (n.isEmpty() || n.contains("/") || n.equals(".") || n.contains("..")) {
            throw new CliFailure(ExitCode.USAGE, "segment name '" + name + "' must be one file name in "
                    + ShmDirectory.DIRECTORY + " (no '/', not '.' or '..')");
        }
        return n;
    }
}
