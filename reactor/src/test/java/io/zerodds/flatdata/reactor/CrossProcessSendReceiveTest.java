package io.zerodds.flatdata.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.SlotBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;

/**
 * End to end across processes: a writer JVM sends 1,000,000 samples with
 * {@link ReactiveFlatWriter#send}, a reader JVM consumes them through the {@code Flux}, both over
 * a POSIX shared-memory ring, and both report a checksum.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CrossProcessSendReceiveTest {

    static final long SAMPLES = 1_000_000;

    @Test
    void aMillionSamplesFromAWriterJvmReachAReaderJvmInOrderWithMatchingChecksums() throws Exception {
        String ring = Backends.uniqueName();
        Process writer = start(WriterMain.class, ring);
        List<String> writerOut = new ArrayList<>();
        Process reader = null;
        try {
            BufferedReader writerLines = lines(writer);
            String line;
            while ((line = writerLines.readLine()) != null) {
                writerOut.add(line);
                if (line.equals("READY")) {
                    break;
                }
            }
            assertThat(writerOut).as("writer output").contains("READY");
            reader = start(ReaderMain.class, ring);
            List<String> readerOut = drain(lines(reader));
            assertThat(reader.waitFor(180, TimeUnit.SECONDS)).isTrue();
            writerOut.addAll(drain(writerLines));
            assertThat(writer.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(reader.exitValue()).as("reader exit, output %s", readerOut).isZero();
            assertThat(writer.exitValue()).as("writer exit, output %s", writerOut).isZero();
            String sent = writerOut.stream().filter(l -> l.startsWith("SENT ")).findFirst().orElseThrow();
            String received = readerOut.stream().filter(l -> l.startsWith("RECEIVED ")).findFirst().orElseThrow();
            assertThat(received.substring("RECEIVED ".length())).isEqualTo(sent.substring("SENT ".length()));
            assertThat(sent).startsWith("SENT " + SAMPLES + " ");
        } finally {
            writer.destroyForcibly();
            if (reader != null) {
                reader.destroyForcibly();
            }
        }
    }

    private static Process start(Class<?> main, String ring) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), main.getName(), ring, Long.toString(SAMPLES))
                .redirectErrorStream(true)
                .start();
    }

    private static BufferedReader lines(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    private static List<String> drain(BufferedReader r) throws IOException {
        List<String> out = new ArrayList<>();
        String line;
        while ((line = r.readLine()) != null) {
            out.add(line);
        }
        return out;
    }

    /** Order-sensitive checksum of the values 0..n-1 as they arrive. */
    static long checksum(long previous, long value) {
        return previous * 31 + value;
    }

    /** The writer JVM: creates the ring, waits for the reader, sends with backpressure. */
    public static final class WriterMain {
        public static void main(String[] args) throws Exception {
            String name = args[0];
            long samples = Long.parseLong(args[1]);
            try (SlotBackend ring = Backends.createPosix(name, 16, TestRings.SAMPLE_SIZE)) {
                System.out.println("READY");
                System.out.flush();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (ring.activeReaders() == 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("no reader attached within 60 s");
                    }
                    Thread.sleep(1);
                }
                long[] sum = new long[1];
                ReactiveFlatWriter.reliable(ring)
                        .send(Flux.range(0, (int) samples).map(i -> {
                            sum[0] = checksum(sum[0], i);
                            return (long) i;
                        }), TestRings.ENCODER)
                        .block(Duration.ofMinutes(3));
                System.out.println("SENT " + samples + " " + sum[0]);
                // keep the ring until the reader is done with it
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (ring.activeReaders() != 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
            }
        }
    }

    /** The reader JVM: opens the ring, consumes the Flux, checks order, prints its checksum. */
    public static final class ReaderMain {
        public static void main(String[] args) {
            String name = args[0];
            long samples = Long.parseLong(args[1]);
            try (SlotBackend ring = Backends.openPosix(name);
                 ReactiveFlatReader reader = ReactiveFlatReader.attach(ring)) {
                long[] state = new long[2]; // next expected value, checksum
                reader.flux()
                        .map(TestRings::decode)
                        .take(samples)
                        .doOnNext(v -> {
                            if (v != state[0]) {
                                throw new IllegalStateException("expected " + state[0] + " but received " + v);
                            }
                            state[0]++;
                            state[1] = checksum(state[1], v);
                        })
                        .blockLast(Duration.ofMinutes(3));
                System.out.println("RECEIVED " + state[0] + " " + state[1]);
            }
        }
    }
}
