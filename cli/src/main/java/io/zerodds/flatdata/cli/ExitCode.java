package io.zerodds.flatdata.cli;

/**
 * The exit codes of {@code ./flatdata}, one per class of outcome; the README's table and the
 * root command's help are made from this list.
 */
enum ExitCode {
    OK(0, "success"),
    FAILED(1, "the run ended but a check failed: a sample missing, out of order or with a bad checksum,"
            + " a process of the demo failed, or a writer found no free slot in time"),
    USAGE(2, "bad command line: unknown command or option, or a bad value (size, rate, slots, count, type, ...)"),
    NO_SEGMENT(3, "no such segment in /dev/shm"),
    PERMISSION(4, "permission denied, or the segment belongs to another user"),
    INCOMPATIBLE(5, "incompatible segment: another layout version or another type, or samples larger than its slots"),
    NOT_A_SEGMENT(6, "the file is not a flatdata segment (or a damaged one)"),
    BUSY(7, "the segment has a live writer already"),
    UNAVAILABLE(8, "the backend is not available here: the iceoryx2 native library did not load (none for this"
            + " platform in the build)"),
    INTERNAL(70, "unexpected error: rerun with --verbose for the stack trace and report it"),
    INTERRUPTED(130, "stopped by Ctrl-C (SIGINT); children stopped and the segment (or iceoryx2 files) removed");

    final int code;
    final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }
}
