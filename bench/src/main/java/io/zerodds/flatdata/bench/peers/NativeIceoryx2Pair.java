package io.zerodds.flatdata.bench.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * The native Rust iceoryx2 ping-pong built from the bridge's own crate ({@code flatdata-iox2-ping},
 * see {@code iceoryx2/native/src/bin/ping.rs}): the same services and per-sample operations as the
 * Java iceoryx2 backend (loan, write, send, notify; receive, read, drop, notify), busy-spinning,
 * without the FFM crossing. Each {@link #run} starts the pong process, then the ping process,
 * and collects the ping's round trips; both processes panic (a failed run) on a corrupt message.
 *
 * <p>The binary is {@code -Dflatdata.iceoryx2.ping=PATH} when that property is set, otherwise
 * {@value #RELATIVE} in the working directory or the nearest parent directory that has it (so
 * both {@code ./flatdata bench} from the project root and a test from the module's directory find
 * it). {@code mvn package} builds it.
 */
public final class NativeIceoryx2Pair {

    /** Where cargo leaves the binary, relative to the project root. */
    static final String RELATIVE = "iceoryx2/target/cargo/release/flatdata-iox2-ping";

    /** The system property that names the binary. */
    static final String PROPERTY = "flatdata.iceoryx2.ping";

    private static final Path SHM = Path.of("/dev/shm");

    private final Path binary;
    private final String prefix;
    private final String name;
    private int runs;

    private NativeIceoryx2Pair(Path binary, String tag) {
        this.binary = binary;
        this.prefix = prefix(tag);
        this.name = "flatdata/bench/" + tag + "/native";
    }

    /**
     * The iceoryx2 file prefix of a run tagged {@code tag} (unique to the run, e.g. ending in the
     * process id): short, as iceoryx2 file names are limited; every file the pair's services leave
     * in /dev/shm starts with it.
     */
    public static String prefix(String tag) {
        return "fdb" + tag.substring(tag.lastIndexOf('-') + 1) + "_";
    }

    /** The binary this process would run: the property's, or the first found, or the relative path. */
    static Path binary() {
        String property = System.getProperty(PROPERTY);
        if (property != null) {
            return Path.of(property);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(RELATIVE);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return Path.of(RELATIVE);
    }

    /** The iceoryx2 bridge's native library built next to the binary (its {@code fdx_bench_*} calls run the same sides). */
    public static Path library() {
        return binary().resolveSibling("libflatdata_iceoryx2.so");
    }

    /**
     * The pair for the run tagged {@code tag}, or null (with the reason printed) when the binary
     * is not built.
     */
    public static NativeIceoryx2Pair find(String tag) {
        Path binary = binary();
        if (!Files.isExecutable(binary)) {
            System.out.println("native iceoryx2 ping-pong skipped: " + binary + " not built (mvn package builds it)");
            return null;
        }
        return new NativeIceoryx2Pair(binary, tag);
    }

    /** The iceoryx2 file prefix of this pair's services. */
    public String prefix() {
        return prefix;
    }

    /**
     * {@code rounds} round trips of {@code size}-byte messages (a multiple of 8, at least 8) laid
     * out as {@link Payload} lays them out, every byte written and checked with {@code touch}, the
     * round number only without; before them, {@code rounds / 9} warm-up round trips that are not
     * recorded. Returns the RTT/2 of each round trip in nanoseconds, {@code rounds} values.
     */
    public Histogram run(long rounds, int size, boolean touch) throws IOException, InterruptedException {
        if (rounds < 1 || size < 8 || size % 8 != 0) {
            throw new IllegalArgumentException("rounds=" + rounds + ", size=" + size
                    + ": rounds must be positive, size a multiple of 8 and at least 8");
        }
        String service = name + "/" + runs++;
        // the ping drops the first tenth of its round trips: of rounds + rounds / 9, that is rounds / 9
        String total = Long.toString(rounds + rounds / 9);
        List<String> payload = touch ? List.of("--size", Integer.toString(size))
                : List.of("--size", Integer.toString(size), "--untouched");
        Path pongErr = Files.createTempFile("flatdata-iox2-pong", ".err");
        Path pingErr = Files.createTempFile("flatdata-iox2-ping", ".err");
        Process pong = start(pongErr, "pong", service, total, payload);
        Process ping = null;
        try {
            BufferedReader pongOut = new BufferedReader(new InputStreamReader(pong.getInputStream(),
                    StandardCharsets.UTF_8));
            if (!"READY".equals(pongOut.readLine())) {
                throw failed("native pong did not start", pong, pongErr);
            }
            List<String> pingArgs = new ArrayList<>(payload);
            pingArgs.addFirst("all");
            Process started = start(pingErr, "ping", service, total, pingArgs);
            ping = started;
            // a pong that fails (a corrupt ping) leaves the ping spinning: end it too
            pong.onExit().thenAccept(p -> {
                if (p.exitValue() != 0) {
                    started.destroyForcibly();
                }
            });
            Histogram run = new Histogram(10_000_000_000L, 3);
            try (BufferedReader in = new BufferedReader(new InputStreamReader(ping.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    run.recordValue(Long.parseLong(line.trim()));
                }
            }
            if (ping.waitFor() != 0) {
                pong.destroyForcibly().waitFor();
                if (pong.exitValue() != 0 && Files.size(pongErr) > 0) {
                    throw failed("native pong failed", pong, pongErr);
                }
                throw failed("native ping failed", ping, pingErr);
            }
            if (run.getTotalCount() != rounds) {
                throw new IllegalStateException("native ping reported " + run.getTotalCount() + " round trips, not "
                        + rounds);
            }
            return run;
        } finally {
            if (ping != null) {
                ping.destroyForcibly().waitFor();
            }
            pong.destroyForcibly().waitFor();
            Files.deleteIfExists(pongErr);
            Files.deleteIfExists(pingErr);
        }
    }

    /** Removes what this pair's services left in /dev/shm (iceoryx2 keeps some files past a run). */
    public void removeFiles() throws IOException {
        try (Stream<Path> files = Files.list(SHM)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    private Process start(Path err, String mode, String service, String rounds, List<String> more) throws IOException {
        List<String> command = new ArrayList<>(List.of(binary.toString(), mode, prefix, service, rounds));
        command.addAll(more);
        return new ProcessBuilder(command).redirectError(err.toFile()).start();
    }

    /** The failure of process {@code p} (ended now if it still runs), with what it wrote to {@code err}. */
    private static IllegalStateException failed(String what, Process p, Path err) throws InterruptedException {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
        String said;
        try {
            said = Files.readString(err, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            said = "(its error output is unreadable: " + e + ")";
        }
        if (said.length() > 4000) {
            said = "..." + said.substring(said.length() - 4000);
        }
        return new IllegalStateException(what + " (exit " + p.exitValue() + ")" + (said.isEmpty() ? "" : ": " + said));
    }
}
