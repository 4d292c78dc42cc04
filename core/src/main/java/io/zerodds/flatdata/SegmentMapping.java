package io.zerodds.flatdata;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A segment file mapped read-write for a {@link PosixSlotBackend}, in two views of the same bytes.
 *
 * <ul>
 *   <li>{@link #mapping}: the mapping itself, owned by an automatic arena. The ring reads and
 *       writes it at absolute addresses ({@link SegmentSlotBackend#MEMORY}), which no arena
 *       guards, so its address range is unmapped only by the garbage collector, once nothing
 *       refers to it: never under a thread that is still inside a backend call.</li>
 *   <li>{@link #views}: the same bytes in a shared arena, for everything else: validation, the
 *       registry and the slices handed to users. {@link #close()} closes it, so a user's access
 *       after close fails with {@link IllegalStateException}, as the JDK guarantees for an arena
 *       even against a thread racing the close.</li>
 * </ul>
 * Closing also replaces the file's pages by zero pages at the same addresses: the shared-memory
 * object's memory is given back at once (once unlinked and unmapped everywhere), and a thread
 * racing the close reads zeros instead of the file, never an unmapped page. Where the kernel
 * would charge those zero pages against a strict commit limit ({@code vm.overcommit_memory=2},
 * which ignores {@code MAP_NORESERVE}), or refuses them, the file stays mapped until the mapping
 * is unreachable: later, never unsafe.
 */
final class SegmentMapping {
    final MemorySegment mapping;
    final MemorySegment views;
    private final Arena viewArena;
    private boolean closed;
    private boolean viewsClosed;

    private SegmentMapping(MemorySegment mapping, MemorySegment views, Arena viewArena) {
        this.mapping = mapping;
        this.views = views;
        this.viewArena = viewArena;
    }

    /** Maps the first {@code size} bytes of {@code channel}. */
    @SuppressWarnings("restricted") // native access is granted with --enable-native-access, as documented
    static SegmentMapping map(FileChannel channel, long size) throws IOException {
        MemorySegment mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, Arena.ofAuto());
        Arena viewArena = Arena.ofShared();
        MemorySegment views = MemorySegment.ofAddress(mapping.address()).reinterpret(size, viewArena, null);
        return new SegmentMapping(mapping, views, viewArena);
    }

    /**
     * Closes the views and gives the file's pages back; the address range stays valid (zero
     * pages) until the mapping is unreachable. Idempotent; called by one thread at a time; never
     * throws, so that the caller's own cleanup (lock, channel, unlink) always runs. Where the
     * pages cannot be replaced, the file stays mapped until the mapping is collected.
     */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeViews();
        if (!STRICT_OVERCOMMIT) {
            PosixLibc.replaceWithZeroPages(mapping.address(), mapping.byteSize());
        }
    }

    /**
     * Closes the views (every segment handed out of them throws from now on) and keeps the
     * mapping: close takes the views away before it detaches this process's readers, so that no
     * thread still reading a sample it took can see the writer reuse that slot. Idempotent.
     */
    void closeViews() {
        if (viewsClosed) {
            return;
        }
        viewsClosed = true;
        try {
            viewArena.close();
        } catch (IllegalStateException e) {
            // still acquired by a caller (an arena-scoped native call): the views close with the mapping
        }
    }

    /** Whether the kernel charges private writable mappings against a strict commit limit. */
    static final boolean STRICT_OVERCOMMIT = strictOvercommit();

    private static boolean strictOvercommit() {
        try {
            return Files.readString(Path.of("/proc/sys/vm/overcommit_memory")).trim().equals("2");
        } catch (IOException | RuntimeException e) {
            return true; // unknown: keep the file mapped until the mapping is collected
        }
    }
}
