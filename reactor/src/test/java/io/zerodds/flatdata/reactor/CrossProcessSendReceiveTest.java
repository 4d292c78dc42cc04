package io.zerodds.flatdata.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.TestBackends;
import io.zerodds.flatdata.test.ChildProcess;
import io.zerodds.flatdata.test.ShmNames;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;

/**
 * End to end across processes: a writer JVM sends 1,000,000 samples with
 * {@link ReactiveFlatWriter#send}, a reader JVM consumes them through the {@code Flux}, both over
 * a POSIX shared-memory ring, and both report a checksum.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CrossProcessSendReceiveTest {

    /** Every POSIX ring a test made is gone after its class. */
    @RegisterExtension
    static final ShmNames NAMES = TestBackends.NAMES;

    static final long SAMPLES = 1_000_000;

    @Test
    void aMillionSamplesFromAWriterJvmReachAReaderJvmInOrderWithMatchingChecksums() throws Exception {
        String ring = TestBackends.uniqueName();
        try (ChildProcess writer = start(WriterMain.class, ring)) {
            writer.expect("READY", Duration.ofSeconds(60));
            assertThat(writer.output()).as("writer output").contains("READY");
            try (ChildProcess reader = start(ReaderMain.class, ring)) {
                int readerExit = reader.waitFor(Duration.ofSeconds(180));
                List<String> readerOut = reader.output();
                int writerExit = writer.waitFor(Duration.ofSeconds(60));
                List<String> writerOut = writer.output();
                assertThat(readerExit).as("reader exit, output %s, stderr %s", readerOut, reader.stderrText())
                        .isZero();
                assertThat(writerExit).as("writer exit, output %s, stderr %s", writerOut, writer.stderrText())
                        .isZero();
                String sent = writerOut.stream().filter(l -> l.startsWith("SENT ")).findFirst().orElseThrow();
                String received = readerOut.stream().filter(l -> l.startsWith("RECEIVED ")).findFirst().orElseThrow();
                assertThat(received.substring("RECEIVED ".length())).isEqualTo(sent.substring("SENT ".length()));
                assertThat(sent).startsWith("SENT " + SAMPLES + " ");
            }
        }
    }

    private static ChildProcess start(Class<?> main, String ring) {
        return ChildProcess.java(List.of("-Xmx256m"), main, ring, Long.toString(SAMPLES));
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
            try (SlotBackend ring = TestBackends.createPosix(name, 16, TestRings.SAMPLE_SIZE)) {
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
            try (SlotBackend ring = TestBackends.openPosix(name);
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
