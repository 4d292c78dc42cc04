package io.zerodds.flatdata;

import static io.zerodds.flatdata.ReaderEntryDescriptor.*;
import static io.zerodds.flatdata.SegmentLayout.*;
import static io.zerodds.flatdata.SlotDescriptor.*;

import io.zerodds.flatdata.PosixSegmentFiles.Geometry;
import io.zerodds.flatdata.PosixSegmentFiles.Opened;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How a POSIX segment survives the death of any process that uses it. Every owner of a claim in
 * the segment is recorded as a pid plus the process start time ({@link ProcessIdentity}), so a
 * pid the kernel gave to a new process is not mistaken for the dead owner; a zombie counts as
 * dead, as it has released its locks and mappings and will never write again.
 *
 * <table>
 *   <caption>Deaths and what survives them</caption>
 *   <tr><th>Death</th><th>What it leaves</th><th>Survived by</th></tr>
 *   <tr><td>writer killed, also in the middle of a loan</td>
 *       <td>its {@code flock} is released by the kernel; loaned slots, maybe a published sample
 *           the next sequence does not count yet</td>
 *       <td>{@link #takeOverWriter} ({@code open(name).asWriter()}) with {@link #repairNextSequence},
 *           then {@code SlotWriter.reclaimAllLoans}; {@link #lockAbandoned} lets {@code create(name)}
 *           replace the segment instead</td></tr>
 *   <tr><td>creator killed before publishing</td>
 *       <td>a temporary {@code .flatdata-<pid>-...} file in {@code /dev/shm}</td>
 *       <td>{@link #sweepTemporaries}, at every create</td></tr>
 *   <tr><td>reader killed</td>
 *       <td>a registry entry that holds back every slot it has not read</td>
 *       <td>{@link #reclaimStalledReaders} (the writer, when a slot is held back) disconnects it and
 *           frees its index; {@link #freeDeadReaders} when an attach finds the registry full</td></tr>
 *   <tr><td>reader stopped ({@code SIGSTOP}) or hung</td>
 *       <td>a live process whose heartbeat stands still</td>
 *       <td>{@link #reclaimStalledReaders} disconnects it once its heartbeat has not moved for a
 *           whole lease, timed by {@link ReaderWatch} on the writer's monotonic clock; its index
 *           stays taken until it detaches</td></tr>
 *   <tr><td>disconnector killed while disconnecting a reader</td>
 *       <td>an entry left in state disconnecting</td>
 *       <td>{@link #reclaimStalledReaders} finishes the disconnect</td></tr>
 *   <tr><td>waiter killed in a futex wait</td>
 *       <td>its bit in the waiting mask: every commit would make a useless wake-up system call</td>
 *       <td>{@link #sweepDeadWaiters}, on the lease thread about once a second (a waiter that found
 *           the waiter table full is only counted, and a count cannot be repaired)</td></tr>
 *   <tr><td>dead owner's pid reused by a new process</td>
 *       <td>an entry whose pid is alive</td>
 *       <td>the recorded start time differs ({@link ProcessIdentity#isAlive}); an entry with our
 *           own pid but another start time is a dead predecessor's ({@link ProcessIdentity#isCurrent})</td></tr>
 *   <tr><td>any of these processes a zombie (exited, not yet reaped by its parent)</td>
 *       <td>a pid that still exists</td>
 *       <td>counts as dead everywhere above: {@link ProcessIdentity#isAlive} reads its state
 *           ({@link ProcessIdentity#isDeadState})</td></tr>
 * </table>
 *
 * <p>The static methods run while a segment is created or opened; an instance belongs to one
 * backend of an extended segment and runs on its writer's reserve path and its lease thread.
 *
 * <p>A takeover is the JFR event {@code io.zerodds.flatdata.WriterTakeover}, every reader
 * disconnected here {@code io.zerodds.flatdata.ReaderEvicted} (its cause: {@code process dead},
 * {@code heartbeat stale}, {@code process dead at attach}); both disabled by default.
 */
final class PosixCrashRecovery {

    /** How long a liveness answer about one reader's process is reused. */
    private static final long PID_CHECK_INTERVAL_MILLIS = 50;
    /** How often the lease thread looks for waiter entries of dead processes (at most every tick). */
    private static final long WAITER_CHECK_INTERVAL_MILLIS = 1_000;

    private final PosixRing ring;
    private final MemorySegment segment;
    private final int leaseMillis;
    private final ReaderWatch[] watches = new ReaderWatch[MAX_READERS];
    /** Lease thread only: when it last looked for dead waiters. */
    private long waitersCheckedAt;

    PosixCrashRecovery(PosixRing ring, MemorySegment segment, int leaseMillis) {
        this.ring = ring;
        this.segment = segment;
        this.leaseMillis = leaseMillis;
        for (int r = 0; r < MAX_READERS; r++) {
            watches[r] = new ReaderWatch();
        }
    }

    // ================================================================== creator and writer deaths

    /** Deletes our temporary files whose creating process is gone (it died between create and publish). */
    static void sweepTemporaries() {
        try (var files = Files.newDirectoryStream(PosixSlotBackend.SHM_DIRECTORY, PosixSegmentFiles.TEMP_PREFIX + "*")) {
            int ours = PosixLibc.geteuid();
            for (Path p : files) {
                String[] parts = p.getFileName().toString().substring(PosixSegmentFiles.TEMP_PREFIX.length()).split("-");
                try {
                    int pid = Integer.parseInt(parts[0]);
                    if (pid != ProcessIdentity.CURRENT_PID && !ProcessIdentity.isAlive(pid, 0)
                            && (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) == ours) {
                        Files.deleteIfExists(p);
                    }
                } catch (NumberFormatException | IOException ignored) {
                    // not one of ours, or gone already
                }
            }
        } catch (IOException ignored) {
            // best effort
        }
    }


    /**
     * For create over an existing file: returns the lock on it when its owner is dead (the caller
     * replaces it while holding the lock), or throws when it is alive or not ours.
     */
    static int lockAbandoned(Path path) {
        try {
            PosixSegmentFiles.checkFile(path, false);
            int fd = PosixLibc.openAndLock(path.toString());
            if (fd < 0) {
                throw new SegmentAccessException("segment " + path + " already exists and its writer is alive"
                        + " (it holds the segment lock)");
            }
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                Geometry g = PosixSegmentFiles.validate(ch, path, null);
                if (!g.reference() && g.writerState() == WRITER_OPEN && g.writerPid() != ProcessIdentity.CURRENT_PID
                        && ProcessIdentity.isAlive(g.writerPid(), g.writerStart())) {
                    PosixLibc.close(fd);
                    throw new SegmentAccessException("segment " + path + " already exists and its writer pid "
                            + g.writerPid() + " is alive");
                }
            } catch (SegmentFormatException | TypeMismatchException garbage) {
                // a dead creator's leftover that is not even a valid segment: replace it
            }
            return fd;
        } catch (NoSuchFileException gone) {
            return -1;
        } catch (IOException e) {
            throw new SegmentAccessException("cannot inspect existing segment " + path + ": " + e, e);
        }
    }

    /**
     * What {@link #takeOverWriter} did: the segment, now held under the writer lock, and what it
     * found of the previous writer. The caller reclaims the loans, then {@link #record}s it.
     *
     * @param previousWriterDied whether the previous writer was still recorded as open (it died)
     * @param sequenceRepaired   whether {@link #repairNextSequence} had to move the next sequence
     */
    record Takeover(Opened opened, int previousWriterPid, boolean previousWriterDied, boolean sequenceRepaired) {

        /** Records the takeover as a JFR event on {@code backend}, which reclaimed {@code loans}. */
        void record(PosixSlotBackend backend, int loans) {
            long ext = extensionOffset(opened.geometry().slotCount(), opened.geometry().slotTotalSize());
            WriterTakeoverEvent.record(backend, previousWriterPid, previousWriterDied, loans,
                    nextSequenceAcquire(backend.segment, ext), sequenceRepaired);
        }
    }

    /**
     * The writer side of {@code open(name).asWriter()}: takes the writer lock of a segment whose
     * writer is dead, records this process as its writer and repairs the next sequence. The
     * caller then reclaims the dead writer's loans.
     *
     * @return {@code o} held under the writer lock, with what was found of the previous writer
     * @throws SegmentAccessException when the segment is a plain reference segment, or its writer
     *                                is alive
     */
    static Takeover takeOverWriter(Opened o) throws IOException {
        Geometry g = o.geometry();
        Path path = o.path();
        if (g.reference()) {
            throw new SegmentAccessException("segment " + path + " is a plain reference segment: it can be"
                    + " read here, but only its reference writer writes it");
        }
        int lock = PosixLibc.openAndLock(path.toString());
        if (lock < 0) {
            throw new SegmentAccessException("segment " + path + " has a live writer (pid " + g.writerPid()
                    + " holds the segment lock)");
        }
        boolean done = false;
        try {
            if (g.writerState() == WRITER_OPEN && g.writerPid() != ProcessIdentity.CURRENT_PID
                    && ProcessIdentity.isAlive(g.writerPid(), g.writerStart())) {
                throw new SegmentAccessException("segment " + path + ": its writer lock is free, but writer pid "
                        + g.writerPid() + " (started at " + g.writerStart() + " ms, state "
                        + ProcessIdentity.state(g.writerPid()) + ") still exists; refusing to take over from it");
            }
            long ext = extensionOffset(g.slotCount(), g.slotTotalSize());
            MemorySegment s = o.mapping().views;
            PosixSegmentFiles.probeLastPage(s); // before the first compare-and-set
            putWriter(s, ext, ProcessIdentity.CURRENT_PID, ProcessIdentity.CURRENT_START_MILLIS,
                    System.currentTimeMillis());
            putWriterStateRelease(s, ext, WRITER_OPEN);
            boolean repaired = repairNextSequence(s, g);
            done = true;
            return new Takeover(o.withLock(lock), g.writerPid(), g.writerState() == WRITER_OPEN, repaired);
        } finally {
            if (!done) {
                PosixLibc.close(lock);
            }
        }
    }

    /**
     * A writer that died between publishing a slot (its slot word stored with a size) and
     * advancing the next sequence left a committed sample numbered at or past the next sequence;
     * move the next sequence past it, so that the new writer never numbers two samples alike.
     *
     * @return whether the next sequence had to be moved
     */
    static boolean repairNextSequence(MemorySegment s, Geometry g) {
        int slotCount = g.slotCount();
        long ext = extensionOffset(slotCount, g.slotTotalSize());
        long next = nextSequenceAcquire(s, ext);
        long table = ext + sequenceHighTableOffset(slotCount);
        long max = -1;
        for (int slot = 0; slot < slotCount; slot++) {
            long h = slotOffset(slot, g.slotTotalSize());
            if (slotSize(s, h) != 0) {
                max = Math.max(max, sequence(sequenceHigh(s, table, slot), slotSequenceLow(s, h)));
            }
        }
        if (max >= next) {
            putNextSequenceRelease(s, ext, max + 1);
            putNextSnRelease(s, 0, (int) (max + 1));
            return true;
        }
        return false;
    }

    // ================================================================== reader deaths

    /** Writer side, from reserveSlot: disconnects readers in {@code missing} that are dead or past their lease. */
    boolean reclaimStalledReaders(int missing) {
        int active = ring.activeMask();
        long now = System.currentTimeMillis();
        boolean any = false;
        for (int bits = missing & active; bits != 0; bits &= bits - 1) {
            int r = Integer.numberOfTrailingZeros(bits);
            long entry = ring.readerEntry(r);
            int state = ring.readerState(r);
            int pid = readerPidAcquire(segment, entry);
            long start = readerStartTimeAcquire(segment, entry);
            if (state == READER_DISCONNECTING) {
                // being disconnected: wait for it, or finish it for a disconnector that died
                ring.markReaderDisconnected(r);
                any = true;
                continue;
            }
            if (pid == 0 || ProcessIdentity.isCurrent(pid, start) || (state != READER_ATTACHED
                    && state != READER_CLAIMED)) {
                continue; // being attached (no owner yet), or ours: our lease thread keeps ours alive
            }
            long beat = readerHeartbeatAcquire(segment, entry);
            int epoch = readerEpochAcquire(segment, entry);
            ReaderWatch watch = watches[r];
            boolean alive = watch.processAlive(pid, start, now);
            // Stale = the heartbeat did not move for a whole lease, timed on our monotonic clock: a
            // step of the wall clock (which the heartbeat's epoch ms follow) evicts nobody.
            long nanos = System.nanoTime();
            long movedAt = watch.beatMovedAt(beat, epoch, nanos);
            // an entry still attaching is judged by its process only: its heartbeat may be the predecessor's
            boolean stale = state == READER_ATTACHED && nanos - movedAt > leaseMillis * 1_000_000L;
            if (!alive || stale) {
                PosixSegmentFiles.probeLastPage(segment);
                ring.markReaderDisconnected(r);
                if (!alive) {
                    ring.detachReader(r); // nobody will detach it: free the index
                }
                ReaderEvictedEvent.record(ring, r, pid, alive ? ReaderEvictedEvent.HEARTBEAT_STALE
                        : ReaderEvictedEvent.PROCESS_DEAD);
                any = true;
            }
        }
        return any;
    }

    /**
     * From an attach that found the registry full (or the index taken): frees registry entries
     * whose process is gone; true when one was freed.
     */
    boolean freeDeadReaders() {
        boolean any = false;
        for (int r = 0; r < MAX_READERS; r++) {
            int state = ring.readerState(r);
            if (state == READER_FREE) {
                continue;
            }
            long entry = ring.readerEntry(r);
            int pid = readerPidAcquire(segment, entry);
            long start = readerStartTimeAcquire(segment, entry);
            if (pid != 0 && !ProcessIdentity.isCurrent(pid, start) && !ProcessIdentity.isAlive(pid, start)) {
                ring.markReaderDisconnected(r);
                ring.detachReader(r);
                ReaderEvictedEvent.record(ring, r, pid, ReaderEvictedEvent.PROCESS_DEAD_AT_ATTACH);
                any = true;
            }
        }
        return any;
    }


    // ================================================================== waiter deaths

    /**
     * Lease thread, every tick: at most every {@value #WAITER_CHECK_INTERVAL_MILLIS} ms, frees the
     * waiter entries (and clears the waiting bits) of processes killed while they waited.
     */
    void sweepDeadWaiters(long now) {
        if (now - waitersCheckedAt >= WAITER_CHECK_INTERVAL_MILLIS || now < waitersCheckedAt) {
            waitersCheckedAt = now;
            ring.waiters.reclaimDead(ProcessIdentity::isAlive);
        }
    }

    // ================================================================== per reader

    /**
     * What the writer last saw of one reader index: a cached answer whether its process is alive
     * (about one owner, pid plus start time), and its heartbeat and epoch with the monotonic time
     * at which they last moved. One per index, allocated with the recovery; writer thread only.
     */
    static final class ReaderWatch {
        private long pidCheckedAt;
        private int checkedPid;
        private long checkedStart;
        private boolean pidAlive;
        private boolean beatSeen;
        private long seenBeat;
        private int seenEpoch;
        private long beatMovedAt;

        /** Whether the process {@code pid} started at {@code start} is alive, asked at most every 50 ms. */
        boolean processAlive(int pid, long start, long nowMillis) {
            // the cached answer is about one owner: a new owner of the index is checked afresh
            if (nowMillis - pidCheckedAt < PID_CHECK_INTERVAL_MILLIS && checkedPid == pid && checkedStart == start) {
                return pidAlive;
            }
            boolean alive = ProcessIdentity.isAlive(pid, start);
            pidAlive = alive;
            checkedPid = pid;
            checkedStart = start;
            pidCheckedAt = nowMillis;
            return alive;
        }

        /** Records the heartbeat and epoch seen at {@code nanos}; returns when they last changed. */
        long beatMovedAt(long beat, int epoch, long nanos) {
            if (!beatSeen || beat != seenBeat || epoch != seenEpoch) {
                beatSeen = true;
                seenBeat = beat;
                seenEpoch = epoch;
                beatMovedAt = nanos;
            }
            return beatMovedAt;
        }
    }
}
