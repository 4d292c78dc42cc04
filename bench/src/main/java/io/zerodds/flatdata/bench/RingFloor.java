package io.zerodds.flatdata.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The memory operations a flatdata hand-off makes on the lines both processes touch, written out
 * without the library: what busy-spin latency would be with no code between them. Two rings of 64
 * slots of 128 bytes in one mapped file, the slot header of {@code SegmentLayout} (sequence lo32
 * and size as one word at +0, reader mask at +8, payload at +16), one ring per direction.
 *
 * <ul>
 *   <li>send: load the slot word and mask (is the slot free?), store the word with size 0, a
 *       store-store fence, the payload, mask 0, then the word with sequence and size (release),
 *       then the atomic increment of the notify word and the load of the waiter word;</li>
 *   <li>receive: poll the slot word until it names the sequence, load the mask, an acquire
 *       fence, load the word again, load the payload;</li>
 *   <li>release: the atomic or of the reader's bit into the mask.</li>
 * </ul>
 * The words the writer alone stores elsewhere (loan table, next sequence) and every check the
 * library makes in the process's own memory are left out: they cost time, not line transfers.
 */
final class RingFloor {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final int SLOTS = 64;
    private static final long SLOT_SIZE = 128;
    private static final long RING = 16_384;
    private static final int SAMPLE = 64;
    /** The waiter word, on a line of its own after the slots (as in the extension region). */
    private static final long WAITERS = 0x20 + SLOTS * SLOT_SIZE + 0x80;
    /** Bytes of the mapped file: two rings, each on pages of its own. */
    static final long FILE_SIZE = 2 * RING;

    private final MemorySegment file;

    RingFloor(MemorySegment file) {
        this.file = file;
    }

    private static long slot(int ring, long round) {
        return ring * RING + 0x20 + (round & (SLOTS - 1)) * SLOT_SIZE;
    }

    void send(int ring, long round, long value) {
        long h = slot(ring, round);
        long word = (long) LONG.getAcquire(file, h);
        int mask = (int) INT.getAcquire(file, h + 8);
        if (round >= SLOTS && (mask & 1) == 0) {
            throw new IllegalStateException("slot of round " + round + " not read yet (word " + word + ")");
        }
        LONG.setOpaque(file, h, word & 0xFFFF_FFFFL);
        VarHandle.storeStoreFence();
        file.set(ValueLayout.JAVA_LONG, h + 16, value);
        INT.set(file, h + 8, 0);
        LONG.setRelease(file, h, (round & 0xFFFF_FFFFL) | (long) SAMPLE << 32);
        INT.getAndAdd(file, ring * RING + 0x10, 1);
        if ((int) INT.getVolatile(file, ring * RING + WAITERS) != 0) {
            throw new IllegalStateException("nobody waits in this benchmark");
        }
    }

    /** Busy-spins until the sample of {@code round} is in its slot; returns its first payload word. */
    long receive(int ring, long round) {
        long h = slot(ring, round);
        long expected = (round & 0xFFFF_FFFFL) | (long) SAMPLE << 32;
        long n = 0;
        while (true) {
            long word = (long) LONG.getAcquire(file, h);
            if (word == expected) {
                int mask = (int) INT.getAcquire(file, h + 8);
                VarHandle.acquireFence();
                if ((long) LONG.getAcquire(file, h) == word && (mask & 1) == 0) {
                    return file.get(ValueLayout.JAVA_LONG, h + 16);
                }
            }
            n = BusyWait.idle(n, "floor sample");
        }
    }

    void release(int ring, long round) {
        INT.getAndBitwiseOr(file, slot(ring, round) + 8, 1);
    }
}
