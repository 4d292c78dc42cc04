package io.zerodds.flatdata;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event {@code io.zerodds.flatdata.ReaderEvicted}: a reader was disconnected by someone other
 * than itself, so that it no longer holds the writer back. A reader's own detach or close is no
 * eviction and records nothing. The causes are the constants of this class.
 */
@Name("io.zerodds.flatdata.ReaderEvicted")
@Label("Reader Evicted")
@Description("A reader was disconnected by another party: its process died, its heartbeat stood still,"
        + " or another process disconnected it")
@Category("flatdata")
@Enabled(false)
@StackTrace(false)
final class ReaderEvictedEvent extends Event {

    /** The writer found the reader's process gone while it held a slot back; its index was freed. */
    static final String PROCESS_DEAD = "process dead";
    /**
     * The writer found the reader's process alive but its heartbeat still for a whole lease (a
     * stopped or hung process); its index stays taken until the reader detaches.
     */
    static final String HEARTBEAT_STALE = "heartbeat stale";
    /** An attach that found the registry full (or its index taken) freed the entry of a dead process. */
    static final String PROCESS_DEAD_AT_ATTACH = "process dead at attach";
    /** A disconnect whose disconnecting process died half-way was finished by this process. */
    static final String DISCONNECTOR_DEAD = "disconnector dead";
    /** A disconnect that took its disconnecting party longer than a lease was finished by this process. */
    static final String DISCONNECT_OVERDUE = "disconnect overdue";
    /**
     * {@link SlotBackend#markReaderDisconnected} was called on a reader that was not attached
     * through the same backend instance (another process's reader, say).
     */
    static final String DISCONNECTED_BY_CALL = "disconnected by call";

    @Label("Ring")
    @Description("The ring the reader was attached to (its backend's description)")
    String ring;

    @Label("Reader Index")
    @Description("The reader's index in the registry, 0..31")
    int readerIndex;

    @Label("Reader Pid")
    @Description("The pid of the reader's process, -1 when unknown")
    int pid;

    @Label("Cause")
    @Description("Why the reader was disconnected: process dead, heartbeat stale, process dead at attach,"
            + " disconnector dead, disconnect overdue, disconnected by call")
    String cause;

    private ReaderEvictedEvent() {
    }

    /** Records the eviction of reader {@code reader} of {@code ring} (pid 0: unknown), when a recording wants it. */
    static void record(SlotBackend ring, int reader, int pid, String cause) {
        ReaderEvictedEvent event = new ReaderEvictedEvent();
        if (event.shouldCommit()) {
            event.ring = ring.toString();
            event.readerIndex = reader;
            event.pid = pid > 0 ? pid : -1;
            event.cause = cause;
            event.commit();
        }
    }
}
