package io.zerodds.flatdata.bench.peers;

/** The message sizes of the peer benchmark. */
final class Sizes {
    private Sizes() {
    }

    static final int SMALLEST = 64;
    static final int LARGEST = 1 << 20;
    /** The sizes measured: 64 B, 4 KiB, 64 KiB, 1 MiB. */
    static final int[] ALL = {SMALLEST, 4 << 10, 64 << 10, LARGEST};

    /** The position of {@code size} in {@link #ALL}. */
    static int index(int size) {
        for (int i = 0; i < ALL.length; i++) {
            if (ALL[i] == size) {
                return i;
            }
        }
        throw new IllegalArgumentException("size=" + size + " is not one of the measured sizes");
    }

    /** {@code 64 B}, {@code 4 KiB}, {@code 1 MiB}. */
    static String label(int size) {
        if (size >= 1 << 20 && size % (1 << 20) == 0) {
            return (size >> 20) + " MiB";
        }
        if (size >= 1 << 10 && size % (1 << 10) == 0) {
            return (size >> 10) + " KiB";
        }
        return size + " B";
    }
}
