package io.zerodds.flatdata.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.zerodds.flatdata.ProcessIdentity;

/**
 * The processes a command looks at: whether an owner recorded in a segment is alive (core's
 * {@link ProcessIdentity}, as the backends decide it), and this process's effective uid.
 */
final class Processes {
    private Processes() {
    }

    static boolean isAlive(int pid, long startMillis) {
        return ProcessIdentity.isAlive(pid, startMillis);
    }

    /** The effective uid of this process, from /proc/self/status; -1 when unknown. */
    static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }
}
