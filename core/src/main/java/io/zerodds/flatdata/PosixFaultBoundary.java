package io.zerodds.flatdata;

import io.zerodds.flatdata.PosixSegmentFiles.Geometry;
import io.zerodds.flatdata.PosixSegmentFiles.Opened;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the POSIX backend meets the faults of its mapping. Another process can truncate the file
 * under the mapping, which turns the next access into SIGBUS and HotSpot's {@link InternalError};
 * a thread can race {@code close()}, whose closed views throw {@link IllegalStateException}. Every
 * {@link SlotBackend} call that touches the mapping is delegated to the ring here, one method per
 * call, and a fault it meets is translated ({@link #translate}) into this library's exceptions: a
 * truncation or memory fault is a {@link SegmentFormatException} that closes the backend for this
 * process ({@link #faulted}), a race with close a {@link BackendClosedException}. The writer methods
 * also refuse a process that opened the segment for reading.
 *
 * <p>The delegation stays one method per call because {@code open(name)} returns the one public
 * type {@link PosixSlotBackend} for both kinds of segment (the extended ring and the plain
 * reference consumer), and a fault can surface in any call that touches the mapping. The calls
 * with POSIX work of their own (attach and detach with the lease thread and crash recovery, the
 * futex wait, close) are {@link PosixSlotBackend}'s; it is the only subclass.
 */
abstract sealed class PosixFaultBoundary implements SlotBackend permits PosixSlotBackend {

    final Path path;
    final FileChannel channel;
    /** The mapping's checked views. */
    final MemorySegment segment;
    final long mappedSize;
    /** What {@code toString()} returns, e.g. {@code posix ring[/dev/shm/prices, slots=256, capacity=64]}. */
    final String description;
    /** Whether this process may call the writer methods: the creator, or a writer that took over. */
    final boolean writer;
    volatile boolean closed;
    /** The message of the first fault, after which this backend is closed for this process. */
    volatile String fault;

    PosixFaultBoundary(Opened o, boolean writer) {
        Geometry g = o.geometry();
        this.path = o.path();
        this.channel = o.channel();
        this.segment = o.mapping().views;
        this.mappedSize = segment.byteSize();
        this.writer = writer;
        this.description = g.reference()
                ? "posix reference segment[" + path + ", slots=" + g.slotCount() + ", slot_total_size="
                        + g.slotTotalSize() + "]"
                : "posix ring[" + path + ", slots=" + g.slotCount() + ", capacity=" + g.capacity() + "]";
    }

    /** The ring every call goes to: the extended ring, or the plain reference consumer. */
    abstract SlotBackend ring();

    /** Closes this backend for this process (and, with {@code unlink}, removes its object). */
    abstract void release(boolean unlink);

    // ================================================================== faults

    /** Reads the mapping's last page: faults (safely, as an InternalError) if the file shrank. */
    final void probe() {
        PosixSegmentFiles.probeLastPage(segment);
    }

    /** Closes this backend for this process after a fault, remembering the first message. */
    final void faulted(String message) {
        if (fault == null) {
            fault = message;
        }
        release(false);
    }

    /** Turns a fault or a race with close into the exception the caller should see. */
    final RuntimeException translate(Throwable t) {
        if (t instanceof InternalError) {
            long size = -1;
            try {
                size = channel.isOpen() ? channel.size() : -1;
            } catch (IOException ignored) {
                // reported below as unknown size
            }
            String message = size >= 0 && size < mappedSize
                    ? "segment " + path + " was truncated by another process to " + size + " bytes; its layout needs "
                            + mappedSize
                    : "memory fault in segment " + path + " (file size=" + size + ", mapped=" + mappedSize + ")";
            faulted(message);
            return new SegmentFormatException(message, t);
        }
        if (fault != null && t instanceof IllegalStateException) {
            return new SegmentFormatException(fault + "; " + this + " is closed", t);
        }
        if (t instanceof IllegalStateException && !(t instanceof FlatDataException) && (closed || !segment.scope().isAlive())
                && !(t instanceof BackendClosedException)) {
            BackendClosedException e = new BackendClosedException(description);
            e.initCause(t);
            return e;
        }
        if (t instanceof RuntimeException r) {
            return r;
        }
        throw (Error) t;
    }

    private void checkWriter() {
        if (!writer) {
            throw new IllegalStateException(description + " was opened for reading: only its creator (or a writer that"
                    + " took it over with open(name).asWriter()) writes");
        }
    }

    // ================================================================== SlotBackend: writer

    @Override
    public int reserveSlot(int activeReadersMask) {
        checkWriter();
        try {
            return ring().reserveSlot(activeReadersMask);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    @Override
    public int reserveSlot() {
        checkWriter();
        try {
            return ring().reserveSlot();
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    @Override
    public int reserveSlotNoWait() {
        checkWriter();
        try {
            return ring().reserveSlotNoWait();
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    @Override
    public long commitSlot(int slot, MemorySegment bytes) {
        checkWriter();
        try {
            return ring().commitSlot(slot, bytes);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    @Override
    public long commitSlot(int slot, byte[] bytes, int offset, int length) {
        checkWriter();
        try {
            return ring().commitSlot(slot, bytes, offset, length);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    @Override
    public void discardSlot(int slot) {
        checkWriter();
        try {
            ring().discardSlot(slot);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    @Override
    public void markEndOfStream() {
        checkWriter();
        try {
            ring().markEndOfStream();
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    @Override
    public long endOfStreamSequence() {
        try {
            return ring().endOfStreamSequence();
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    @Override
    public MemorySegment slotDataPtr(int slot) {
        checkWriter();
        try {
            return ring().slotDataPtr(slot);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    @Override
    public long commitInPlace(int slot, int length) {
        checkWriter();
        try {
            return ring().commitInPlace(slot, length);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    // ================================================================== SlotBackend: reader

    @Override
    public SlotSample readSlot(int slot) {
        try {
            return ring().readSlot(slot);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    @Override
    public MemorySegment slotReadPtr(int slot) {
        try {
            return ring().slotReadPtr(slot);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    @Override
    public MemorySegment slotReadArea(int slot) {
        try {
            return ring().slotReadArea(slot);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public int slotReadSize(int slot) {
        try {
            return ring().slotReadSize(slot);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public int nextUnreadSlot(int reader) {
        try {
            return ring().nextUnreadSlot(reader);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    @Override
    public int nextUnreadSlot(int reader, long sequence) {
        try {
            return ring().nextUnreadSlot(reader, sequence);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    @Override
    public long slotSequence(int slot) {
        try {
            return ring().slotSequence(slot);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    @Override
    public void markRead(int slot, int reader) {
        try {
            ring().markRead(slot, reader);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    // ================================================================== SlotBackend: registry

    /** {@inheritDoc} A plain reference segment counts nothing. */
    @Override
    public RingCounters counters() {
        return ring().counters();
    }

    @Override
    public int freeSlotCount() {
        try {
            return ring().freeSlotCount();
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    @Override
    public int unreadCount(int reader) {
        try {
            return ring().unreadCount(reader);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    /** {@inheritDoc} On a plain reference segment: the readers attached through this instance. */
    @Override
    public int activeReaders() {
        try {
            return ring().activeReaders();
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    @Override
    public long readerStartSequence(int reader) {
        try {
            return ring().readerStartSequence(reader);
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    // ================================================================== geometry

    @Override
    public int slotCount() {
        return ring().slotCount();
    }

    @Override
    public int slotTotalSize() {
        return ring().slotTotalSize();
    }

    /** {@inheritDoc} On a plain reference segment: {@code slot_total_size - 16}, the most a slot can hold. */
    @Override
    public int slotCapacity() {
        return ring().slotCapacity();
    }

    @Override
    public Optional<byte[]> typeHash() {
        try {
            return ring().typeHash();
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }

    // ================================================================== notify

    @Override
    public long notifyGeneration() {
        try {
            return ring().notifyGeneration();
        } catch (IllegalStateException | InternalError e) {
            throw translate(e);
        }
    }
}
