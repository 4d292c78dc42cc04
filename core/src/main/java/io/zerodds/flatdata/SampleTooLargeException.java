package io.zerodds.flatdata;

/** A sample does not fit into a slot: {@code size} exceeds {@code slotCapacity}. */
public final class SampleTooLargeException extends IllegalArgumentException {
    private final long size;
    private final int capacity;

    public SampleTooLargeException(long size, int capacity) {
        super("sample size=" + size + " exceeds slot capacity=" + capacity);
        this.size = size;
        this.capacity = capacity;
    }

    public long size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }
}
