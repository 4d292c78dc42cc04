package io.zerodds.flatdata;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event {@value #NAME}: a reliable writer waited for a free slot, because every slot was
 * loaned or held unread by an attached reader. Its duration spans the whole wait of one loan
 * (every wait slice and reserve attempt until a slot was free), not one slice. Disabled by
 * default, like every flatdata event (see "Observability" in the package documentation).
 *
 * <p>Recorded by {@link FlatWriter} and by the reliable send of the reactive writer in module
 * {@code io.zerodds.flatdata.reactor}, which is why this one event class is public: both record
 * the same event type. {@link #beginWait} and {@link #endWait} are for flatdata's own modules,
 * not an API for applications.
 */
@Name(WriterWaitEvent.NAME)
@Label("Writer Wait")
@Description("A reliable writer waited for a free slot: every slot was loaned or unread by an attached reader")
@Category("flatdata")
@Enabled(false)
@StackTrace(false)
public final class WriterWaitEvent extends Event {

    /** The event's name. */
    public static final String NAME = "io.zerodds.flatdata.WriterWait";

    /** This event's type once the recorder runs: asking it whether a recording wants us allocates nothing. */
    private static volatile EventType type;

    @Label("Ring")
    @Description("The ring the writer waited on (its backend's description)")
    String ring;

    @Label("Free Slots")
    @Description("Slots free for a new sample when the wait began: 0, as the writer's reserve had just"
            + " found none (a slot freed in that instant goes to the next reserve)")
    int freeSlots;

    @Label("Slot Count")
    @Description("Slots in the ring")
    int slotCount;

    @Label("Slot Obtained")
    @Description("Whether the wait ended with a free slot; false when it timed out, the ring closed or the"
            + " send ended")
    boolean slotObtained;

    private WriterWaitEvent() {
    }

    /**
     * For flatdata's modules: starts timing a writer's wait for a free slot on {@code backend}.
     * Returns {@code null}, allocating nothing, unless a running recording enables the event; so
     * a wait costs nothing when nobody records it.
     *
     * @param freeSlots the slots free for a new sample as the wait begins (0 after a failed reserve)
     */
    public static WriterWaitEvent beginWait(SlotBackend backend, int freeSlots) {
        if (!isRecorded()) {
            return null;
        }
        WriterWaitEvent event = new WriterWaitEvent();
        event.freeSlots = freeSlots;
        event.slotCount = backend.slotCount();
        event.begin();
        return event;
    }

    /** For flatdata's modules: ends the wait {@link #beginWait} started and commits it. Call once. */
    public void endWait(SlotBackend backend, boolean slotObtained) {
        end();
        if (shouldCommit()) {
            this.ring = backend.toString();
            this.slotObtained = slotObtained;
            commit();
        }
    }

    /** Whether a running recording enables this event; false, without touching the recorder, before it starts. */
    static boolean isRecorded() {
        if (!FlightRecorder.isInitialized()) {
            return false;
        }
        EventType t = type;
        if (t == null) {
            t = EventType.getEventType(WriterWaitEvent.class);
            type = t;
        }
        return t.isEnabled();
    }
}
