package io.zerodds.flatdata.cli;

import io.zerodds.flatdata.SampleTooLargeException;
import io.zerodds.flatdata.SegmentAccessException;
import io.zerodds.flatdata.SegmentFormatException;
import io.zerodds.flatdata.SlotTimeoutException;
import io.zerodds.flatdata.TypeMismatchException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/** Turns what a command threw into a one-line {@link CliFailure} with its {@link ExitCode}. */
final class Errors {
    private Errors() {
    }

    static CliFailure classify(Throwable t) {
        if (t instanceof CommandLine.ExecutionException && t.getCause() != null) {
            t = t.getCause();
        }
        return switch (t) {
            case CliFailure f -> f;
            case TypeMismatchException e -> new CliFailure(ExitCode.INCOMPATIBLE, e.getMessage(), e);
            case SampleTooLargeException e -> new CliFailure(ExitCode.INCOMPATIBLE, e.getMessage(), e);
            case SegmentFormatException e -> new CliFailure(
                    e.getMessage() != null && e.getMessage().contains("layout version")
                            ? ExitCode.INCOMPATIBLE : ExitCode.NOT_A_SEGMENT, e.getMessage(), e);
            case SegmentAccessException e -> new CliFailure(access(e), e.getMessage(), e);
            case SlotTimeoutException e -> new CliFailure(ExitCode.FAILED, e.getMessage(), e);
            case IllegalArgumentException e -> new CliFailure(ExitCode.USAGE, e.getMessage(), e);
            default -> new CliFailure(ExitCode.INTERNAL, t.getClass().getName()
                    + (t.getMessage() == null ? "" : ": " + t.getMessage()), t);
        };
    }

    private static ExitCode access(SegmentAccessException e) {
        String m = String.valueOf(e.getMessage());
        if (e.getCause() instanceof NoSuchFileException || m.contains("does not exist")) {
            return ExitCode.NO_SEGMENT;
        }
        if (e.getCause() instanceof AccessDeniedException || m.contains("permission denied") || m.contains("owned by uid")) {
            return ExitCode.PERMISSION;
        }
        if (m.contains("alive") || m.contains("live writer") || m.contains("still exists")) {
            return ExitCode.BUSY;
        }
        if (m.contains("not a regular file") || m.contains("symbolic link")) {
            return ExitCode.NOT_A_SEGMENT;
        }
        return ExitCode.PERMISSION;
    }
}
