package io.zerodds.flatdata.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine line printed with every result: CPU model, cores, kernel, JDK. */
final class Machine {
    private Machine() {
    }

    static String describe() {
        return String.format("machine: %s, %d cores, Linux %s, JDK %s (%s)", cpuModel(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"),
                System.getProperty("java.vm.version"), System.getProperty("java.vm.name"));
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            return "CPU unknown (" + e.getMessage() + ")";
        }
        return "CPU unknown";
    }
}
