package io.zerodds.flatdata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.PosixSlotBackend;
import io.zerodds.flatdata.test.ShmNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * bridge send and bridge receive over loopback, in threads of this JVM: pub writes ring A,
 * bridge send carries it, bridge receive writes ring B, sub checks B's samples.
 */
@Timeout(120)
class BridgeCommandTest {

    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("cli-bridge");

    @Test
    void pubBridgeSendBridgeReceiveSubCarriesEveryChecksummedSampleInOrder() throws Exception {
        Link link = Link.fresh();
        ExecutorService threads = Executors.newCachedThreadPool();
        try {
            Future<CliRun> receive = startReceive(threads, link);
            Future<CliRun> sub = threads.submit(() -> CliRun.of("sub", link.sink()));
            awaitReader(link.sink(), sub);
            Future<CliRun> pub = threads.submit(() -> CliRun.of("pub", link.source(), "--count", "20000", "--size", "100",
                    "--slots", "16"));
            awaitFile(link.source(), pub);
            CliRun send = CliRun.of("bridge", "send", link.source(), link.data(), "--control", link.control());

            assertThat(send.code()).as(send.toString()).isZero();
            assertThat(send.out()).contains("bridge send " + link.source() + ": receiver joined")
                    .contains("20,000 samples sent, 0 dropped").contains("acknowledged up to 20000");
            CliRun published = pub.get(30, TimeUnit.SECONDS);
            assertThat(published.code()).as(published.toString()).isZero();
            CliRun received = receive.get(30, TimeUnit.SECONDS);
            assertThat(received.code()).as(received.toString()).isZero();
            assertThat(received.out()).contains("bridge receive " + link.sink()
                    + ": 20,000 samples written, 0 gaps (0 samples missing), 0 dropped");
            CliRun checked = sub.get(30, TimeUnit.SECONDS);
            assertThat(checked.code()).as(checked.toString()).isZero();
            assertThat(checked.out()).contains("20,000 samples (2,000,000 bytes)").contains("ended by end of stream")
                    .contains("in order, sequences 0..19999 without a gap").contains("checksums  all valid");
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * A receiver whose ring stays full (a reader there that never reads) stops acknowledging: once
     * the stream ended, bridge send gives up after --end-wait instead of waiting for ever, and
     * says how far the receiver got.
     */
    @Test
    void bridgeSendGivesUpAfterTheEndWhenTheReceiverStopsAcknowledging() throws Exception {
        Link link = Link.fresh();
        ExecutorService threads = Executors.newCachedThreadPool();
        try {
            Future<CliRun> receive = startReceive(threads, link);
            CliRun send;
            Future<CliRun> pub;
            try (PosixSlotBackend full = PosixSlotBackend.open(link.sink()).build();
                 FlatReader idle = FlatReader.attach(full)) {
                pub = threads.submit(() -> CliRun.of("pub", link.source(), "--count", "24", "--size", "100", "--slots", "16"));
                awaitFile(link.source(), pub);
                send = CliRun.of("bridge", "send", link.source(), link.data(), "--control", link.control(), "--end-wait", "2");
                assertThat(idle.isEndOfStream()).isFalse();
            }
            assertThat(send.code()).as(send.toString()).isEqualTo(ExitCode.FAILED.code);
            assertThat(send.errLines()).as(send.toString()).anySatisfy(line -> assertThat(line)
                    .contains("the stream ended at sequence 24 but the receiver acknowledged only up to 16")
                    .contains("nothing more for 2 s (--end-wait)"));
            CliRun published = pub.get(30, TimeUnit.SECONDS);
            assertThat(published.code()).as(published.toString()).isZero();
            // the reader that held the receiving ring full is gone: the receiver takes the rest and the end
            CliRun received = receive.get(30, TimeUnit.SECONDS);
            assertThat(received.code()).as(received.toString()).isZero();
            assertThat(received.out()).contains("24 samples written, 0 gaps");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void anEndWaitBelowOneSecondIsAUsageError() {
        CliRun run = CliRun.of("bridge", "send", NAMES.next(), "127.0.0.1:" + freeUdp(), "--control",
                "127.0.0.1:" + freeUdp(), "--end-wait", "0");
        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.USAGE.code);
        assertThat(run.errLines()).first().asString().contains("--end-wait=0 must be at least 1 second");
    }

    @Test
    void aMissingControlChannelIsAUsageErrorNamingTheOption() {
        CliRun run = CliRun.of("bridge", "receive", "127.0.0.1:" + freeUdp(), NAMES.next());
        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.USAGE.code);
        assertThat(run.errLines()).first().asString().contains("Missing required option: '--control=HOST:PORT'");
        assertThat(NAMES.path(NAMES.next())).doesNotExist();
    }

    @Test
    void aChannelThatIsNoHostAndPortIsABadValueNamingIt() {
        String name = NAMES.next();
        CliRun run = CliRun.of("bridge", "receive", "127.0.0.1:notaport", name, "--control", "127.0.0.1:" + freeUdp());
        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.USAGE.code);
        assertThat(run.errLines()).hasSize(1).first().asString()
                .contains("CHANNEL=127.0.0.1:notaport is not host:port (a port from 1 to 65535)");
        assertThat(NAMES.path(name)).doesNotExist();
    }

    /** A bridged pair of rings and the two loopback channels between them, all new. */
    private record Link(String source, String sink, String data, String control) {
        static Link fresh() {
            return new Link(NAMES.next(), NAMES.next(), "127.0.0.1:" + freeUdp(), "127.0.0.1:" + freeUdp());
        }
    }

    /** bridge receive into a new ring (the link's sink) of 16 slots of 128 bytes, on a thread; returns once it exists. */
    private static Future<CliRun> startReceive(ExecutorService threads, Link link) throws Exception {
        Future<CliRun> receive = threads.submit(() -> CliRun.of("bridge", "receive", link.data(), link.sink(),
                "--control", link.control(), "--slots", "16", "--size", "128"));
        awaitFile(link.sink(), receive);
        return receive;
    }

    private static void awaitFile(String name, Future<CliRun> command) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!NAMES.path(name).toFile().exists()) {
            assertThat(command.isDone()).as("%s ended before creating %s: %s", command, name,
                    command.isDone() ? command.get() : null).isFalse();
            assertThat(System.nanoTime()).as("%s created within 30 s", name).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** Waits until ring {@code name} has a reader (sub attached), so it sees the first sample. */
    private static void awaitReader(String name, Future<CliRun> sub) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (PosixSlotBackend ring = PosixSlotBackend.open(name).build()) {
            while (ring.activeReaders() == 0) {
                assertThat(sub.isDone()).as("sub ended before attaching to %s: %s", name,
                        sub.isDone() ? sub.get() : null).isFalse();
                assertThat(System.nanoTime()).as("a reader on %s within 30 s", name).isLessThan(deadline);
                Thread.sleep(5);
            }
        }
    }

    private static int freeUdp() {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
