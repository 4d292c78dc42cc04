package io.zerodds.flatdata.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The files of /dev/shm as {@code list} and {@code clean} see them: each with its owner uid, file
 * key and, when it could be read, its {@link SegmentHeader.Info} and whether the processes it
 * records are alive.
 */
final class ShmDirectory {

    /** Where POSIX shared-memory objects live on Linux. */
    static final Path DIRECTORY = Path.of("/dev/shm");

    /** One file. {@code info} is null when it could not be read ({@code unreadable} says why). */
    record Entry(String name, Path path, int uid, String fileKey, boolean regular, SegmentHeader.Info info,
                 String unreadable, boolean ownerAlive, int liveReaders) {

        boolean isOurs() {
            return info != null && info.isOurs();
        }

        boolean isRing() {
            return info != null && info.kind() == SegmentHeader.Kind.RING;
        }
    }

    private ShmDirectory() {
    }

    /**
     * The entries whose names match one of {@code patterns} (globs such as {@code demo-*}; every
     * file when empty), by name. Hidden files (a creator's temporary file) are skipped.
     *
     * @throws CliFailure {@link ExitCode#NO_SEGMENT} when a pattern without wildcards names no file
     */
    static List<Entry> scan(List<String> patterns) {
        List<PathMatcher> matchers = new ArrayList<>();
        for (String p : patterns) {
            String n = p.startsWith("/") ? p.substring(1) : p;
            if (n.isEmpty() || n.contains("/")) {
                throw new CliFailure(ExitCode.USAGE, "segment name or pattern '" + p + "' must be one name in "
                        + DIRECTORY + " (no '/' after the first character)");
            }
            if (!hasWildcard(n) && !Files.exists(DIRECTORY.resolve(n), LinkOption.NOFOLLOW_LINKS)) {
                throw new CliFailure(ExitCode.NO_SEGMENT, "no segment named '" + n + "' in " + DIRECTORY);
            }
            matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + n));
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(DIRECTORY)) {
            files = s.filter(f -> !f.getFileName().toString().startsWith("."))
                    .filter(f -> matchers.isEmpty() || matchers.stream().anyMatch(m -> m.matches(f.getFileName())))
                    .sorted(Comparator.comparing(Path::toString))
                    .toList();
        } catch (IOException e) {
            throw new CliFailure(ExitCode.PERMISSION, "cannot list " + DIRECTORY + ": " + e.getMessage(), e);
        }
        List<Entry> entries = new ArrayList<>();
        for (Path f : files) {
            Entry e = entry(f);
            if (e != null) {
                entries.add(e);
            }
        }
        return entries;
    }

    /** The entry of one file, read now; null when it vanished. */
    static Entry entry(Path f) {
        String name = f.getFileName().toString();
        Map<String, Object> attrs;
        try {
            attrs = Files.readAttributes(f, "unix:uid,mode,ino,dev", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return new Entry(name, f, -1, null, false, null, e.getMessage(), false, 0);
        }
        int uid = (Integer) attrs.get("uid");
        String key = attrs.get("dev") + ":" + attrs.get("ino");
        boolean regular = (((Integer) attrs.get("mode")) & 0xF000) == 0x8000;
        if (!regular) {
            return new Entry(name, f, uid, key, false, null, "not a regular file", false, 0);
        }
        SegmentHeader.Info info;
        try {
            info = SegmentHeader.read(f);
        } catch (NoSuchFileException e) {
            return null;
        } catch (AccessDeniedException e) {
            return new Entry(name, f, uid, key, true, null, "permission denied", false, 0);
        } catch (IOException e) {
            return new Entry(name, f, uid, key, true, null, String.valueOf(e.getMessage()), false, 0);
        }
        boolean ownerAlive = info.kind() == SegmentHeader.Kind.RING
                && Processes.isAlive(info.writerPid(), info.writerStartMillis());
        int liveReaders = 0;
        for (SegmentHeader.Reader r : info.readers()) {
            if (Processes.isAlive(r.pid(), r.startMillis())) {
                liveReaders++;
            }
        }
        return new Entry(name, f, uid, key, true, info, null, ownerAlive, liveReaders);
    }

    private static boolean hasWildcard(String pattern) {
        return pattern.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }
}
