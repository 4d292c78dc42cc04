package io.zerodds.flatdata.cli;

import static io.zerodds.flatdata.ReaderEntryDescriptor.*;
import static io.zerodds.flatdata.SegmentLayout.*;
import static io.zerodds.flatdata.SlotDescriptor.*;
import static io.zerodds.flatdata.WaiterEntryDescriptor.*;

import io.zerodds.flatdata.ProcessIdentity;
import io.zerodds.flatdata.SegmentAccessException;
import io.zerodds.flatdata.SegmentFormatException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What a segment holds at one moment, read through a read-only mapping with the public ring
 * descriptors ({@link io.zerodds.flatdata.SegmentLayout} and the slot, reader entry and waiter entry
 * descriptors): never a store, never an attach. Checked
 * before it is trusted as every command checks a segment ({@link Segments#segment}).
 */
record SegmentSnapshot(String name, String path, long fileSize, boolean reference, int layoutVersion, int slotCount,
                       int capacity, String typeHash, Writer writer, long notifyGeneration, long nextSequence,
                       long endSequence, int activeMask, int anonymousWaiters, List<Waiter> waiters,
                       List<Slot> slots, List<Reader> readers) {

    /** The writer record: pid and start time, last heartbeat (epoch ms), open or not. */
    record Writer(int pid, long startMillis, long heartbeatMillis, boolean open, boolean alive) {
    }

    /** One slot: free, loaned (to the writer) or committed, with its sequence, size and reader mask. */
    record Slot(int index, String state, long sequence, int size, int readerMask) {
    }

    /** One attached (or disconnected) reader: its process, its heartbeat, how far it is behind. */
    record Reader(int index, String state, int pid, boolean alive, long heartbeatAgeMillis, long startSequence,
                  int unread) {
    }

    /** A process blocked in a futex wait on the ring. */
    record Waiter(int entry, int pid, boolean alive) {
    }

    /**
     * Reads the segment {@code name}: checked first as every command checks a segment
     * ({@link Segments#segment}), then mapped read-only for its live state.
     */
    static SegmentSnapshot read(String name) {
        ShmDirectory.Entry entry = Segments.segment(name);
        SegmentHeader.Info info = entry.info();
        Path path = entry.path();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
             Arena arena = Arena.ofConfined()) {
            long size = ch.size();
            if (size < info.fileSize()) {
                throw new SegmentFormatException(path + " shrank from " + info.fileSize() + " to " + size
                        + " bytes while it was read");
            }
            return read(name, path, info, ch.map(FileChannel.MapMode.READ_ONLY, 0, info.fileSize(), arena));
        } catch (NoSuchFileException e) {
            throw new SegmentAccessException("segment " + path + " does not exist");
        } catch (AccessDeniedException e) {
            throw new SegmentAccessException("permission denied: segment " + path + " belongs to another user");
        } catch (IOException e) {
            throw new SegmentAccessException("cannot read segment " + path + ": " + e.getMessage());
        }
    }

    private static SegmentSnapshot read(String name, Path path, SegmentHeader.Info info, MemorySegment s) {
        long size = info.fileSize();
        int slotCount = info.slotCount();
        int total = info.slotTotalSize();
        boolean reference = info.kind() == SegmentHeader.Kind.REFERENCE;
        long ext = reference ? 0 : extensionOffset(slotCount, total);
        int version = info.layoutVersion();
        int capacity = info.capacity();
        long notify = Integer.toUnsignedLong(notifyVolatile(s, 0));
        List<Slot> slots = new ArrayList<>(slotCount);
        for (int i = 0; i < slotCount; i++) {
            long h = slotOffset(i, total);
            long word = slotWordAcquire(s, h);
            int sampleSize = wordSize(word);
            boolean loaned = !reference && (loanWordAcquire(s, ext, i) & 1) != 0;
            long sequence = reference ? Integer.toUnsignedLong(wordSequenceLow(word))
                    : sequence(sequenceHighAcquire(s, ext + sequenceHighTableOffset(slotCount), i), wordSequenceLow(word));
            slots.add(new Slot(i, loaned ? "loaned" : sampleSize != 0 ? "committed" : "free",
                    sampleSize != 0 ? sequence : -1, sampleSize, slotMaskAcquire(s, h)));
        }
        if (reference) {
            return new SegmentSnapshot(name, path.toString(), size, true, 0, slotCount, capacity, null, null, notify,
                    Integer.toUnsignedLong(nextSnAcquire(s, 0)), -1, 0, 0, List.of(), slots, List.of());
        }
        String typeHash = info.typeHash();
        int writerPid = writerPidAcquire(s, ext);
        long writerStart = writerStartAcquire(s, ext);
        Writer writer = new Writer(writerPid, writerStart, writerHeartbeatAcquire(s, ext),
                writerStateAcquire(s, ext) == WRITER_OPEN, ProcessIdentity.isAlive(writerPid, writerStart));
        long now = System.currentTimeMillis();
        List<Reader> readers = new ArrayList<>();
        for (int r = 0; r < MAX_READERS; r++) {
            long entry = readerEntryOffset(ext, r);
            int state = readerStateAcquire(s, entry);
            if (state == READER_FREE) {
                continue;
            }
            int pid = readerPidAcquire(s, entry);
            long start = readerStartTimeAcquire(s, entry);
            long startSequence = readerStartSequenceAcquire(s, entry);
            int unread = 0;
            for (Slot slot : slots) {
                if (slot.state().equals("committed") && slot.sequence() >= startSequence
                        && (slot.readerMask() & (1 << r)) == 0) {
                    unread++;
                }
            }
            readers.add(new Reader(r, readerStateName(state), pid, ProcessIdentity.isAlive(pid, start),
                    now - readerHeartbeatAcquire(s, entry), startSequence, unread));
        }
        List<Waiter> waiters = new ArrayList<>();
        long waiting = waitingMaskVolatile(s, ext);
        for (int w = 0; w < WAITER_ENTRIES; w++) {
            if ((waiting & (1L << w)) != 0) {
                long entry = waiterEntryOffset(ext, w);
                int pid = waiterPidAcquire(s, entry);
                waiters.add(new Waiter(w, pid, ProcessIdentity.isAlive(pid, waiterStartTimeAcquire(s, entry))));
            }
        }
        return new SegmentSnapshot(name, path.toString(), size, false, version, slotCount, capacity, typeHash, writer, notify,
                nextSequenceAcquire(s, ext), endSequenceAcquire(s, ext), activeMaskAcquire(s, ext),
                anonymousWaitersVolatile(s, ext), waiters, slots, readers);
    }

    private static String readerStateName(int state) {
        return switch (state) {
            case READER_ATTACHED -> "attached";
            case READER_DISCONNECTED -> "disconnected";
            case READER_CLAIMED -> "attaching";
            case READER_DISCONNECTING -> "disconnecting";
            default -> "state " + state;
        };
    }
}
