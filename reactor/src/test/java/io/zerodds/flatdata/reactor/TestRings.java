package io.zerodds.flatdata.reactor;

import io.zerodds.flatdata.SlotBackend;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Sample format and ring probes shared by the tests. */
final class TestRings {

    /** Every test sample: 64 bytes, eight longs that all hold the element's value. */
    static final int SAMPLE_SIZE = 64;

    static final SlotEncoder<Number> ENCODER = (value, slot) -> {
        long v = value.longValue();
        for (int k = 0; k < 8; k++) {
            slot.set(ValueLayout.JAVA_LONG_UNALIGNED, 8L * k, v);
        }
        return SAMPLE_SIZE;
    };

    private TestRings() {
    }

    static byte[] sample(long value) {
        byte[] bytes = new byte[SAMPLE_SIZE];
        ENCODER.encode(value, MemorySegment.ofArray(bytes));
        return bytes;
    }

    /** The value of a sample copy, checking that all eight longs agree. */
    static long decode(byte[] bytes) {
        return decode(MemorySegment.ofArray(bytes));
    }

    static long decode(MemorySegment bytes) {
        if (bytes.byteSize() != SAMPLE_SIZE) {
            throw new AssertionError("sample size=" + bytes.byteSize());
        }
        long v = bytes.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        for (int k = 1; k < 8; k++) {
            long other = bytes.get(ValueLayout.JAVA_LONG_UNALIGNED, 8L * k);
            if (other != v) {
                throw new AssertionError("torn sample: long 0=" + v + ", long " + k + "=" + other);
            }
        }
        return v;
    }

    /** The value of a live view, read in place. */
    static long decode(SampleView view) {
        return view.read(TestRings::decode);
    }

    /** Commits {@code values} with the raw backend (the test's own writer). */
    static void write(SlotBackend backend, long... values) {
        for (long v : values) {
            int slot = backend.reserveSlot(backend.activeReaders());
            if (slot == SlotBackend.NO_FREE_SLOT) {
                throw new AssertionError("ring full writing " + v);
            }
            ENCODER.encode(v, backend.slotDataPtr(slot));
            backend.commitInPlace(slot, SAMPLE_SIZE);
        }
    }

    /** How many slots the writer could loan right now (loans them and gives them back). */
    static int freeSlots(SlotBackend backend) {
        List<Integer> loans = new ArrayList<>();
        int slot;
        while ((slot = backend.reserveSlot(backend.activeReaders())) != SlotBackend.NO_FREE_SLOT) {
            loans.add(slot);
        }
        loans.forEach(backend::discardSlot);
        return loans.size();
    }

    /** Committed samples that {@code reader} has not marked read. */
    static int unreadBy(SlotBackend backend, int reader) {
        int unread = 0;
        for (int slot = 0; slot < backend.slotCount(); slot++) {
            var s = backend.readSlot(slot);
            if (s.size() > 0 && (s.readerMask() & (1 << reader)) == 0
                    && s.sequence() >= backend.readerStartSequence(reader)) {
                unread++;
            }
        }
        return unread;
    }

    static void await(String what, BooleanSupplier condition) {
        await(what, Duration.ofSeconds(30), condition);
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
