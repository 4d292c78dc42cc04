package io.zerodds.flatdata;

import io.zerodds.flatdata.PosixSegmentFiles.Opened;
import java.io.IOException;

/**
 * What {@link PosixSlotBackend.CreateBuilder#build()} and {@link PosixSlotBackend.OpenBuilder#build()}
 * do with the settings they collected: the geometry a new segment gets, then creating the file
 * (through {@link PosixSegmentFiles}) or opening it, as a reader or, taking over from a dead
 * writer (through {@link PosixCrashRecovery}), as its writer; then the backend over it, its
 * heartbeat started. A refusal is recorded as the JFR event {@code io.zerodds.flatdata.SegmentRefused}
 * ({@link SegmentRefusedEvent}) before it is thrown. What was opened is released again when the
 * backend cannot be made.
 */
final class PosixOpening {
    private PosixOpening() {
    }

    /** {@link PosixSlotBackend.CreateBuilder#build()}: the builder's slot capacity is settled first. */
    static PosixSlotBackend create(PosixSlotBackend.CreateBuilder b) {
        b.slotCapacity = SegmentLayout.defaultCapacity(b.slotCapacity, b.typeSize);
        SegmentLayout.checkGeometry(b.slotCount, b.slotCapacity);
        try {
            return createSegment(b);
        } catch (FlatDataException e) {
            SegmentRefusedEvent.record(b.name, PosixSlotBackend.SHM_DIRECTORY.resolve(b.name), "create", e);
            throw e;
        }
    }

    /** {@link PosixSlotBackend.OpenBuilder#build()}. */
    static PosixSlotBackend open(PosixSlotBackend.OpenBuilder b) {
        try {
            return openSegment(b);
        } catch (FlatDataException e) {
            SegmentRefusedEvent.record(b.name, PosixSlotBackend.SHM_DIRECTORY.resolve(b.name),
                    b.asWriter ? "open as writer" : "open", e);
            throw e;
        }
    }

    private static PosixSlotBackend createSegment(PosixSlotBackend.CreateBuilder b) {
        Opened o = PosixSegmentFiles.create(b);
        try {
            PosixSlotBackend backend = new PosixSlotBackend(o, true, true, b.keepOnClose, b.flink);
            if (b.wakeOnEveryChange) {
                backend.extended.wakeOnEveryChange(); // before any other thread sees the ring
            }
            backend.startHeartbeat();
            return backend;
        } catch (InternalError e) {
            throw PosixSegmentFiles.formatFault(o.path(), e);
        }
    }

    private static PosixSlotBackend openSegment(PosixSlotBackend.OpenBuilder b) {
        Opened o = PosixSegmentFiles.openExisting(b.name, b.typeHash, b.typeText, b.allowForeignOwner);
        boolean done = false;
        try {
            PosixSlotBackend backend;
            if (b.asWriter) {
                PosixCrashRecovery.Takeover takeover = PosixCrashRecovery.takeOverWriter(o);
                o = takeover.opened();
                backend = new PosixSlotBackend(o, true, true, b.keepOnClose, null);
                int loans = backend.extended.reclaimAllLoans(); // the dead writer's loans
                backend.reclaimedLoans = loans;
                takeover.record(backend, loans);
            } else {
                backend = new PosixSlotBackend(o, false, false, true, null);
            }
            backend.startHeartbeat();
            done = true;
            return backend;
        } catch (IOException e) {
            throw new SegmentAccessException("cannot take over segment " + o.path() + ": " + e, e);
        } catch (InternalError e) {
            throw new SegmentFormatException("segment " + o.path() + " was truncated while it was being opened", e);
        } finally {
            if (!done) {
                o.release();
            }
        }
    }
}
