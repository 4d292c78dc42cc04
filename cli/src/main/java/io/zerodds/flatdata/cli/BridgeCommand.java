package io.zerodds.flatdata.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code bridge send|receive}: a ring across hosts over Aeron UDP. */
@Command(name = "bridge", mixinStandardHelpOptions = true,
        description = "Carries a ring's samples to a ring on another host over Aeron UDP.",
        subcommands = {BridgeSendCommand.class, BridgeReceiveCommand.class},
        footer = {"%nExamples (host A 10.0.0.1 has ring prices, host B 10.0.0.2 receives it):",
                "  B$ ./flatdata bridge receive 10.0.0.2:40123 prices --control 10.0.0.1:40124",
                "  A$ ./flatdata bridge send prices 10.0.0.2:40123 --control 10.0.0.1:40124"})
final class BridgeCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

}
