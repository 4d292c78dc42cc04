package io.zerodds.flatdata;

import java.util.HexFormat;

/**
 * The checks every writer and reader applies to what it puts into or expects from a ring, in one
 * place: core's {@link FlatWriter}, the backends and the reactive adapter all call these, so the
 * same bad input gets the same exception and the same message whichever API it came through.
 */
public final class SampleChecks {
    private SampleChecks() {
    }

    /**
     * Checks a sample length against a slot capacity and returns it as an {@code int}.
     *
     * @throws IllegalArgumentException when {@code length <= 0} (size 0 marks an empty slot)
     * @throws SampleTooLargeException  when {@code length > capacity}
     */
    public static int checkLength(long length, int capacity) {
        if (length <= 0) {
            throw new IllegalArgumentException("length=" + length + " must be > 0 (sample size=0 marks an empty slot)");
        }
        if (length > capacity) {
            throw new SampleTooLargeException(length, capacity);
        }
        return (int) length;
    }

    /**
     * Checks that {@code backend} carries {@code type}'s hash and that one sample of it fits a slot.
     *
     * @param role who asks ("writer", "reader"), for the message
     * @throws TypeMismatchException   when the ring is untyped or carries another hash; the message
     *                                 names the local type and the ring (whose description names its
     *                                 type where the ring knows it)
     * @throws SampleTooLargeException when the type is larger than a slot
     */
    public static void checkType(SlotBackend backend, FlatType<?> type, String role) {
        byte[] hash = backend.typeHash().orElse(null);
        if (hash == null || !type.sameHash(hash)) {
            throw new TypeMismatchException(role + " type " + type.canonicalText() + " hash=" + type.typeHashHex()
                    + " does not match " + backend + " type hash=" + (hash == null ? "none" : HexFormat.of().formatHex(hash)));
        }
        if (type.byteSize() > backend.slotCapacity()) {
            throw new SampleTooLargeException(type.byteSize(), backend.slotCapacity());
        }
    }
}
