package io.zerodds.flatdata.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code ./flatdata COMMAND}: the flatdata command line. Every failure is one line on stderr
 * naming the offending value, with the {@link ExitCode} of its class; {@code --verbose} adds the
 * stack trace.
 */
@Command(name = "flatdata", mixinStandardHelpOptions = true, version = "flatdata 0.1.0",
        description = "Zero-copy publish/subscribe over shared-memory slot rings.",
        subcommands = {DemoCommand.class, PubCommand.class, SubCommand.class, ListCommand.class, InspectCommand.class,
                CleanCommand.class, BridgeCommand.class,
                DemoWorkerCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        footer = {"%nStart with: ./flatdata demo", "Each command has --help with examples."})
public final class Main implements Runnable {

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "print the stack trace of a failure")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The command line with this program's error handling, for tests that capture its output. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.getCommandSpec().usageMessage().exitCodeList(exitCodes());
        cl.setParameterExceptionHandler(Main::onParameterError);
        cl.setExecutionExceptionHandler(Main::onExecutionError);
        cl.setExitCodeExceptionMapper(t -> Errors.classify(t).exitCode().code);
        // an unknown command with --help must not print the top-level help and succeed
        cl.setExecutionStrategy(parsed -> {
            for (ParseResult p = parsed; p != null; p = p.subcommand()) {
                if (!p.unmatched().isEmpty()) {
                    throw new UnmatchedArgumentException(p.commandSpec().commandLine(), p.unmatched());
                }
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        return cl;
    }

    private static java.util.Map<String, String> exitCodes() {
        java.util.Map<String, String> map = new java.util.LinkedHashMap<>();
        for (ExitCode c : ExitCode.values()) {
            map.put(String.format("%3d", c.code), c.meaning);
        }
        return map;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    private static int onParameterError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        String message = ex.getMessage();
        if (ex instanceof UnmatchedArgumentException u && cmd.getParent() == null && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().getFirst().startsWith("-")) {
            message = "unknown command '" + u.getUnmatched().getFirst() + "'; commands: "
                    + String.join(", ", visibleCommands(cmd));
        }
        err.println(name + ": " + message + " (see '" + name + " --help')");
        if (verbose(null, args)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return ExitCode.USAGE.code;
    }

    private static List<String> visibleCommands(CommandLine root) {
        return root.getSubcommands().entrySet().stream()
                .filter(e -> !e.getValue().getCommandSpec().usageMessage().hidden())
                .map(java.util.Map.Entry::getKey).toList();
    }

    private static int onExecutionError(Exception ex, CommandLine cmd, ParseResult parsed) {
        CliFailure failure = Errors.classify(ex);
        PrintWriter err = cmd.getErr();
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + oneLine(failure.getMessage()));
        if (verbose(parsed, new String[0])) {
            (failure.getCause() != null ? failure.getCause() : failure).printStackTrace(err);
        } else if (failure.exitCode() == ExitCode.INTERNAL) {
            err.println("(rerun with --verbose for the stack trace)");
        }
        err.flush();
        return failure.exitCode().code;
    }

    private static String oneLine(String s) {
        return s == null ? "failed" : s.replace('\n', ' ');
    }

    private static boolean verbose(ParseResult parsed, String[] args) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return Arrays.asList(args).contains("--verbose");
    }
}
