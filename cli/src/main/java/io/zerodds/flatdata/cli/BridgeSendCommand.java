package io.zerodds.flatdata.cli;

import io.zerodds.flatdata.PosixSlotBackend;
import io.zerodds.flatdata.aeron.BridgeHandshakeException;
import io.zerodds.flatdata.aeron.Reliability;
import io.zerodds.flatdata.aeron.RingBridge;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bridge send NAME CHANNEL}: one of ring NAME's readers, publishing its samples to a receiver. */
@Command(name = "send", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Reads ring NAME in /dev/shm (as one of its readers) and publishes each sample over "
                + "Aeron UDP to the receiver at CHANNEL, until the ring's end of stream.",
        footer = {"%nCHANNEL and --control are host:port or full Aeron channels (aeron:udp?endpoint=host:port).",
                "The receiver's ring must have the same type and slots at least as large: else both ends",
                "fail with exit code 5. Reliable by default: nothing is dropped, a slow receiver slows the",
                "ring's writer (if it is reliable).",
                "%nExamples:",
                "  ./flatdata bridge send prices 10.0.0.2:40123 --control 10.0.0.1:40124",
                "  ./flatdata bridge send prices 127.0.0.1:40123 --control 127.0.0.1:40124 --best-effort"})
final class BridgeSendCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "the ring to bridge (in /dev/shm)")
    String name;

    @Parameters(index = "1", paramLabel = "CHANNEL", description = "where the receiver listens: host:port")
    String channel;

    @Option(names = "--control", required = true, paramLabel = "HOST:PORT",
            description = "where this bridge listens for the receiver's join and acknowledgements")
    String control;

    @Option(names = "--stream", paramLabel = "ID", description = "data stream id (default: ${DEFAULT-VALUE}; control: ID+1)")
    int stream = 1001;

    @Option(names = "--best-effort", description = "drop (and count) samples Aeron does not take at once")
    boolean bestEffort;

    @Option(names = "--wait", paramLabel = "SECONDS", description = "how long to wait for a receiver (default: ${DEFAULT-VALUE})")
    long waitSeconds = 60;

    @Option(names = "--end-wait", paramLabel = "SECONDS",
            description = "after the ring's end of stream, how long the receiver may go without acknowledging more"
                    + " before the bridge gives up (default: ${DEFAULT-VALUE})")
    long endWaitSeconds = 30;

    @Override
    public Integer call() throws InterruptedException {
        if (endWaitSeconds < 1) {
            throw new CliFailure(ExitCode.USAGE, "--end-wait=" + endWaitSeconds + " must be at least 1 second");
        }
        PrintWriter out = spec.commandLine().getOut();
        BridgeEndpoints.check("CHANNEL", channel);
        BridgeEndpoints.check("--control", control);
        try (PosixSlotBackend ring = Segments.openReader(name, null);
             RingBridge bridge = RingBridge.builder(ring).dataChannel(channel).controlChannel(control)
                     .streamId(stream).controlStreamId(stream + 1)
                     .reliability(bestEffort ? Reliability.BEST_EFFORT : Reliability.RELIABLE).start()) {
            out.println("bridge send " + name + ": waiting for a receiver at " + channel + " ...");
            bridge.awaitReceiver(Duration.ofSeconds(waitSeconds));
            out.println("bridge send " + name + ": receiver joined");
            long acknowledged = Long.MIN_VALUE;
            long progressAt = 0;
            while (bridge.failure() == null && !(ring.endOfStreamSequence() >= 0
                    && bridge.acknowledgedSequence() >= ring.endOfStreamSequence())) {
                Thread.sleep(200);
                long end = ring.endOfStreamSequence();
                if (end < 0) {
                    continue; // the stream goes on: a receiver that is away may come back for it
                }
                long now = System.nanoTime();
                if (bridge.acknowledgedSequence() != acknowledged) {
                    acknowledged = bridge.acknowledgedSequence();
                    progressAt = now;
                } else if (now - progressAt > endWaitSeconds * 1_000_000_000L) {
                    throw new CliFailure(ExitCode.FAILED, "bridge send " + name + ": the stream ended at sequence " + end
                            + " but the receiver acknowledged only up to " + acknowledged + " and nothing more for "
                            + endWaitSeconds + " s (--end-wait): samples from " + Math.max(0, acknowledged)
                            + " on may not have reached its ring");
                }
            }
            if (bridge.failure() instanceof BridgeHandshakeException e) {
                throw new CliFailure(ExitCode.INCOMPATIBLE, e.getMessage(), e);
            }
            if (bridge.failure() != null) {
                throw Errors.classify(bridge.failure());
            }
            out.printf("bridge send %s: %,d samples sent, %,d dropped, %,d back-pressured offers, acknowledged up to %d%n",
                    name, bridge.sentCount(), bridge.droppedCount(), bridge.backPressureCount(), bridge.acknowledgedSequence());
            return bridge.droppedCount() == 0 ? 0 : ExitCode.FAILED.code;
        } catch (BridgeHandshakeException e) {
            throw new CliFailure(ExitCode.INCOMPATIBLE, e.getMessage(), e);
        }
    }
}
