package io.zerodds.flatdata.cli;

import io.zerodds.flatdata.PosixSlotBackend;
import io.zerodds.flatdata.aeron.BridgeHandshakeException;
import io.zerodds.flatdata.aeron.Reliability;
import io.zerodds.flatdata.aeron.RingReceiver;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bridge receive CHANNEL NAME}: creates ring NAME and writes a bridge's samples into it. */
@Command(name = "receive", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Creates ring NAME in /dev/shm and writes into it the samples a 'bridge send' publishes "
                + "to CHANNEL, until the bridged ring's end of stream.",
        footer = {"%nEvery gap in the bridged sequence is printed (and the exit code is then 1).",
                "%nExamples:",
                "  ./flatdata bridge receive 10.0.0.2:40123 prices --control 10.0.0.1:40124 --slots 256 --size 128",
                "  ./flatdata bridge receive 127.0.0.1:40123 prices --control 127.0.0.1:40124 &",
                "  ./flatdata sub prices"})
final class BridgeReceiveCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHANNEL", description = "where this receiver listens: host:port")
    String channel;

    @Parameters(index = "1", paramLabel = "NAME", description = "the ring to create (in /dev/shm)")
    String name;

    @Option(names = "--control", required = true, paramLabel = "HOST:PORT", description = "where the bridge listens")
    String control;

    @Option(names = "--slots", description = "slots of the ring (default: ${DEFAULT-VALUE})")
    int slots = 64;

    @Option(names = "--size", paramLabel = "BYTES", description = "slot capacity (default: ${DEFAULT-VALUE}); at least the bridged ring's")
    int size = 1024;

    @Option(names = "--stream", paramLabel = "ID", description = "data stream id (default: ${DEFAULT-VALUE}; control: ID+1)")
    int stream = 1001;

    @Option(names = "--best-effort", description = "drop (and count) samples the full ring has no slot for")
    boolean bestEffort;

    @Option(names = "--expect", paramLabel = "SEQUENCE", description = "the bridged sequence expected first (a restart that knows where it stopped)")
    long expect = -1;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        BridgeEndpoints.check("CHANNEL", channel);
        BridgeEndpoints.check("--control", control);
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(slots).slotCapacity(size).build();
             RingReceiver receiver = RingReceiver.builder(ring).dataChannel(channel).controlChannel(control)
                     .streamId(stream).controlStreamId(stream + 1).expectSequence(expect)
                     .reliability(bestEffort ? Reliability.BEST_EFFORT : Reliability.RELIABLE).start()) {
            out.println("bridge receive " + name + ": listening at " + channel + " ...");
            while (receiver.failure() == null && !receiver.isEndOfStream()) {
                Thread.sleep(200);
            }
            if (receiver.failure() instanceof BridgeHandshakeException e) {
                throw new CliFailure(ExitCode.INCOMPATIBLE, e.getMessage(), e);
            }
            if (receiver.failure() != null) {
                throw Errors.classify(receiver.failure());
            }
            out.printf("bridge receive %s: %,d samples written, %,d gaps (%,d samples missing), %,d dropped%n",
                    name, receiver.receivedCount(), receiver.gapCount(), receiver.missingCount(), receiver.droppedCount());
            return receiver.gapCount() == 0 && receiver.droppedCount() == 0 ? 0 : ExitCode.FAILED.code;
        } catch (BridgeHandshakeException e) {
            throw new CliFailure(ExitCode.INCOMPATIBLE, e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw Errors.classify(e);
        }
    }
}
