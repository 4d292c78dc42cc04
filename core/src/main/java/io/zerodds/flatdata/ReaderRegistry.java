package io.zerodds.flatdata;

import static io.zerodds.flatdata.ReaderEntryDescriptor.*;
import static io.zerodds.flatdata.SegmentLayout.*;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;

/**
 * The reader registry of a {@link SegmentSlotBackend}: 32 entries in the extension region (see
 * {@link SegmentLayout}; each entry's fields in {@link ReaderEntryDescriptor}), each free,
 * attaching ({@link ReaderEntryDescriptor#READER_CLAIMED}), attached, disconnecting
 * ({@link ReaderEntryDescriptor#READER_DISCONNECTING}) or disconnected.
 *
 * <h2>Attach</h2>
 * A compare-and-set from free to attaching claims an entry; the owner (start time, heartbeat,
 * then the pid with a release store) and the epoch follow; the reader's bit is cleared on every
 * slot; the start sequence is stored as 0, the reader joins the active mask, the start sequence
 * is fixed at the next sequence; then the entry becomes attached, and only from then on does
 * {@link SegmentSlotBackend#activeReaders()} report it (a writer waiting for it then commits at or
 * after its start).
 *
 * <h2>Disconnect and detach</h2>
 * One party at a time: it wins the disconnecting state with a compare-and-set and names itself
 * in the disconnector word, leaves the active mask and sets the reader's bit on every slot, then
 * moves the entry to disconnected or, for a detach, to free. Others wait, and take over from a
 * party whose process died or that took longer than a lease.
 *
 * <p>The ring's hot path reads the registry (a reader's state, its start sequence, the active
 * mask) through the descriptors' accessors itself: this class holds only the transitions.
 */
final class ReaderRegistry {
    /** How long a disconnect by a live party may take before others finish it, when no lease is set. */
    private static final long DISCONNECT_PATIENCE_MILLIS = 5_000;

    /** This process as a disconnector. */
    private static final long SELF = disconnector(ProcessIdentity.CURRENT_PID, ProcessIdentity.CURRENT_START_MILLIS);

    private static final MemorySegment MEMORY = SegmentSlotBackend.MEMORY;

    private final SegmentSlotBackend ring;
    /** Address of the ring's extension region. */
    private final long extAt;

    ReaderRegistry(SegmentSlotBackend ring) {
        this.ring = ring;
        this.extAt = ring.base + ring.ext;
    }

    /** The address of reader entry {@code reader}. */
    private long entry(int reader) {
        return readerEntryOffset(extAt, reader);
    }

    // ------------------------------------------------------------------ attach

    /** Attaches at the first free index. */
    int attach() {
        for (int reader = 0; reader < MAX_READERS; reader++) {
            if (tryClaim(reader)) {
                return completeAttach(reader);
            }
        }
        throw new ReaderLimitException("all " + MAX_READERS + " reader indexes of " + ring
                + " are in use (active mask=0x" + Integer.toHexString(ring.activeMask()) + ")");
    }

    /** Attaches at {@code reader} (a checked index). */
    int attach(int reader) {
        if (!tryClaim(reader)) {
            throw new ReaderLimitException("reader index=" + reader + " of " + ring + " is in use (state="
                    + stateName(ring.readerState(reader)) + ")");
        }
        return completeAttach(reader);
    }

    private boolean tryClaim(int reader) {
        return casReaderState(MEMORY, entry(reader), READER_FREE, READER_CLAIMED);
    }

    private int completeAttach(int reader) {
        long entry = entry(reader);
        // the pid publishes the owner (its release store after the start time): a process that
        // reads our pid reads our start time too, never the predecessor's (a freed entry has pid 0)
        putReaderStartTime(MEMORY, entry, ProcessIdentity.CURRENT_START_MILLIS);
        putReaderHeartbeat(MEMORY, entry, System.currentTimeMillis());
        putReaderPidRelease(MEMORY, entry, ProcessIdentity.CURRENT_PID);
        incrementReaderEpoch(MEMORY, entry);
        // Our bit may still be set on a sample we are about to want: a predecessor's disconnect
        // sets it on every slot, also on one whose commit cleared the mask just before and
        // publishes its sequence only after our start is fixed. Clear it everywhere while the
        // writer still ignores us (the predecessor's disconnect finished before the index was
        // freed): a cleared bit on a sample before our start costs the writer one sequence check.
        int bit = 1 << reader;
        ring.clearBitOnEverySlot(bit);
        // Start sequence 0 protects every slot while we join; then join the active set; then
        // fix the start at the next sequence. A slot the writer checks after it saw us active is
        // protected either way, so no sample at or after our start can be recycled unread.
        putReaderStartSequenceVolatile(MEMORY, entry, 0L);
        orActiveMask(MEMORY, extAt, bit);
        long start = nextSequenceVolatile(MEMORY, extAt);
        putReaderStartSequenceVolatile(MEMORY, entry, start);
        ring.forgetHint(reader);
        putReaderStateVolatile(MEMORY, entry, READER_ATTACHED);
        ring.signalChange();
        return reader;
    }

    // ------------------------------------------------------------------ disconnect, detach

    /**
     * Disconnects {@code reader} as the only party doing so: wins {@link ReaderEntryDescriptor#READER_DISCONNECTING}
     * with a compare-and-set, names itself in the disconnector word, sets the reader's bit on
     * every slot, then moves the entry to disconnected or, for a detach, to free. Before, an
     * evictor preempted between marking the entry and clearing its bits could resume after the
     * reader had detached and attached again, and clear the new reader's bits.
     *
     * @param free whether to free the entry (a detach): then a disconnected entry is disconnected
     *             again (idempotent, and nobody else may free it meanwhile) and freed
     */
    void takeDisconnect(int reader, boolean free) {
        long entry = entry(reader);
        while (true) {
            int state = ring.readerState(reader);
            if (state == READER_FREE || (state == READER_DISCONNECTED && !free)) {
                return; // nobody's, or disconnected already
            }
            if (state == READER_DISCONNECTING) {
                awaitDisconnect(reader);
                continue;
            }
            if (!casReaderState(MEMORY, entry, state, READER_DISCONNECTING)) {
                continue;
            }
            putReaderDisconnectorRelease(MEMORY, entry, SELF);
            try {
                disconnect(reader);
            } catch (RuntimeException | Error e) {
                endDisconnect(entry);
                throw e;
            }
            if (!free) {
                endDisconnect(entry);
                return;
            }
            putReaderDisconnectorRelease(MEMORY, entry, 0L);
            putReaderPidRelease(MEMORY, entry, 0);
            if (casReaderState(MEMORY, entry, READER_DISCONNECTING, READER_FREE)) {
                return;
            }
            // a party that judged us stuck finished our disconnect: free it again from there
        }
    }

    /** Disconnecting to disconnected, unless a party that took over moved the entry on already. */
    private static void endDisconnect(long entry) {
        casReaderState(MEMORY, entry, READER_DISCONNECTING, READER_DISCONNECTED);
    }

    /**
     * Waits while another party disconnects {@code reader}. When that party's process is gone, or
     * it has not finished within a lease, takes the disconnector word over (a compare-and-set, so
     * one party does) and finishes the disconnect itself: nobody can free the entry meanwhile.
     */
    private void awaitDisconnect(int reader) {
        long entry = entry(reader);
        int leaseMillis = leaseMillisAcquire(MEMORY, extAt);
        long patience = (leaseMillis > 0 ? leaseMillis : DISCONNECT_PATIENCE_MILLIS) * 1_000_000L;
        long since = System.nanoTime();
        long seen = readerDisconnectorAcquire(MEMORY, entry);
        while (ring.readerState(reader) == READER_DISCONNECTING) {
            long who = readerDisconnectorAcquire(MEMORY, entry);
            if (who != seen) {
                seen = who; // a new party took over: give it a whole patience too
                since = System.nanoTime();
            }
            int pid = disconnectorPid(who);
            long startMillis = disconnectorStartMillis(who);
            boolean gone = pid != 0 && who != SELF && !ProcessIdentity.isAlive(pid, startMillis);
            if ((gone || System.nanoTime() - since > patience)
                    && casReaderDisconnector(MEMORY, entry, who, SELF)) {
                disconnect(reader);
                endDisconnect(entry);
                ReaderEvictedEvent.record(ring, reader, readerPidAcquire(MEMORY, entry),
                        gone ? ReaderEvictedEvent.DISCONNECTOR_DEAD : ReaderEvictedEvent.DISCONNECT_OVERDUE);
                return;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reader " + reader + " of " + ring
                        + " was being disconnected", e);
            }
            // the loop reads the ring at its address after a safepoint: its mapping must still be reachable
            Reference.reachabilityFence(ring);
        }
    }

    private void disconnect(int reader) {
        int bit = 1 << reader;
        clearActiveMask(MEMORY, extAt, bit);
        ring.setBitOnEverySlot(bit);
        ring.signalChange();
    }

    static String stateName(int state) {
        return switch (state) {
            case READER_FREE -> "free";
            case READER_ATTACHED -> "attached";
            case READER_DISCONNECTED -> "disconnected";
            case READER_CLAIMED -> "attaching";
            case READER_DISCONNECTING -> "disconnecting";
            default -> "unknown(" + state + ")";
        };
    }
}
