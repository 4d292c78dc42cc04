package io.zerodds.flatdata;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A slot ring in this process's memory: the backend for tests and for writers and readers that
 * share one JVM. It keeps exactly the shared-memory layout (so it behaves like the POSIX backend,
 * minus the other processes) and parks waiters on a monitor.
 *
 * <pre>{@code
 * try (var backend = InMemorySlotBackend.builder().slotCount(16).slotCapacity(256).build()) {
 *     ...
 * }
 * }</pre>
 */
public final class InMemorySlotBackend extends SegmentSlotBackend {

    private final Object monitor = new Object();
    private final String description;

    private InMemorySlotBackend(MemorySegment segment, int slotCount, int capacity) {
        super(segment, segment, slotCount, capacity);
        this.description = "in-memory ring[slots=" + slotCount + ", capacity=" + capacity + "]";
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A ring of {@code slotCount} slots of {@code slotCapacity} bytes, untyped. */
    public static InMemorySlotBackend create(int slotCount, int slotCapacity) {
        return builder().slotCount(slotCount).slotCapacity(slotCapacity).build();
    }

    /** {@inheritDoc} */
    @Override
    public boolean waitForChange(long last, long timeoutNanos) {
        checkOpen();
        checkTimeout(timeoutNanos);
        int expected = (int) last;
        if (generation() != expected) {
            return true;
        }
        if (timeoutNanos == 0) {
            return false;
        }
        // Dekker with signalChange: we publish "waiting" then re-check the generation; the
        // notifier bumps the generation then reads the waiter count. One of us sees the other.
        // A monitor rather than a j.u.c. Condition: waiting and waking allocate nothing (a
        // Condition allocates a node per await), so a blocked reader or writer stays garbage-free.
        addWaiter(1);
        try {
            synchronized (monitor) {
                long deadline = System.nanoTime() + timeoutNanos; // wraps safely: only differences are used
                long remaining = timeoutNanos;
                while (generation() == expected && !isClosed()) {
                    if (remaining <= 0) {
                        return false;
                    }
                    long millis = remaining / 1_000_000L;
                    monitor.wait(millis, (int) (remaining - millis * 1_000_000L));
                    remaining = deadline - System.nanoTime();
                }
                return generation() != expected;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return generation() != expected;
        } finally {
            addWaiter(-1);
        }
    }

    @Override
    void wakeWaiters() {
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    /** {@inheritDoc} The memory is returned to the JVM once no view of it is reachable. */
    @Override
    public void close() {
        markClosed();
    }

    @Override
    public String toString() {
        return description;
    }

    /** Settings of an in-memory ring. */
    public static final class Builder {
        private int slotCount = 16;
        private int slotCapacity = -1;
        private byte[] typeHash;
        private long initialSequence;
        private long typeSize;

        private Builder() {
        }

        /** Number of slots, 1..2^20 (default 16). */
        public Builder slotCount(int slotCount) {
            SegmentLayout.checkSlotCount(slotCount);
            this.slotCount = slotCount;
            return this;
        }

        /** Payload bytes per slot (default: the type's size with {@link #type}, else 256). */
        public Builder slotCapacity(int slotCapacity) {
            SegmentLayout.checkCapacity(slotCapacity);
            this.slotCapacity = slotCapacity;
            return this;
        }

        /** Carries the type hash of {@code type}; without an explicit capacity, slots hold exactly one sample of it. */
        public Builder type(FlatType<?> type) {
            this.typeHash = type.typeHash();
            this.typeSize = type.byteSize();
            return this;
        }

        /** A raw 16-byte type hash. */
        public Builder typeHash(byte[] hash) {
            SegmentLayout.checkTypeHash(hash);
            this.typeHash = hash == null ? null : hash.clone();
            return this;
        }

        /** The first sequence number (default 0); for tests of the 32-bit wrap. */
        public Builder initialSequence(long initialSequence) {
            if (initialSequence < 0) {
                throw new IllegalArgumentException("initialSequence=" + initialSequence + " must be >= 0");
            }
            this.initialSequence = initialSequence;
            return this;
        }

        public InMemorySlotBackend build() {
            int slotCapacity = SegmentLayout.defaultCapacity(this.slotCapacity, typeSize);
            SegmentLayout.checkGeometry(slotCount, slotCapacity);
            long size = SegmentLayout.segmentSize(slotCount, slotCapacity);
            MemorySegment segment = Arena.ofAuto().allocate(size, SegmentLayout.CACHE_LINE);
            SegmentLayout.format(segment, slotCount, slotCapacity, typeHash, initialSequence, 0);
            return new InMemorySlotBackend(segment, slotCount, slotCapacity);
        }
    }
}
