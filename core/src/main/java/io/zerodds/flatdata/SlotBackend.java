package io.zerodds.flatdata;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;

/**
 * A ring of fixed-size slots that one writer fills and up to 32 readers drain, in place.
 *
 * <p>This is the Java form of the ZeroDDS flatdata {@code SlotBackend} trait: same methods, same
 * meaning, camelCase names, and stronger guarantees where the reference is weak. Every backend
 * ({@link InMemorySlotBackend}, the POSIX shared-memory backend, ...) passes one contract test
 * suite, so {@link FlatWriter} and {@link FlatReader} work on any of them.
 *
 * <h2>Life of a sample</h2>
 * <pre>{@code
 * // writer thread
 * int slot = backend.reserveSlot();                    // = reserveSlot(activeReaders())
 * if (slot == SlotBackend.NO_FREE_SLOT) { ... wait for a change, or drop ... }
 * MemorySegment out = backend.slotDataPtr(slot);      // writable, slotCapacity() bytes
 * out.set(ValueLayout.JAVA_LONG, 0, 42L);
 * long seq = backend.commitInPlace(slot, 8);          // publishes the sample
 *
 * // reader thread
 * int reader = backend.attachReader();
 * int s = backend.nextUnreadSlot(reader);             // NO_SLOT when nothing is pending
 * MemorySegment in = backend.slotReadPtr(s);          // read-only, sample-size bytes
 * long v = in.get(ValueLayout.JAVA_LONG, 0);
 * backend.markRead(s, reader);                        // the view is invalid from here on
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ol>
 *   <li>{@link #reserveSlot(int)} hands out a slot that is not loaned and either never used or
 *       read by every reader in the mask. With mask 0 every committed slot is reusable (a
 *       keep-last ring). A full ring is normal flow: it returns {@link #NO_FREE_SLOT}, no
 *       exception, no allocation.</li>
 *   <li>A commit publishes with release ordering: a reader that observes the header observes
 *       every payload byte. {@link #commitInPlace(int, int)} is byte-for-byte identical to
 *       {@link #commitSlot(int, MemorySegment)} of the same bytes.</li>
 *   <li>{@link #nextUnreadSlot(int)} returns the unread committed slot with the lowest sequence
 *       number, correct across the 2^32 wrap of the 32-bit sequence field.</li>
 *   <li>A discarded loan frees the slot and leaves no deliverable sample in it.</li>
 *   <li>{@link #markRead(int, int)} is idempotent; {@link #markReaderDisconnected(int)} sets the
 *       reader's bit on every slot so that a dead reader never blocks the writer.</li>
 *   <li>Reader indexes 0..31 come from a registry owned by the backend
 *       ({@link #attachReader()}); an attached reader receives every sample committed after its
 *       attach returns and none from before.</li>
 *   <li>{@link #notifyGeneration()} changes on every commit, and on every slot-free event while
 *       the writer waits for one: from a {@link #reserveSlot(int)} that found no free slot until
 *       one that succeeds (a failed {@link #reserveSlotNoWait()} starts no such wait). So the
 *       writer's wait ({@code gen = notifyGeneration(); reserveSlot fails;
 *       waitForChange(gen, timeout)}) never misses a freed slot, and a reader marking
 *       samples read while the writer has room leaves the notify word alone (one cache line less
 *       per sample between processes). {@link #waitForChange(long, Duration)} returns once the
 *       generation differs from the value passed in, never misses a change that happened after
 *       that value was read, and does not spin.</li>
 * </ol>
 *
 * <h2>Threads</h2>
 * The writer calls ({@code reserveSlot, commitSlot, commitInPlace, discardSlot, slotDataPtr}) come
 * from one thread at a time (one writer). The reader calls ({@code nextUnreadSlot, slotReadPtr,
 * readSlot, markRead, slotSequence}) may come from any number of threads, each reader index used by
 * one thread at a time; handing a reader index (or a writer) to another thread must
 * happen-before its next call there (a lock, a volatile or a concurrent queue), as handing any
 * non-thread-safe object does. {@code attachReader, detachReader, markReaderDisconnected,
 * notifyGeneration, waitForChange}, the size queries and {@code close} are safe from any thread.
 *
 * <h2>Errors</h2>
 * Slot index outside {@code [0, slotCount)}: {@link IndexOutOfBoundsException}; reader index
 * outside 0..31, negative length or timeout: {@link IllegalArgumentException}; sample over the
 * capacity: {@link SampleTooLargeException}; a slot in the wrong state: {@link SlotStateException};
 * any call after {@link #close()}: {@link BackendClosedException}. A failed call changes nothing.
 */
public interface SlotBackend extends AutoCloseable {

    /** Returned by {@link #reserveSlot(int)} when every slot is loaned or unread by an active reader. */
    int NO_FREE_SLOT = -1;

    /** Returned by the reader scans when nothing is pending. */
    int NO_SLOT = -1;

    /** Returned by {@link #slotSequence(int)} for a slot that holds no readable sample. */
    long NO_SEQUENCE = -1L;

    /** Returned by {@link #endOfStreamSequence()} while the stream is open. */
    long OPEN_STREAM = Long.MAX_VALUE;

    /** Readers per ring: one bit each in the 32-bit reader mask. */
    int MAX_READERS = 32;

    // ------------------------------------------------------------------ writer

    /**
     * Loans a free slot to the writer.
     *
     * @param activeReadersMask bit r set = reader r must have read a slot before it is reused;
     *                          usually {@link #activeReaders()}
     * @return the slot index, or {@link #NO_FREE_SLOT} when the ring is full. The caller then
     *         either waits ({@code gen = notifyGeneration(); retry; waitForChange(gen, timeout)})
     *         or drops the sample. Never throws for a full ring.
     */
    int reserveSlot(int activeReadersMask);

    /**
     * Loans a free slot for the readers attached now: {@code reserveSlot(activeReaders())} in one
     * call, which a backend may serve with one check of its state instead of two.
     *
     * @return the slot index, or {@link #NO_FREE_SLOT} when the ring is full
     */
    default int reserveSlot() {
        return reserveSlot(activeReaders());
    }

    /**
     * {@link #reserveSlot()} for a caller that will not wait when the ring is full: a writer that
     * drops the sample then, or one reserving its next slot ahead of time. Its failure does not
     * count as the writer waiting for a slot, so readers that free slots afterwards leave the
     * notify word alone; its success ends a wait as {@code reserveSlot} does. A backend may serve
     * it as {@code reserveSlot()}.
     *
     * @return the slot index, or {@link #NO_FREE_SLOT} when the ring is full
     */
    default int reserveSlotNoWait() {
        return reserveSlot();
    }

    /**
     * Copies {@code bytes} into the loaned slot and publishes it with header
     * {@code {sequence, size = bytes.byteSize(), readerMask = 0}}.
     *
     * @return the sample's 64-bit sequence number (the header holds its low 32 bits)
     * @throws SampleTooLargeException when the bytes exceed {@link #slotCapacity()}
     * @throws SlotStateException      when the slot is not loaned (never reserved, committed already,
     *                                 or discarded)
     */
    long commitSlot(int slot, MemorySegment bytes);

    /** {@link #commitSlot(int, MemorySegment)} of {@code bytes[offset, offset + length)}. */
    long commitSlot(int slot, byte[] bytes, int offset, int length);

    /** {@link #commitSlot(int, MemorySegment)} of the whole array. */
    default long commitSlot(int slot, byte[] bytes) {
        return commitSlot(slot, bytes, 0, bytes.length);
    }

    /**
     * Returns the loan without publishing anything: the slot is free again and holds no
     * deliverable sample.
     */
    void discardSlot(int slot);

    /**
     * The loaned slot's payload, writable in place, {@link #slotCapacity()} bytes long. Valid until
     * {@link #commitInPlace(int, int)} or {@link #discardSlot(int)} of this slot.
     */
    MemorySegment slotDataPtr(int slot);

    /**
     * Publishes the first {@code length} bytes already written through {@link #slotDataPtr(int)},
     * without a copy.
     *
     * @return the sample's sequence number
     */
    long commitInPlace(int slot, int length);

    /**
     * Ends the stream: no sample is committed after this, and readers learn that the samples
     * before {@link #endOfStreamSequence()} are all there will be (a reactive reader completes
     * once it delivered them). Writer thread only; idempotent.
     *
     * @throws SlotStateException when a slot is still loaned (commit or discard it first); after
     *                            the end, {@link #reserveSlot(int)} throws it too
     */
    void markEndOfStream();

    /**
     * The sequence number the stream ended at (the first sequence that will never be committed),
     * or {@link #OPEN_STREAM} while the writer may still commit.
     */
    long endOfStreamSequence();

    // ------------------------------------------------------------------ reader

    /** A consistent copy of the slot's header and payload. */
    SlotSample readSlot(int slot);

    /**
     * A read-only zero-copy view of the committed slot's sample ({@code size} bytes). Writing
     * through it throws. Valid until the reader marks the slot read; a view kept longer may show
     * a later sample, which {@link #slotSequence(int)} detects.
     *
     * @throws SlotStateException when the slot holds no committed sample
     */
    MemorySegment slotReadPtr(int slot);

    /**
     * The seed's {@code slot_read_ptr} pair without an object per sample: a read-only view of the
     * slot's payload area, the same object for every sample of the slot where the backend can make
     * it so (then {@link #slotCapacity()} bytes), of which the sample is the first
     * {@link #slotReadSize(int)} bytes. Readers of samples whose size changes read through it
     * without allocating; {@link #slotReadPtr(int)} needs a view of the exact size, a new one
     * whenever the size changes. Valid as long as {@code slotReadPtr}'s view.
     *
     * @throws SlotStateException when the slot holds no committed sample
     */
    default MemorySegment slotReadArea(int slot) {
        return slotReadPtr(slot);
    }

    /**
     * The size in bytes of the committed sample in {@code slot}: the length of
     * {@link #slotReadPtr(int)}'s view, validated the same way.
     *
     * @throws SlotStateException when the slot holds no committed sample
     */
    default int slotReadSize(int slot) {
        return (int) slotReadPtr(slot).byteSize();
    }

    /**
     * The unread committed slot with the lowest sequence number for {@code reader}, or
     * {@link #NO_SLOT}. Samples committed before the reader attached are not reported.
     */
    int nextUnreadSlot(int reader);

    /**
     * The slot that holds sample {@code sequence} if it is committed and not yet read by
     * {@code reader}, else {@link #NO_SLOT}. This is the in-order fast path of a reader that knows
     * which sequence it expects next: no full scan when the sample is where the writer usually
     * puts it; once the reader took the previous sample through this method and nothing new was
     * committed, only loads of cache lines that no commit but the awaited one stores to.
     *
     * @throws ReaderDisconnectedException when the reader was disconnected
     */
    int nextUnreadSlot(int reader, long sequence);

    /**
     * The 64-bit sequence number of the sample in {@code slot}, or {@link #NO_SEQUENCE} when the
     * slot holds none or is being rewritten. A reader that read a view in place and then finds the
     * same sequence here knows that what it read was not overwritten (seqlock validation).
     */
    long slotSequence(int slot);

    /** Marks the slot read by {@code reader}. Idempotent. */
    void markRead(int slot, int reader);

    /**
     * Marks {@code reader} disconnected: its bit is set on every slot and it leaves the active
     * set, so it never blocks the writer again. Its own next read fails with
     * {@link ReaderDisconnectedException}; the index becomes free when the reader detaches.
     */
    void markReaderDisconnected(int reader);

    // ------------------------------------------------------------------ registry

    /**
     * Attaches a reader at the lowest free index.
     *
     * @return the reader index, 0..31
     * @throws ReaderLimitException when all 32 indexes are taken
     */
    int attachReader();

    /**
     * Attaches a reader at a given index, as discovery does when it assigns indexes itself.
     *
     * @throws ReaderLimitException when the index is in use
     */
    int attachReader(int reader);

    /** Detaches (disconnects) the reader; its index can be attached again. Idempotent. */
    void detachReader(int reader);

    /**
     * The mask of attached, connected readers: the mask the writer passes to reserveSlot. A reader
     * shows here only once its start sequence is fixed, so a writer that waits until a reader's
     * bit is set and then commits knows that reader receives the sample.
     */
    int activeReaders();

    /**
     * Whether a writer may reserve its next slot right after a commit, before it has the next
     * sample ({@code FlatWriter}'s loan ahead), at no cost to any reader. The default: while readers
     * are attached, since a reservation without them would wipe the oldest sample, which a reader
     * attaching later could still read in place.
     */
    default boolean reservesAheadFreely() {
        return activeReaders() != 0;
    }

    /** The first sequence number the attached reader receives. */
    long readerStartSequence(int reader);

    // ------------------------------------------------------------------ observation

    /**
     * This process's counts for this ring (samples committed and taken, ring-full events, waits,
     * drops, leaked views), kept without contention on the hot path. A backend that counts
     * nothing returns {@link RingCounters#UNCOUNTED}.
     */
    default RingCounters counters() {
        return RingCounters.UNCOUNTED;
    }

    /**
     * How many slots a writer could loan now for the readers attached now: a snapshot for
     * monitoring, racing with the writer and the readers; {@code -1} when this backend cannot tell
     * without loaning (the default; the in-memory and POSIX rings scan their slot words).
     */
    default int freeSlotCount() {
        return -1;
    }

    /**
     * Committed samples reader {@code reader} has not marked read yet (its lag, in samples): a
     * snapshot for monitoring; {@code -1} when this backend cannot tell (the default; the
     * in-memory and POSIX rings scan their slot words, seeing the readers of every process).
     */
    default int unreadCount(int reader) {
        return -1;
    }

    // ------------------------------------------------------------------ geometry

    /** Number of slots. */
    int slotCount();

    /** Bytes per slot including the 16-byte header and padding: {@code align_up(16 + capacity, 64)}. */
    int slotTotalSize();

    /** Payload bytes per slot. */
    int slotCapacity();

    /** The 16-byte type hash the ring was created for, if any. */
    Optional<byte[]> typeHash();

    // ------------------------------------------------------------------ notify

    /** The current change generation; capture it before checking a condition. */
    long notifyGeneration();

    /**
     * Blocks until the change generation differs from {@code last}, the timeout elapses, or the
     * backend is closed. Event-driven, no busy polling.
     *
     * @return true when the generation changed
     * @throws IllegalArgumentException when the timeout is negative
     */
    boolean waitForChange(long last, long timeoutNanos);

    /**
     * Advances the change generation and wakes every thread (in every process) blocked in
     * {@link #waitForChange(long, long)}, although nothing in the ring changed. A change is a hint,
     * never a state, so waiters re-check their condition and wait again; this lets a waiter that
     * must stop (a cancelled reactive subscription, a closing writer) return at once rather than
     * at its timeout. A no-op once the backend is closed (close wakes everyone already).
     */
    void wakeAll();

    /** {@link #waitForChange(long, long)} with a {@link Duration}. */
    default boolean waitForChange(long last, Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout=" + timeout + " must not be negative");
        }
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE;
        }
        return waitForChange(last, nanos);
    }

    // ------------------------------------------------------------------ lifecycle

    /** True once {@link #close()} ran. */
    boolean isClosed();

    /** Releases the ring; waiters return, every later call throws {@link BackendClosedException}. Idempotent. */
    @Override
    void close();
}
