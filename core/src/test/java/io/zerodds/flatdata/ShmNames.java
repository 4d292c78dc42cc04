package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.function.ObjLongConsumer;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Unique /dev/shm object names for one test run ({@code fdtest-<pid>-<tag>-<n>}), and the check
 * that a test class left none behind.
 */
final class ShmNames {
    private final String prefix;
    private final AtomicInteger counter = new AtomicInteger();

    ShmNames(String tag) {
        this.prefix = "fdtest-" + ProcessHandle.current().pid() + "-" + tag + "-";
    }

    String next() {
        return prefix + counter.incrementAndGet();
    }

    Path path(String name) {
        return PosixSlotBackend.SHM_DIRECTORY.resolve(name);
    }

    /** Maps the object {@code name} and hands {@code edit} the mapping and its extension offset. */
    void edit(String name, ObjLongConsumer<MemorySegment> edit) throws IOException {
        try (FileChannel ch = FileChannel.open(path(name), StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            MemorySegment s = ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size(), arena);
            edit.accept(s, Integer.toUnsignedLong(s.get(ValueLayout.JAVA_INT, SegmentLayout.EXT_OFFSET_OFFSET)));
        }
    }

    List<Path> leftovers() {
        try (Stream<Path> files = Files.list(PosixSlotBackend.SHM_DIRECTORY)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes what a failed test may have left, then asserts nothing was left. */
    void assertNoneLeft() {
        List<Path> left = leftovers();
        for (Path p : left) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // reported below
            }
        }
        assertThat(left).as("objects left in /dev/shm").isEmpty();
    }

    /** Deletes leftovers without asserting (for tests that keep objects on purpose). */
    void deleteAll() {
        for (Path p : leftovers()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
