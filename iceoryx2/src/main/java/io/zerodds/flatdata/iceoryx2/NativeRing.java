package io.zerodds.flatdata.iceoryx2;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zerodds.flatdata.SlotStateException;
import io.zerodds.flatdata.TypeMismatchException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * The native handles of one ring (its node and services, at most one writer, at most one reader)
 * and the typed calls on them. Status codes become exceptions here, with the native message; the
 * normal-flow results ({@link NativeAbi#NONE}: nothing received, no chunk free, wait timed out)
 * are returned, not thrown. Callers serialise the calls on the writer and on the reader.
 */
final class NativeRing {

    private final String name;
    private final MemorySegment ring;
    private final MemorySegment info;

    private NativeRing(String name, MemorySegment ring, MemorySegment info) {
        this.name = name;
        this.ring = ring;
        this.info = info;
    }

    static NativeRing open(Arena arena, String name, String prefix, int mode, long slots, long capacity,
                           long maxReaders, byte[] typeHash) {
        MemorySegment nameBytes = utf8(arena, name);
        MemorySegment prefixBytes = prefix == null ? MemorySegment.NULL : utf8(arena, prefix);
        MemorySegment spec = arena.allocate(NativeAbi.RING_SPEC);
        spec.set(JAVA_LONG, NativeAbi.SPEC_SLOT_COUNT, slots);
        spec.set(JAVA_LONG, NativeAbi.SPEC_CAPACITY, capacity);
        spec.set(JAVA_LONG, NativeAbi.SPEC_MAX_READERS, maxReaders);
        spec.set(JAVA_INT, NativeAbi.SPEC_MODE, mode);
        spec.set(JAVA_INT, NativeAbi.SPEC_HAS_TYPE_HASH, typeHash == null ? 0 : 1);
        if (typeHash != null) {
            MemorySegment.copy(typeHash, 0, spec, JAVA_BYTE, NativeAbi.SPEC_TYPE_HASH, 16);
        }
        MemorySegment out = arena.allocate(ADDRESS);
        int code;
        try {
            code = (int) NativeAbi.RING_OPEN.invokeExact(nameBytes, nameBytes.byteSize(), prefixBytes,
                    prefix == null ? 0L : prefixBytes.byteSize(), spec, out);
        } catch (Throwable t) {
            throw NativeAbi.rethrow(t);
        }
        check(code, "open service", name);
        MemorySegment handle = out.get(ADDRESS, 0);
        MemorySegment info = arena.allocate(NativeAbi.RING_INFO);
        try {
            code = (int) NativeAbi.RING_INFO_OF.invokeExact(handle, info);
        } catch (Throwable t) {
            throw NativeAbi.rethrow(t);
        }
        check(code, "describe service", name);
        return new NativeRing(name, handle, info);
    }

    private static MemorySegment utf8(Arena arena, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        MemorySegment segment = arena.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(bytes, 0, segment, JAVA_BYTE, 0, bytes.length);
        return segment.asSlice(0, bytes.length);
    }

    /**
     * A buffer for a hot-path call's output, allocated in {@code arena} and passed to native code
     * through a global-scope view of the same memory: a downcall acquires and releases the scope of
     * every segment argument of a shared arena (two atomic updates of a shared counter per call),
     * which a global-scope segment skips. The owner keeps the arena open while calls may run and
     * closes it only after they stopped.
     */
    static MemorySegment callBuffer(Arena arena, MemoryLayout layout) {
        MemorySegment owned = arena.allocate(layout);
        return MemorySegment.ofAddress(owned.address()).reinterpret(owned.byteSize());
    }

    /** Throws the exception for a negative status code; returns non-negative codes. */
    static int check(int code, String what) {
        return code >= 0 ? code : fail(code, what);
    }

    /**
     * {@link #check(int, String)} for the hot paths: the message ({@code action "service"}) is
     * made only when the call failed, so a successful call allocates nothing.
     */
    static int check(int code, String action, String service) {
        return code >= 0 ? code : fail(code, action + " \"" + service + "\"");
    }

    private static int fail(int code, String what) {
        String message = what + ": " + NativeAbi.lastError();
        throw switch (code) {
            case NativeAbi.ERR_ARGUMENT -> new IllegalArgumentException(message);
            case NativeAbi.ERR_TYPE -> new TypeMismatchException(message);
            case NativeAbi.ERR_STATE -> new SlotStateException(message);
            case NativeAbi.ERR_SETTINGS -> new Iceoryx2Exception(Iceoryx2Exception.Reason.SETTINGS, message);
            case NativeAbi.ERR_EXISTS -> new Iceoryx2Exception(Iceoryx2Exception.Reason.EXISTS, message);
            case NativeAbi.ERR_MISSING -> new Iceoryx2Exception(Iceoryx2Exception.Reason.MISSING, message);
            case NativeAbi.ERR_LIMIT -> new Iceoryx2Exception(Iceoryx2Exception.Reason.LIMIT, message);
            case NativeAbi.ERR_PANIC -> new Iceoryx2Exception(Iceoryx2Exception.Reason.PANIC, message);
            default -> new Iceoryx2Exception(Iceoryx2Exception.Reason.INTERNAL, message);
        };
    }

    String name() {
        return name;
    }

    /** The native ring handle, for the calls that notify on it in the same crossing. */
    MemorySegment handle() {
        return ring;
    }

    /** The slot count from the creator's attribute, 0 when it defined none. */
    long attributeSlotCount() {
        return info.get(JAVA_LONG, NativeAbi.INFO_SLOT_COUNT);
    }

    /** The capacity from the creator's attribute, 0 when it defined none. */
    long attributeCapacity() {
        return info.get(JAVA_LONG, NativeAbi.INFO_CAPACITY);
    }

    long subscriberBufferSize() {
        return info.get(JAVA_LONG, NativeAbi.INFO_BUFFER);
    }

    /** The creator's type hash, or null when it defined none. */
    byte[] typeHash() {
        if (info.get(JAVA_INT, NativeAbi.INFO_HAS_TYPE_HASH) == 0) {
            return null;
        }
        return info.asSlice(NativeAbi.INFO_TYPE_HASH, 16).toArray(JAVA_BYTE);
    }

    void notify(long eventId) {
        int code;
        try {
            code = (int) NativeAbi.RING_NOTIFY.invokeExact(ring, eventId);
        } catch (Throwable t) {
            throw NativeAbi.rethrow(t);
        }
        check(code, "notify on", name);
    }

    /**
     * Waits up to {@code timeoutNanos} (0: collect only) and adds how often each event id was
     * notified to the longs of {@code counts}; OK when events came, NONE on timeout.
     */
    int waitEvents(long timeoutNanos, MemorySegment counts) {
        int code;
        try {
            code = (int) NativeAbi.RING_WAIT.invokeExact(ring, timeoutNanos, counts, counts.byteSize() / Long.BYTES);
        } catch (Throwable t) {
            throw NativeAbi.rethrow(t);
        }
        return check(code, "wait on", name);
    }

    int cleanupDeadNodes() {
        try {
            return check((int) NativeAbi.RING_CLEANUP.invokeExact(ring), "clean up dead nodes of", name);
        } catch (Throwable t) {
            throw NativeAbi.rethrow(t);
        }
    }

    int publishers() {
        return ports(0);
    }

    int subscribers() {
        return ports(1);
    }

    private int ports(int which) {
        try {
            return check((int) NativeAbi.RING_PORTS.invokeExact(ring, which), "count ports of", name);
        } catch (Throwable t) {
            throw NativeAbi.rethrow(t);
        }
    }

    MemorySegment createWriter(Arena arena, long slots, long capacity) {
        MemorySegment out = arena.allocate(ADDRESS);
        int code;
        try {
            code = (int) NativeAbi.WRITER_CREATE.invokeExact(ring, slots, capacity, out);
        } catch (Throwable t) {
            throw NativeAbi.rethrow(t);
        }
        check(code, "create the writer of", name);
        return out.get(ADDRESS, 0);
    }

    /** OK with the payload address in {@code out}, or NONE when no chunk is free. */
    static int loan(MemorySegment writer, int slot, MemorySegment out) {
        try {
            return (int) NativeAbi.WRITER_LOAN.invokeExact(writer, slot, out);
        } catch (Throwable t) {
            throw NativeAbi.rethrow(t);
        }
    }

    /** Sends the loan in {@code slot}, then notifies {@code event} on {@code ring} (no notify for {@code NULL}). */
    static int commit(MemorySegment writer, int slot, long sequence, int length, int flags, MemorySegment ring,
                      long event) {
        try {
            return (int) NativeAbi.WRITER_COMMIT.invokeExact(writer, slot, sequence, length, flags, ring, event);
        } catch (Throwable t) {
            throw NativeAbi.rethrow(t);
        }
    }

    static int discard(MemorySegment writer, int slot) {
        try {
            return (int) NativeAbi.WRITER_DISCARD.invokeExact(writer, slot);
        } catch (Throwable t) {
            throw NativeAbi.rethrow(t);
        }
    }

    static void closeWriter(MemorySegment writer) {
        try {
            check((int) NativeAbi.WRITER_CLOSE.invokeExact(writer), "close writer");
        } catch (Throwable t) {
            throw NativeAbi.rethrow(t);
        }
    }

    MemorySegment createReader(Arena arena, long slots) {
        MemorySegment out = arena.allocate(ADDRESS);
        int code;
        try {
            code = (int) NativeAbi.READER_CREATE.invokeExact(ring, slots, out);
        } catch (Throwable t) {
            throw NativeAbi.rethrow(t);
        }
        check(code, "create a reader of", name);
        return out.get(ADDRESS, 0);
    }

    /** OK with the sample described in {@code out}, or NONE when nothing is queued. */
    static int receive(MemorySegment reader, int slot, MemorySegment out) {
        try {
            return (int) NativeAbi.READER_RECEIVE.invokeExact(reader, slot, out);
        } catch (Throwable t) {
            throw NativeAbi.rethrow(t);
        }
    }

    /** Drops the sample in {@code slot}, then notifies {@code event} on {@code ring} (no notify for {@code NULL}). */
    static int release(MemorySegment reader, int slot, MemorySegment ring, long event) {
        try {
            return (int) NativeAbi.READER_RELEASE.invokeExact(reader, slot, ring, event);
        } catch (Throwable t) {
            throw NativeAbi.rethrow(t);
        }
    }

    static void updateConnections(MemorySegment reader) {
        try {
            check((int) NativeAbi.READER_UPDATE_CONNECTIONS.invokeExact(reader), "connect a reader to new writers");
        } catch (Throwable t) {
            throw NativeAbi.rethrow(t);
        }
    }

    static void closeReader(MemorySegment reader) {
        try {
            check((int) NativeAbi.READER_CLOSE.invokeExact(reader), "close reader");
        } catch (Throwable t) {
            throw NativeAbi.rethrow(t);
        }
    }

    void close() {
        try {
            check((int) NativeAbi.RING_CLOSE.invokeExact(ring), "close service", name);
        } catch (Throwable t) {
            throw NativeAbi.rethrow(t);
        }
    }
}
