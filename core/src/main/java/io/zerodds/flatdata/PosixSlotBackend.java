package io.zerodds.flatdata;

import static io.zerodds.flatdata.ReaderEntryDescriptor.*;
import static io.zerodds.flatdata.SegmentLayout.*;

import io.zerodds.flatdata.PosixSegmentFiles.Geometry;
import io.zerodds.flatdata.PosixSegmentFiles.Opened;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A slot ring in a POSIX shared-memory object under {@code /dev/shm}: one writer process and up to
 * 32 reader processes on one host exchange samples in place, without a copy and without a broker.
 *
 * <pre>{@code
 * // writer process: creates /dev/shm/prices (mode 0600), unlinks it on close
 * try (PosixSlotBackend ring = PosixSlotBackend.create("prices").slotCount(256).slotCapacity(64).build();
 *      FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(1))) {
 *     while (ring.activeReaders() == 0) Thread.sleep(10);   // a sample reaches the readers attached before it
 *     writer.write("hello".getBytes(StandardCharsets.UTF_8));
 *     writer.endStream();                                   // readers take what was written, then stop
 * }
 *
 * // reader process
 * try (PosixSlotBackend ring = PosixSlotBackend.open("prices").build();
 *      FlatReader reader = FlatReader.attach(ring)) {
 *     while (true) {
 *         try (Sample s = reader.take(Duration.ofSeconds(5))) { // futex wait; null at the end (or timeout)
 *             if (s == null) break;
 *             System.out.println(s.sequence() + ": " + s.size() + " bytes");
 *         }
 *     }
 * }
 * }</pre>
 *
 * <h2>Roles</h2>
 * {@link #create(String)} makes the calling process the segment's <em>owner</em> and its only
 * writer; {@link #open(String)} attaches a reader process, which may not call the writer methods
 * ({@link IllegalStateException}). {@link OpenBuilder#asWriter()} opens an existing segment as its
 * writer after the previous writer died: loans it held are reclaimed, committed samples stay. A
 * plain ZeroDDS reference segment opens as a read-only consumer without a registry (readers attach
 * with the index discovery assigned, {@link #attachReader(int)}; see {@link #isReferenceSegment()}).
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Layout</b>: {@link SegmentLayout}, the public ring descriptor (with
 *       {@link SlotDescriptor}, {@link ReaderEntryDescriptor}, {@link WaiterEntryDescriptor} for what
 *       a slot, a reader entry and a waiter entry hold), byte-compatible with the reference plus an
 *       extension region.</li>
 *   <li><b>Validated before trusted</b>: magic, layout version, geometry, file size and a CRC32C of
 *       the creation-time fields are checked with plain file I/O before mapping
 *       ({@link SegmentFormatException}, {@link TypeMismatchException}).</li>
 *   <li><b>Secure</b>: mode 0600 ({@link CreateBuilder#groupAccess()}: 0660), set before the name is
 *       published; no symbolic link followed; another uid's segment refused unless
 *       {@link OpenBuilder#allowForeignOwner()}; a name is one path component.</li>
 *   <li><b>Event-driven</b>: {@link #waitForChange(long, long)} blocks in a process-shared
 *       {@code FUTEX_WAIT}; a change makes a system call only while someone waits
 *       ({@link CreateBuilder#wakeOnEveryChange()} for reference consumers). A blocked thread wakes
 *       every 250 ms to honour {@link Thread#interrupt()}; the wait pins a virtual thread's carrier.</li>
 *   <li><b>Crash recovery</b>: a dead writer (its {@code flock} released by the kernel; pid gone,
 *       reused or a zombie) is taken over by {@link OpenBuilder#asWriter()} or replaced by
 *       {@link #create(String)}; a live one never is ({@link SegmentAccessException}). A reader whose
 *       process died, or whose heartbeat stood still for a lease ({@link CreateBuilder#leaseTimeout},
 *       default 5 s), is disconnected when it holds the writer back.</li>
 *   <li><b>Faults</b>: a file truncated while mapped is a {@link SegmentFormatException}, never a
 *       JVM crash; the backend is closed for this process afterwards.</li>
 *   <li><b>Close</b>: readers attached through this instance are detached, the mapping released, the
 *       writer's lock dropped; the owner unlinks the object (unless {@link CreateBuilder#keepOnClose()}).
 *       Any call afterwards throws {@link BackendClosedException}.</li>
 * </ul>
 * docs/posix.md has the details. Where each protocol lives (package-private): file names,
 * validation, CRC and creation in {@code PosixSegmentFiles}; what the builders' {@code build()}
 * does with their settings (geometry, create or open, takeover, refusal events) in
 * {@code PosixOpening}; every kind of death in {@code PosixCrashRecovery}; waiting in
 * {@code PosixFutexWait}; heartbeats in {@code PosixLeaseThread}; the ring in {@code PosixRing}
 * over {@code SegmentSlotBackend}; the faults of the mapping ({@link InternalError} from a
 * SIGBUS, {@link IllegalStateException} of a closed mapping), turned into this library's
 * exceptions by one delegating method per {@link SlotBackend} call, in {@code PosixFaultBoundary},
 * which this class extends. This class is the public face: fields, factories, builders, the calls
 * with POSIX work of their own (attach and detach with the lease thread and crash recovery, the
 * futex wait), and the lifecycle.
 */
public final class PosixSlotBackend extends PosixFaultBoundary {

    /** Where POSIX shared-memory objects live on Linux. */
    public static final Path SHM_DIRECTORY = Path.of("/dev/shm");
    /** Default reader lease. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(5);

    private final String name;
    private final SegmentMapping mapping;
    private final SlotBackend ring;
    /** The ring of an extended segment, else null. */
    final PosixRing extended;
    /** The ring of a plain reference segment, else null. */
    private final ReferenceRing reference;
    private final boolean owner;
    private final boolean keepOnClose;
    private final Path flink;
    private final int lockFd;
    private final Object fileKey;
    private final int leaseMillis;
    private final PosixFutexWait futex;
    /** Null on a plain reference segment, which has no registry to recover. */
    final PosixCrashRecovery recovery;
    private final PosixLeaseThread lease;
    /** Loans of a dead writer this writer reclaimed when it took over (set once, by PosixOpening). */
    int reclaimedLoans;

    /** Guards open and close against the lease thread. */
    final Object lifecycle = new Object();
    private boolean unlinked;

    PosixSlotBackend(Opened o, boolean owner, boolean writer, boolean keepOnClose, Path flink) {
        super(o, writer);
        Geometry g = o.geometry();
        this.name = o.name();
        this.mapping = o.mapping();
        this.owner = owner;
        this.keepOnClose = keepOnClose;
        this.flink = flink;
        this.lockFd = o.lockFd();
        this.fileKey = o.fileKey();
        this.leaseMillis = g.leaseMillis();
        this.futex = new PosixFutexWait(segment);
        this.lease = new PosixLeaseThread(this);
        if (g.reference()) {
            this.extended = null;
            this.recovery = null;
            this.reference = new ReferenceRing(this, futex, segment, g.slotCount(), g.slotTotalSize());
            this.ring = reference;
        } else {
            this.extended = new PosixRing(this, futex, mapping, g.slotCount(), g.capacity());
            this.recovery = new PosixCrashRecovery(extended, segment, leaseMillis);
            this.reference = null;
            this.ring = extended;
        }
    }

    // ================================================================== factories

    /** Creates {@code /dev/shm/NAME} as its owner and writer. Configure, then {@link CreateBuilder#build()}. */
    public static CreateBuilder create(String name) {
        return new CreateBuilder(PosixSegmentFiles.checkName(name));
    }

    /** Opens the existing {@code /dev/shm/NAME} as a reader (or, with {@code asWriter()}, as its new writer). */
    public static OpenBuilder open(String name) {
        return new OpenBuilder(PosixSegmentFiles.checkName(name));
    }

    /**
     * Opens the segment named by a flink file, as the reference does: the file holds the object
     * name ({@code /shmem_<HEX>}, no newline).
     */
    public static OpenBuilder openFlink(Path flinkFile) {
        return new OpenBuilder(PosixSegmentFiles.readFlink(flinkFile));
    }

    @Override
    SlotBackend ring() {
        return ring;
    }

    /** Starts the lease thread: heartbeats, file-size checks, the dead-waiter sweep. */
    void startHeartbeat() {
        synchronized (lifecycle) {
            lease.start(reference != null ? DEFAULT_LEASE.toMillis() : leaseMillis);
        }
    }

    // ================================================================== internals for tests

    /** What reserveSlot runs when readers in {@code missing} hold a slot back: disconnects the dead and stale ones. */
    boolean reclaimStalledReaders(int missing) {
        return recovery != null && recovery.reclaimStalledReaders(missing);
    }

    /** The extended ring itself, without this class's checks (tests); null on a plain reference segment. */
    PosixRing extendedRing() {
        return extended;
    }

    /** The shared waiting mask (tests); 0 on a plain reference segment. */
    long waitingMask() {
        return extended == null ? 0 : extended.waitingMask();
    }

    /** The shared count of waiters without a waiter entry (tests); 0 on a plain reference segment. */
    int anonymousWaiters() {
        return extended == null ? 0 : extended.anonymousWaiters();
    }

    /** FUTEX_WAKE system calls made by this instance (tests: no call while nobody waits). */
    long wakeCalls() {
        return futex.wakeCalls();
    }

    /**
     * {@code FUTEX_WAIT} system calls this instance made: how often a thread blocked in the kernel
     * on the notify word (also on a plain reference segment, whose writer wakes it).
     */
    public long futexWaits() {
        return futex.waitCalls();
    }

    // ================================================================== SlotBackend: registry, with lease and recovery

    @Override
    public void markReaderDisconnected(int reader) {
        try {
            probe();
            // another party's reader (not our own, closing itself): an eviction, for the JFR event
            int evicted = extended != null && reader >= 0 && reader < MAX_READERS && !lease.keeps(reader)
                    && isConnected(extended.readerState(reader))
                    ? readerPidAcquire(segment, extended.readerEntry(reader)) : -1;
            ring.markReaderDisconnected(reader);
            if (evicted >= 0) {
                ReaderEvictedEvent.record(this, reader, evicted, ReaderEvictedEvent.DISCONNECTED_BY_CALL);
            }
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    private static boolean isConnected(int readerState) {
        return readerState == READER_ATTACHED || readerState == READER_CLAIMED;
    }

    /** {@inheritDoc} A reader attached here is kept alive by this process's lease thread until detached. */
    @Override
    public int attachReader() {
        try {
            probe();
            int r;
            try {
                r = ring.attachReader();
            } catch (ReaderLimitException full) {
                if (!freeDeadReaders()) {
                    throw full;
                }
                r = ring.attachReader();
            }
            return attachedLocally(r);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    @Override
    public int attachReader(int reader) {
        try {
            probe();
            int r;
            try {
                r = ring.attachReader(reader);
            } catch (ReaderLimitException taken) {
                if (!freeDeadReaders()) {
                    throw taken;
                }
                r = ring.attachReader(reader);
            }
            return attachedLocally(r);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    private int attachedLocally(int r) {
        lease.keepAlive(r, extended == null ? 0
                : readerEpochAcquire(segment, extended.readerEntry(r)));
        return r;
    }

    /** Frees registry entries whose process is gone; true when one was freed. */
    private boolean freeDeadReaders() {
        return recovery != null && recovery.freeDeadReaders();
    }

    @Override
    public void detachReader(int reader) {
        try {
            probe();
            ring.detachReader(reader);
            lease.forget(reader);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    // ================================================================== notify, wait

    @Override
    public void wakeAll() {
        try {
            ring.wakeAll();
        } catch (IllegalStateException | InternalError e) {
            if (closed) {
                return; // raced the close, which woke everyone: a no-op, as once closed
            }
            throw translate(e);
        }
    }

    @Override
    public boolean waitForChange(long last, long timeoutNanos) {
        try {
            return ring.waitForChange(last, timeoutNanos);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    // ================================================================== POSIX specifics

    /** The object name, without the leading {@code /}. */
    public String name() {
        return name;
    }

    /** The file under {@code /dev/shm}. */
    public Path path() {
        return path;
    }

    /** True when the segment has no extension region: a read-only consumer of a reference writer's ring. */
    public boolean isReferenceSegment() {
        return reference != null;
    }

    /** True for the creator, or for a writer that took the segment over. */
    public boolean isWriter() {
        return writer;
    }

    /** Loans of a dead writer reclaimed when this writer took the segment over (0 otherwise). */
    public int reclaimedLoans() {
        return reclaimedLoans;
    }

    /** The reader lease in milliseconds, as recorded in the segment. */
    public long leaseMillis() {
        return leaseMillis;
    }

    // ================================================================== lifecycle

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        release(owner && !keepOnClose);
    }

    @Override
    void release(boolean unlink) {
        synchronized (lifecycle) {
            if (!closed) {
                closed = true;
                futex.markClosed();
                lease.stop();
                boolean mapped = fault == null;
                if (mapped) {
                    try {
                        probe();
                    } catch (IllegalStateException | InternalError unusable) {
                        mapped = false; // release it anyway
                    }
                }
                // No sample or claim handed out survives the detach: a thread still reading a
                // sample it took would otherwise see the writer reuse the slot once our readers are
                // gone. From here on the ring is reached through the mapping's own addresses.
                mapping.closeViews();
                if (mapped) {
                    try {
                        for (int bits = lease.forgetAll(); bits != 0; bits &= bits - 1) {
                            ring.detachReader(Integer.numberOfTrailingZeros(bits));
                        }
                        if (writer && extended != null) {
                            putWriterStateRelease(SegmentSlotBackend.MEMORY, segment.address() + extended.ext,
                                    WRITER_NONE);
                        }
                    } catch (IllegalStateException | InternalError ignored) {
                        // the mapping is unusable; release it anyway
                    }
                }
                try {
                    if (extended != null) {
                        extended.markClosed();
                    } else {
                        reference.markClosed();
                    }
                } catch (IllegalStateException | InternalError ignored) {
                    // waiters are released by their time slice
                }
                // threads of this process blocked in FUTEX_WAIT leave before the mapping goes away
                futex.drainWaiters();
                mapping.close();
                PosixLibc.close(lockFd);
                PosixSegmentFiles.closeQuietly(channel);
            }
            if (unlink && !unlinked) {
                unlinked = true;
                try {
                    // only our own object: a segment that replaced ours under the same name stays
                    if (fileKey.equals(PosixSegmentFiles.checkFile(path, true))) {
                        Files.deleteIfExists(path);
                    }
                    if (flink != null) {
                        Files.deleteIfExists(flink);
                    }
                } catch (IOException ignored) {
                    // already gone
                }
            }
        }
    }

    @Override
    public String toString() {
        return description;
    }

    // ================================================================== builders

    /** Settings of a new segment. */
    public static final class CreateBuilder {
        final String name;
        int slotCount = 16;
        int slotCapacity = -1;
        byte[] typeHash;
        long typeSize;
        long initialSequence;
        int leaseMillis = (int) DEFAULT_LEASE.toMillis();
        boolean groupAccess;
        boolean keepOnClose;
        Path flink;
        boolean wakeOnEveryChange;

        private CreateBuilder(String name) {
            this.name = name;
        }

        /** Number of slots, 1..2^20 (default 16). */
        public CreateBuilder slotCount(int slotCount) {
            SegmentLayout.checkSlotCount(slotCount);
            this.slotCount = slotCount;
            return this;
        }

        /** Payload bytes per slot (default: the type's size with {@link #type}, else 256). */
        public CreateBuilder slotCapacity(int slotCapacity) {
            SegmentLayout.checkCapacity(slotCapacity);
            this.slotCapacity = slotCapacity;
            return this;
        }

        /** Carries the type hash of {@code type}; without an explicit capacity, slots hold exactly one sample of it. */
        public CreateBuilder type(FlatType<?> type) {
            this.typeHash = type.typeHash();
            this.typeSize = type.byteSize();
            return this;
        }

        /** A raw 16-byte type hash (null: untyped). */
        public CreateBuilder typeHash(byte[] hash) {
            SegmentLayout.checkTypeHash(hash);
            this.typeHash = hash == null ? null : hash.clone();
            return this;
        }

        /** The first sequence number (default 0). */
        public CreateBuilder initialSequence(long initialSequence) {
            if (initialSequence < 0) {
                throw new IllegalArgumentException("initialSequence=" + initialSequence + " must be >= 0");
            }
            this.initialSequence = initialSequence;
            return this;
        }

        /** How long a reader may miss heartbeats before the writer disconnects it (default 5 s). */
        public CreateBuilder leaseTimeout(Duration lease) {
            long ms = lease.toMillis();
            if (ms < 1 || ms > PosixSegmentFiles.MAX_LEASE_MILLIS) {
                throw new IllegalArgumentException("lease=" + lease + " outside [1 ms, 1 h]");
            }
            this.leaseMillis = (int) ms;
            return this;
        }

        /** Mode 0660 instead of 0600: processes of the owner's group may open the segment. */
        public CreateBuilder groupAccess() {
            this.groupAccess = true;
            return this;
        }

        /** Leave the object in {@code /dev/shm} on close (a later writer can take it over). */
        public CreateBuilder keepOnClose() {
            this.keepOnClose = true;
            return this;
        }

        /** Also write a reference-style flink file holding {@code /NAME}; deleted with the segment. */
        public CreateBuilder flink(Path flinkFile) {
            this.flink = Objects.requireNonNull(flinkFile, "flinkFile");
            return this;
        }

        /**
         * Wake the notify word's futex on every change, as the reference writer does, not only when
         * a waiter is marked in the segment: for readers that park on the word without marking
         * themselves (the reference crate's consumers). Costs a system call per commit and free.
         */
        public CreateBuilder wakeOnEveryChange() {
            this.wakeOnEveryChange = true;
            return this;
        }

        /**
         * Creates the segment. An existing segment whose writer is dead is replaced by a fresh one.
         *
         * @throws SegmentAccessException when a segment of that name exists and its writer is
         *                                alive, or it belongs to another user
         */
        public PosixSlotBackend build() {
            return PosixOpening.create(this);
        }
    }

    /** Settings for opening an existing segment. */
    public static final class OpenBuilder {
        final String name;
        byte[] typeHash;
        String typeText;
        boolean allowForeignOwner;
        boolean asWriter;
        boolean keepOnClose;

        private OpenBuilder(String name) {
            this.name = name;
        }

        /** Refuse the segment unless it carries {@code type}'s hash ({@link TypeMismatchException}). */
        public OpenBuilder type(FlatType<?> type) {
            this.typeHash = type.typeHash();
            this.typeText = type.canonicalText();
            return this;
        }

        /** Refuse the segment unless it carries this 16-byte hash. */
        public OpenBuilder typeHash(byte[] hash) {
            SegmentLayout.checkTypeHash(hash);
            this.typeHash = hash == null ? null : hash.clone();
            this.typeText = null;
            return this;
        }

        /** Accept a segment owned by another uid (by default refused). */
        public OpenBuilder allowForeignOwner() {
            this.allowForeignOwner = true;
            return this;
        }

        /**
         * Open as the segment's writer, taking over from a dead one: its loans are reclaimed,
         * everything it committed stays deliverable, sequence numbers continue. Refused while the
         * previous writer is alive. The new writer owns the segment: it unlinks it on close, as
         * its creator would, unless {@link #keepOnClose()}.
         */
        public OpenBuilder asWriter() {
            this.asWriter = true;
            return this;
        }

        /** With {@link #asWriter()}: leave the object in {@code /dev/shm} on close (readers ignore it). */
        public OpenBuilder keepOnClose() {
            this.keepOnClose = true;
            return this;
        }

        /**
         * Opens and validates the segment.
         *
         * @throws SegmentAccessException when it does not exist, is not ours, or cannot be opened
         * @throws SegmentFormatException when its contents are not a valid segment
         * @throws TypeMismatchException  when it carries another type hash than requested
         */
        public PosixSlotBackend build() {
            return PosixOpening.open(this);
        }
    }
}
