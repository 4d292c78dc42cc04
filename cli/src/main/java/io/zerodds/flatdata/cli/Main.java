package io.zerodds.flatdata.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./flatdata COMMAND}: the flatdata command line. */
@Command(name = "flatdata", mixinStandardHelpOptions = true, version = "flatdata 0.1.0",
        description = "Zero-copy publish/subscribe over shared-memory slot rings.",
        subcommands = {DemoCommand.class, InspectCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The command line with its handlers, ready to execute (tests set its out and err). */
    static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
