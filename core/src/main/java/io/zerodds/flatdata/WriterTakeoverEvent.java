package io.zerodds.flatdata;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event {@code io.zerodds.flatdata.WriterTakeover}: this process took over a segment as its
 * writer ({@code PosixSlotBackend.open(name).asWriter()}), usually after the previous writer
 * crashed: its loans were reclaimed and the next sequence repaired.
 */
@Name("io.zerodds.flatdata.WriterTakeover")
@Label("Writer Takeover")
@Description("A new writer took over a segment after the previous writer died (or closed it and kept it)")
@Category("flatdata")
@Enabled(false)
@StackTrace(false)
final class WriterTakeoverEvent extends Event {

    @Label("Ring")
    @Description("The ring taken over (its backend's description)")
    String ring;

    @Label("Previous Writer Pid")
    @Description("The pid the segment recorded for its previous writer")
    int previousWriterPid;

    @Label("Previous Writer Died")
    @Description("Whether the previous writer was still recorded as open, so it died without closing;"
            + " false when it closed and kept the segment")
    boolean previousWriterDied;

    @Label("Loans Reclaimed")
    @Description("Slots the previous writer had loaned without publishing a sample, given back to the ring")
    int loansReclaimed;

    @Label("Next Sequence")
    @Description("The sequence number of the new writer's first sample, after the repair")
    long nextSequence;

    @Label("Sequence Repaired")
    @Description("Whether the previous writer died after publishing a sample but before counting it, so"
            + " the next sequence was moved past it")
    boolean sequenceRepaired;

    private WriterTakeoverEvent() {
    }

    /** Records a takeover, when a recording wants it. */
    static void record(SlotBackend ring, int previousWriterPid, boolean previousWriterDied, int loansReclaimed,
            long nextSequence, boolean sequenceRepaired) {
        WriterTakeoverEvent event = new WriterTakeoverEvent();
        if (event.shouldCommit()) {
            event.ring = ring.toString();
            event.previousWriterPid = previousWriterPid;
            event.previousWriterDied = previousWriterDied;
            event.loansReclaimed = loansReclaimed;
            event.nextSequence = nextSequence;
            event.sequenceRepaired = sequenceRepaired;
            event.commit();
        }
    }
}
