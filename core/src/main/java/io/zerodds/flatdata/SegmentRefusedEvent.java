package io.zerodds.flatdata;

import java.nio.file.Path;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event {@code io.zerodds.flatdata.SegmentRefused}: opening (or creating) a POSIX segment was
 * refused, with the exception the caller got: a file that is not a valid segment (magic, layout
 * version, geometry, descriptor checksum...), another type hash, another owner, a live writer, a
 * missing file. With a stack trace by default: it shows who tried.
 */
@Name("io.zerodds.flatdata.SegmentRefused")
@Label("Segment Refused")
@Description("Opening or creating a shared-memory segment was refused: not a valid segment, another type,"
        + " another owner, a live writer, or no such file")
@Category("flatdata")
@Enabled(false)
@StackTrace(true)
final class SegmentRefusedEvent extends Event {

    @Label("Name")
    @Description("The segment's object name")
    String name;

    @Label("Path")
    @Description("The segment's file")
    String path;

    @Label("Operation")
    @Description("What was refused: open, open as writer, or create")
    String operation;

    @Label("Reason")
    @Description("The exception's message")
    String reason;

    @Label("Exception Class")
    @Description("The exception's class")
    Class<?> exceptionClass;

    private SegmentRefusedEvent() {
    }

    /** Records that {@code operation} on segment {@code name} failed with {@code refusal}, when a recording wants it. */
    static void record(String name, Path path, String operation, RuntimeException refusal) {
        SegmentRefusedEvent event = new SegmentRefusedEvent();
        if (event.shouldCommit()) {
            event.name = name;
            event.path = path.toString();
            event.operation = operation;
            event.reason = refusal.getMessage();
            event.exceptionClass = refusal.getClass();
            event.commit();
        }
    }
}
