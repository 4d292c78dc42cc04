package io.zerodds.flatdata.cli;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files iceoryx2 makes under one file prefix ({@code config.global.prefix}): in /dev/shm the
 * data, dynamic, connection and event segments of its services and the prefix's
 * {@code ..._node.0_10_0.global_mgmt} (which iceoryx2 keeps after its processes exit), and under
 * its root {@code /tmp/iceoryx2} the service files, the node monitors and each node's directory of
 * tags, and the event sockets. Every one of them starts with the prefix; a node's directory is
 * named by the node's id and holds only files of its node's prefix. A demo over iceoryx2 uses a
 * prefix of its own, so once its processes are gone {@link #remove()} takes away everything the
 * run made, whether its processes ended cleanly or were killed.
 */
final class Iceoryx2Files {

    /** iceoryx2's root on Linux (its default {@code config.global.root_path}). */
    static final Path ROOT = Path.of("/tmp/iceoryx2");
    /** Where iceoryx2 puts its shared-memory segments. */
    static final Path SHM = ShmDirectory.DIRECTORY;

    private final String prefix;

    Iceoryx2Files(String prefix) {
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    /** The files and node directories of this prefix that exist now. */
    List<Path> existing() {
        List<Path> nodes = nodeDirectories();
        List<Path> found = new ArrayList<>(files(nodes));
        found.addAll(nodes);
        return found;
    }

    /**
     * Removes every file of this prefix, then the node directories it leaves empty; what could not
     * be removed (empty when all went).
     */
    List<Path> remove() {
        List<Path> nodes = nodeDirectories();
        files(nodes).forEach(Iceoryx2Files::delete);
        for (Path node : nodes) {
            try {
                Files.deleteIfExists(node);
            } catch (DirectoryNotEmptyException e) {
                // a file of another prefix in it: it cannot be, and what is not ours stays
            } catch (IOException ignored) {
                // reported by existing()
            }
        }
        return existing();
    }

    /** Every file of this prefix: in /dev/shm, at iceoryx2's root, in services/, nodes/ and each of {@code nodes}. */
    private List<Path> files(List<Path> nodes) {
        List<Path> found = new ArrayList<>();
        for (Path dir : List.of(SHM, ROOT, ROOT.resolve("services"), ROOT.resolve("nodes"))) {
            found.addAll(ours(dir));
        }
        for (Path node : nodes) {
            found.addAll(ours(node));
        }
        return found;
    }

    /** The directories under {@code nodes/} (named by node id) that hold a file of this prefix. */
    private List<Path> nodeDirectories() {
        return entries(ROOT.resolve("nodes")).stream().filter(Files::isDirectory).filter(d -> !ours(d).isEmpty())
                .toList();
    }

    /** The entries of {@code dir} whose names start with the prefix. */
    private List<Path> ours(Path dir) {
        return entries(dir).stream().filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
    }

    /** The entries of {@code dir}; none when it does not exist (or went while we looked). */
    private static List<Path> entries(Path dir) {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        } catch (IOException | DirectoryIteratorException e) {
            // no such directory, or it went: nothing of ours in it
        }
        return entries;
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // what stays is reported by existing()
        }
    }
}
