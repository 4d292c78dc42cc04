package io.zerodds.flatdata.iceoryx2;

import io.zerodds.flatdata.BackendClosedException;
import io.zerodds.flatdata.FlatType;
import io.zerodds.flatdata.RingCounters;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.SlotSample;
import io.zerodds.flatdata.TypeMismatchException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link SlotBackend} over iceoryx2: a publish-subscribe service of byte slices with a 16-byte
 * header ({@code u64 sequence, u32 length, u32 flags}, type name {@code FlatdataHeader}) and an
 * event service of the same name, so that {@code FlatWriter}, {@code FlatReader} and the reactive
 * reader and writer run unchanged over iceoryx2 and talk to iceoryx2 programs in any language.
 *
 * <pre>{@code
 * try (Iceoryx2SlotBackend ring = Iceoryx2SlotBackend.openOrCreate("sensors/imu")
 *         .slotCount(64).slotCapacity(1024).build()) {
 *     Flux<SampleView> samples = ReactiveFlatReader.attach(ring).flux();
 *     ...
 * }
 * }</pre>
 *
 * <h2>How the contract maps</h2>
 * <ul>
 *   <li><b>Writer</b>: the first reserve creates this process's iceoryx2 publisher (one per
 *       service: a second writer anywhere is refused with {@link Iceoryx2Exception.Reason#LIMIT}).
 *       Its data segment holds exactly {@code slotCount} chunks, so a ring is full when every
 *       chunk is loaned or held by a reader in some process: {@link #reserveSlot(int)} then
 *       returns {@link #NO_FREE_SLOT}. Loans are iceoryx2 loans, written in place; commit sends
 *       the sample and an event. The reader mask argument is ignored: iceoryx2 itself holds a
 *       chunk until every connected subscriber dropped it. A loan never takes a chunk a reader
 *       holds, so {@link #reservesAheadFreely()} is true and a {@code FlatWriter} loans ahead.</li>
 *   <li><b>Readers</b>: this process's readers share one iceoryx2 subscriber, created at the first
 *       attach and dropped at the last detach. Received samples sit in a table of
 *       {@code slotCount} slots, viewed in place through read-only segments, until every reader
 *       that was attached when the sample arrived marked it read; then the chunk is dropped and
 *       returns to the writer. The registry (indexes 0..31, {@link #attachReader(int)},
 *       disconnect) is per process: iceoryx2 has no registry across processes, and a reader in
 *       another process is simply another subscriber.</li>
 *   <li><b>Slot indexes and sequences</b>: the writer's slots (its loans) and the readers' slots
 *       (received samples) are two tables. A reader's sequence numbers count the samples this
 *       process received, gap-free from the initial sequence; in one process they equal the
 *       writer's. {@link #writerSequence(int)} gives the number the writer stamped.</li>
 *   <li><b>Waiting</b>: {@link #waitForChange(long, long)} blocks in the event service's listener;
 *       every commit, free (while a writer could be waiting for it), wake-up and end of stream is
 *       an event. While waiting, dead nodes are cleaned up every {@code deadNodeCheck} (default
 *       500 ms), which returns the chunks a killed reader held and frees the publisher place a
 *       killed writer held.</li>
 * </ul>
 */
public final class Iceoryx2SlotBackend implements SlotBackend {

    /** How often a waiting thread removes dead nodes' resources when nothing else happens. */
    public static final Duration DEFAULT_DEAD_NODE_CHECK = Duration.ofMillis(500);
    /** How long {@link #markEndOfStream()} waits for a free chunk to carry the end marker. */
    static final Duration END_MARKER_PATIENCE = Duration.ofSeconds(5);

    private final String name;
    private final int slotCount;
    private final int slotCapacity;
    private final byte[] typeHash;
    private final Arena arena;
    private final NativeRing ring;
    private final RingCounters counters = new RingCounters();
    private final EventWaiter events;
    private final ReceivedSamples samples;
    private volatile boolean closed;
    /** Threads inside a call on the native ring that no other lock orders against close (any thread may make them). */
    private final java.util.concurrent.atomic.AtomicInteger ringUsers = new java.util.concurrent.atomic.AtomicInteger();

    private final WriterPort writer;

    private Iceoryx2SlotBackend(Builder b, int mode) {
        this.name = b.name;
        this.arena = Arena.ofShared();
        NativeRing opened = null;
        try {
            long askSlots = b.slotCount;
            long askCapacity = b.slotCapacity;
            long askReaders = b.maxReaders;
            if (mode != NativeAbi.MODE_OPEN) {
                askSlots = askSlots == 0 ? Builder.DEFAULT_SLOTS : askSlots;
                askCapacity = askCapacity == 0 ? Builder.DEFAULT_CAPACITY : askCapacity;
                askReaders = askReaders == 0 ? Builder.DEFAULT_READERS : askReaders;
            }
            opened = NativeRing.open(arena, b.name, b.prefix, mode, askSlots, askCapacity, askReaders, b.typeHash);
            this.ring = opened;
            this.typeHash = checkType(b.typeHash, b.typeText, opened.typeHash());
            this.slotCount = geometry("slot_count", askSlots, opened.attributeSlotCount(), opened.subscriberBufferSize());
            this.slotCapacity = geometry("slot_capacity", askCapacity, opened.attributeCapacity(), 0);
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            arena.close();
            throw e;
        }
        this.events = new EventWaiter(ring, arena, b.deadNodeCheck.toNanos());
        this.writer = new WriterPort(this, ring, arena, events, counters, slotCount, slotCapacity, b.initialSequence);
        this.samples = new ReceivedSamples(ring, events, arena, slotCount, b.initialSequence, writer::wantsFrees);
        this.events.onHello(() -> {
            if (samples.connect()) {
                events.advanceAndNotify(EventWaiter.EVENT_CONNECTED);
            }
        });
    }

    private int geometry(String what, long asked, long attribute, long fallback) {
        if (asked != 0 && attribute != 0 && asked != attribute) {
            throw new Iceoryx2Exception(Iceoryx2Exception.Reason.SETTINGS, "service \"" + name + "\" has " + what + "="
                    + attribute + ", asked for " + what + "=" + asked);
        }
        long value = asked != 0 ? asked : attribute != 0 ? attribute : fallback;
        if (value <= 0 || value > Integer.MAX_VALUE) {
            throw new Iceoryx2Exception(Iceoryx2Exception.Reason.SETTINGS, "service \"" + name
                    + "\" was created without flatdata attributes (a foreign creator?): give its " + what);
        }
        return (int) value;
    }

    private byte[] checkType(byte[] asked, String askedText, byte[] carried) {
        if (asked != null && (carried == null || !java.util.Arrays.equals(asked, carried))) {
            throw new TypeMismatchException("service \"" + name + "\" carries type hash="
                    + (carried == null ? "none" : HexFormat.of().formatHex(carried)) + ", expected "
                    + (askedText == null ? "" : "type " + askedText + " hash=") + HexFormat.of().formatHex(asked));
        }
        return carried;
    }

    // ------------------------------------------------------------------ factories

    /** A builder that creates the service; it must not exist yet. */
    public static Builder create(String serviceName) {
        return new Builder(serviceName, NativeAbi.MODE_CREATE);
    }

    /** A builder that opens an existing service, taking slot count and capacity from its creator. */
    public static Builder open(String serviceName) {
        return new Builder(serviceName, NativeAbi.MODE_OPEN);
    }

    /** A builder that opens the service or creates it when it does not exist. */
    public static Builder openOrCreate(String serviceName) {
        return new Builder(serviceName, NativeAbi.MODE_OPEN_OR_CREATE);
    }

    /** Options of a ring over iceoryx2. */
    public static final class Builder {
        static final int DEFAULT_SLOTS = 16;
        static final int DEFAULT_CAPACITY = 1024;
        static final int DEFAULT_READERS = 8;
        /** Largest slot capacity: iceoryx2 slices are sized in memory, 1 GiB is plenty for one sample. */
        public static final int MAX_CAPACITY = 1 << 30;
        /** Largest slot count. */
        public static final int MAX_SLOTS = 1 << 16;

        private final String name;
        private final int mode;
        private int slotCount;
        private String typeText;
        private int slotCapacity;
        private int maxReaders;
        private byte[] typeHash;
        private long initialSequence;
        private String prefix;
        private Duration deadNodeCheck = DEFAULT_DEAD_NODE_CHECK;

        private Builder(String name, int mode) {
            this.name = Objects.requireNonNull(name, "serviceName");
            this.mode = mode;
        }

        /** Number of slots (iceoryx2 chunks), 1..65536; default 16 when creating, the creator's when opening. */
        public Builder slotCount(int slots) {
            if (slots < 1 || slots > MAX_SLOTS) {
                throw new IllegalArgumentException("slotCount=" + slots + " outside 1.." + MAX_SLOTS);
            }
            this.slotCount = slots;
            return this;
        }

        /** Payload bytes per slot, 1..2^30; default 1024 when creating, the creator's when opening. */
        public Builder slotCapacity(int capacity) {
            if (capacity < 1 || capacity > MAX_CAPACITY) {
                throw new IllegalArgumentException("slotCapacity=" + capacity + " outside 1.." + MAX_CAPACITY);
            }
            this.slotCapacity = capacity;
            return this;
        }

        /**
         * Subscribers (reader processes) the service admits, 1..32; default 8 when creating, the
         * creator's when opening (an opener that asks for more than the service admits is refused).
         */
        public Builder maxReaders(int readers) {
            if (readers < 1 || readers > MAX_READERS) {
                throw new IllegalArgumentException("maxReaders=" + readers + " outside 1.." + MAX_READERS);
            }
            this.maxReaders = readers;
            return this;
        }

        /**
         * The sample type: its hash travels as a service attribute (an opener with another type is
         * refused) and, when creating without an explicit capacity, its size is the capacity.
         */
        public Builder type(FlatType<?> type) {
            typeHash(type.typeHash());
            this.typeText = type.canonicalText();
            if (slotCapacity == 0 && mode != NativeAbi.MODE_OPEN) {
                slotCapacity((int) type.byteSize());
            }
            return this;
        }

        /** The 16-byte type hash (a service attribute); another hash on either side is refused. */
        public Builder typeHash(byte[] hash) {
            if (hash != null && hash.length != 16) {
                throw new IllegalArgumentException("type hash of " + hash.length + " bytes, expected 16");
            }
            this.typeHash = hash == null ? null : hash.clone();
            this.typeText = null;
            return this;
        }

        /** The first sequence number of this process's writer and readers; default 0. */
        public Builder initialSequence(long sequence) {
            if (sequence < 0) {
                throw new IllegalArgumentException("initialSequence=" + sequence + " must not be negative");
            }
            this.initialSequence = sequence;
            return this;
        }

        /**
         * The iceoryx2 file prefix ({@code config.global.prefix}): peers see each other only under
         * the same prefix. Default: iceoryx2's own ({@code iox2_}).
         */
        public Builder prefix(String prefix) {
            this.prefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** How often a waiting thread removes dead nodes' resources; default 500 ms. */
        public Builder deadNodeCheck(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("deadNodeCheck=" + interval + " must be positive");
            }
            this.deadNodeCheck = interval;
            return this;
        }

        public Iceoryx2SlotBackend build() {
            return new Iceoryx2SlotBackend(this, mode);
        }
    }

    // ------------------------------------------------------------------ writer

    @Override
    public int reserveSlot(int activeReadersMask) {
        return writer.reserve(true);
    }

    @Override
    public int reserveSlot() {
        return writer.reserve(true);
    }

    @Override
    public int reserveSlotNoWait() {
        return writer.reserve(false);
    }

    @Override
    public long commitSlot(int slot, MemorySegment bytes) {
        return writer.commit(slot, bytes);
    }

    @Override
    public long commitSlot(int slot, byte[] bytes, int offset, int length) {
        return writer.commit(slot, bytes, offset, length);
    }

    @Override
    public long commitInPlace(int slot, int length) {
        return writer.commitInPlace(slot, length);
    }

    @Override
    public void discardSlot(int slot) {
        writer.discard(slot);
    }

    @Override
    public MemorySegment slotDataPtr(int slot) {
        return writer.view(slot);
    }

    @Override
    public void markEndOfStream() {
        writer.endStream();
    }

    @Override
    public long endOfStreamSequence() {
        checkOpen();
        long received = samples.endOfStream();
        return received != OPEN_STREAM ? received : writer.endSequence();
    }

    // ------------------------------------------------------------------ reader

    @Override
    public SlotSample readSlot(int slot) {
        checkOpen();
        return samples.copy(slot);
    }

    @Override
    public MemorySegment slotReadPtr(int slot) {
        checkOpen();
        return samples.view(slot);
    }

    @Override
    public int nextUnreadSlot(int reader) {
        checkOpen();
        return samples.nextUnread(checkReader(reader));
    }

    @Override
    public int nextUnreadSlot(int reader, long sequence) {
        checkOpen();
        return samples.nextUnread(checkReader(reader), sequence);
    }

    @Override
    public long slotSequence(int slot) {
        checkOpen();
        return samples.sequence(slot);
    }

    /**
     * The sequence number the writer stamped into the header of the sample in reader slot
     * {@code slot} (its own count, which a foreign writer chooses), or {@link #NO_SEQUENCE}.
     */
    public long writerSequence(int slot) {
        checkOpen();
        return samples.writerSequence(slot);
    }

    @Override
    public void markRead(int slot, int reader) {
        checkOpen();
        samples.markRead(slot, checkReader(reader));
        counters.recordTaken(reader);
    }

    /**
     * Samples received into this process that {@code reader} has not marked read (those still in
     * iceoryx2's subscriber buffer are not counted).
     */
    @Override
    public int unreadCount(int reader) {
        checkOpen();
        return samples.unread(checkReader(reader));
    }

    /** This process's counts for this service's ring. */
    @Override
    public RingCounters counters() {
        return counters;
    }

    @Override
    public void markReaderDisconnected(int reader) {
        checkOpen();
        samples.disconnect(checkReader(reader));
    }

    // ------------------------------------------------------------------ registry

    @Override
    public int attachReader() {
        checkOpen();
        return samples.attach(-1);
    }

    @Override
    public int attachReader(int reader) {
        checkOpen();
        return samples.attach(checkReader(reader));
    }

    @Override
    public void detachReader(int reader) {
        checkOpen();
        samples.detach(checkReader(reader));
    }

    @Override
    public int activeReaders() {
        checkOpen();
        return samples.active();
    }

    /**
     * Always true: a loan takes only a chunk that neither a subscriber nor the service's history
     * holds, so a writer's loan ahead costs no reader, in this process or another, a sample (and
     * {@link #activeReaders()} knows only this process's readers).
     */
    @Override
    public boolean reservesAheadFreely() {
        return true;
    }

    @Override
    public long readerStartSequence(int reader) {
        checkOpen();
        return samples.startSequence(checkReader(reader));
    }

    // ------------------------------------------------------------------ geometry

    @Override
    public int slotCount() {
        return slotCount;
    }

    @Override
    public int slotTotalSize() {
        return (16 + slotCapacity + 63) & ~63;
    }

    @Override
    public int slotCapacity() {
        return slotCapacity;
    }

    @Override
    public Optional<byte[]> typeHash() {
        checkOpen();
        return Optional.ofNullable(typeHash).map(byte[]::clone);
    }

    /** The iceoryx2 service name. */
    public String serviceName() {
        return name;
    }

    /**
     * Samples this process received while none of its readers was connected (the last one was
     * disconnected but not yet detached): dropped at once, since nobody here wanted them.
     */
    public long unwantedSamples() {
        checkOpen();
        return samples.unwanted();
    }

    /** How often a thread of this backend blocked in the iceoryx2 listener (an event-driven wait). */
    public long eventWaits() {
        return events.blockingWaits();
    }

    /** The number of publishers (0 or 1) connected to the service now, in any process. */
    public int writers() {
        return onRing(NativeRing::publishers);
    }

    /** The number of subscribers (reader processes) connected to the service now. */
    public int readerPorts() {
        return onRing(NativeRing::subscribers);
    }

    /**
     * Removes the resources of nodes whose process died (their chunks return to the writer, their
     * ports leave the service); the number of nodes removed. Waiting threads do this on their own
     * every dead-node check interval.
     */
    public int cleanupDeadNodes() {
        return onRing(NativeRing::cleanupDeadNodes);
    }

    /**
     * A call on the native ring from a thread no other lock orders against {@link #close()}:
     * close waits for such calls to leave before it frees the ring.
     *
     * @throws BackendClosedException when the backend is closed (or closing)
     */
    private int onRing(java.util.function.ToIntFunction<NativeRing> call) {
        ringUsers.incrementAndGet();
        try {
            checkOpen();
            return call.applyAsInt(ring);
        } finally {
            ringUsers.decrementAndGet();
        }
    }

    // ------------------------------------------------------------------ notify

    @Override
    public long notifyGeneration() {
        checkOpen();
        return events.generation();
    }

    @Override
    public boolean waitForChange(long last, long timeoutNanos) {
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("timeout=" + timeoutNanos + " ns must not be negative");
        }
        checkOpen();
        return events.await(last, timeoutNanos);
    }

    @Override
    public void wakeAll() {
        ringUsers.incrementAndGet();
        try {
            if (!closed) {
                events.advanceAndNotify(EventWaiter.EVENT_WAKE);
            }
        } finally {
            ringUsers.decrementAndGet();
        }
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        // waiters first: they return, and a writer waiting for the end marker's chunk gives up
        events.close();
        writer.close();
        samples.close();
        while (ringUsers.get() != 0) {
            Thread.onSpinWait(); // a port count or wake-up in flight: microseconds
        }
        ring.close();
        arena.close();
    }

    private final Object closeLock = new Object();

    void checkOpen() {
        if (closed) {
            throw new BackendClosedException("iceoryx2 service \"" + name + "\"");
        }
    }

    void checkSlot(int slot) {
        if (slot < 0 || slot >= slotCount) {
            throw new IndexOutOfBoundsException("slot=" + slot + " outside [0, " + slotCount + ")");
        }
    }

    private static int checkReader(int reader) {
        if (reader < 0 || reader >= MAX_READERS) {
            throw new IllegalArgumentException("reader index=" + reader + " outside 0.." + (MAX_READERS - 1));
        }
        return reader;
    }

    @Override
    public String toString() {
        return "Iceoryx2SlotBackend[" + name + ", " + slotCount + " x " + slotCapacity + " B]";
    }
}
