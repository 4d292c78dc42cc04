package io.zerodds.flatdata.bench.peers;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A file in {@code /dev/shm} mapped into this process, created (zero-filled) or opened; the creator deletes it on close. */
final class MappedFile implements AutoCloseable {
    private final Path path;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment segment;
    private final boolean owner;

    private MappedFile(Path path, long size, boolean create) throws IOException {
        this.path = path;
        this.owner = create;
        try (FileChannel ch = create
                ? FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (create) {
                ch.truncate(size); // tmpfs: a sparse file reads as zeros
                ch.write(java.nio.ByteBuffer.allocate(1), size - 1);
            } else if (ch.size() < size) {
                throw new IOException(path + " holds " + ch.size() + " bytes, expected at least " + size);
            }
            this.segment = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Creates {@code /dev/shm/NAME} of {@code size} zero bytes. */
    static MappedFile create(String name, long size) throws IOException {
        return new MappedFile(Path.of("/dev/shm", name), size, true);
    }

    /** Maps the existing {@code /dev/shm/NAME}, at least {@code size} bytes. */
    static MappedFile open(String name, long size) throws IOException {
        return new MappedFile(Path.of("/dev/shm", name), size, false);
    }

    MemorySegment segment() {
        return segment;
    }

    @Override
    public void close() throws IOException {
        arena.close();
        if (owner) {
            Files.deleteIfExists(path);
        }
    }
}
