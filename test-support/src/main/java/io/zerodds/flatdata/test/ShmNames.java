package io.zerodds.flatdata.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Unique /dev/shm object names for one test class ({@code fdtest-<pid>-<tag>-<n>}), and the check
 * that the class left none behind. Registered as a JUnit 5 extension,
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ShmNames NAMES = new ShmNames("close");
 * }</pre>
 *
 * it asserts after the class's last test (after its {@code @AfterAll} methods) that every object
 * whose name starts with its prefix is gone from /dev/shm: what it handed out with {@link #next()}
 * and what a test derived from {@link #prefix()}. Leftovers are removed before the assertion fails,
 * so one failed run does not fail the next.
 */
public final class ShmNames implements AfterAllCallback {

    /** Where the POSIX shared-memory objects of Linux live. */
    public static final Path SHM_DIRECTORY = Path.of("/dev/shm");

    private static final Set<String> CLEANED_PREFIXES = ConcurrentHashMap.newKeySet();

    private final String prefix;
    private final AtomicInteger counter = new AtomicInteger();

    public ShmNames(String tag) {
        this.prefix = "fdtest-" + ProcessHandle.current().pid() + "-" + tag + "-";
    }

    /** A name no other test and no other run has used. */
    public String next() {
        return prefix + counter.incrementAndGet();
    }

    /** What every name of this instance starts with (for names a test derives itself). */
    public String prefix() {
        return prefix;
    }

    /** The /dev/shm file of the object {@code name}. */
    public Path path(String name) {
        return SHM_DIRECTORY.resolve(name);
    }

    /** Maps the whole object {@code name} read-write and hands the mapping to {@code edit}. */
    public void map(String name, Consumer<MemorySegment> edit) throws IOException {
        try (FileChannel ch = FileChannel.open(path(name), StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            edit.accept(ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size(), arena));
        }
    }

    /** The objects with this instance's prefix that exist now. */
    public List<Path> leftovers() {
        return list(prefix);
    }

    /** Removes what a failed test may have left, then asserts nothing was left. */
    public void assertNoneLeft() {
        List<Path> left = leftovers();
        delete(left);
        assertThat(left).as("objects left in /dev/shm").isEmpty();
    }

    /** Deletes leftovers without asserting (for tests that keep objects on purpose). */
    public void deleteAll() {
        delete(leftovers());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        assertNoneLeft();
    }

    /**
     * A file prefix for this JVM, {@code <tag><pid>_}, whose /dev/shm files are removed when the JVM
     * ends (for libraries such as iceoryx2 that keep a management object per prefix for the
     * process's lifetime).
     */
    public static String processPrefix(String tag) {
        String processPrefix = tag + ProcessHandle.current().pid() + "_";
        if (CLEANED_PREFIXES.add(processPrefix)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(list(processPrefix)),
                    "remove-" + processPrefix));
        }
        return processPrefix;
    }

    /** The /dev/shm objects whose names start with {@code prefix} (for names made by the code under test). */
    public static List<Path> existing(String prefix) {
        return list(prefix);
    }

    private static List<Path> list(String prefix) {
        try (Stream<Path> files = Files.list(SHM_DIRECTORY)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(List<Path> paths) {
        for (Path p : paths) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: the assertion reports what was there
            }
        }
    }
}
