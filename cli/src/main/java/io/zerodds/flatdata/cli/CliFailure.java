package io.zerodds.flatdata.cli;

/**
 * A failure a command reports with a one-line message and its {@link ExitCode}; the message names
 * the offending value. The stack trace is shown only with {@code --verbose}.
 */
final class CliFailure extends RuntimeException {
    private final ExitCode exitCode;

    CliFailure(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    CliFailure(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    ExitCode exitCode() {
        return exitCode;
    }
}
