package io.zerodds.flatdata.reactor;

import io.zerodds.flatdata.SlotBackend;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event {@code io.zerodds.flatdata.ViewLeakRecovered}: a retained {@link SampleView} became
 * unreachable without {@link SampleView#release()}, and the leak detector gave its slot back (the
 * same moment as the {@code LEAK} warning and {@link ReactiveFlatReader#leakCount()}). Recorded on
 * the leak detector's thread, so without a stack trace: the retain that leaked is not on it.
 */
@Name("io.zerodds.flatdata.ViewLeakRecovered")
@Label("View Leak Recovered")
@Description("A retained sample view was garbage-collected without release(); the leak detector marked its"
        + " slot read")
@Category("flatdata")
@Enabled(false)
@StackTrace(false)
final class ViewLeakRecoveredEvent extends Event {

    @Label("Ring")
    @Description("The ring the view was read from (its backend's description)")
    String ring;

    @Label("Reader Index")
    @Description("The index of the reader the view belonged to")
    int readerIndex;

    @Label("Sequence")
    @Description("The sequence number of the leaked sample")
    long sequence;

    @Label("Slot")
    @Description("The slot the leaked sample was in")
    int slot;

    @Label("Slot Freed")
    @Description("Whether the slot was marked read; false when the reader had closed already (its slot was"
            + " free for the writer then)")
    boolean slotFreed;

    private ViewLeakRecoveredEvent() {
    }

    /** Records a recovered leak, when a recording wants it. */
    static void record(SlotBackend backend, int reader, int slot, long sequence, boolean slotFreed) {
        ViewLeakRecoveredEvent event = new ViewLeakRecoveredEvent();
        if (event.shouldCommit()) {
            event.ring = backend.toString();
            event.readerIndex = reader;
            event.sequence = sequence;
            event.slot = slot;
            event.slotFreed = slotFreed;
            event.commit();
        }
    }
}
