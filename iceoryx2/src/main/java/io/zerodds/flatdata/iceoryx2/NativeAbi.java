package io.zerodds.flatdata.iceoryx2;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * The C ABI of the native bridge ({@code iceoryx2/native/src/lib.rs}): status codes, the three
 * structs it exchanges (their layouts and field offsets live here and nowhere else), and one
 * downcall handle per entry point. Calls that never block are {@code critical} (no thread-state
 * transition); the event wait is not, since it blocks.
 */
final class NativeAbi {

    static final int ABI_VERSION = 3;

    static final int OK = 0;
    static final int NONE = 1;
    static final int ERR_INTERNAL = -1;
    static final int ERR_ARGUMENT = -2;
    static final int ERR_TYPE = -3;
    static final int ERR_SETTINGS = -4;
    static final int ERR_EXISTS = -5;
    static final int ERR_MISSING = -6;
    static final int ERR_PANIC = -7;
    static final int ERR_LIMIT = -8;
    static final int ERR_STATE = -9;

    static final int MODE_OPEN_OR_CREATE = 0;
    static final int MODE_CREATE = 1;
    static final int MODE_OPEN = 2;

    /** {@code RingSpec}: what a ring is opened with. */
    static final StructLayout RING_SPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("slot_count"),
            JAVA_LONG.withName("capacity"),
            JAVA_LONG.withName("max_readers"),
            JAVA_INT.withName("mode"),
            JAVA_INT.withName("has_type_hash"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("type_hash"));
    static final long SPEC_SLOT_COUNT = 0;
    static final long SPEC_CAPACITY = 8;
    static final long SPEC_MAX_READERS = 16;
    static final long SPEC_MODE = 24;
    static final long SPEC_HAS_TYPE_HASH = 28;
    static final long SPEC_TYPE_HASH = 32;

    /** {@code RingInfo}: what the ring turned out to be. */
    static final StructLayout RING_INFO = MemoryLayout.structLayout(
            JAVA_LONG.withName("slot_count"),
            JAVA_LONG.withName("capacity"),
            JAVA_LONG.withName("subscriber_max_buffer_size"),
            JAVA_INT.withName("has_type_hash"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("type_hash"),
            MemoryLayout.paddingLayout(4));
    static final long INFO_SLOT_COUNT = 0;
    static final long INFO_CAPACITY = 8;
    static final long INFO_BUFFER = 16;
    static final long INFO_HAS_TYPE_HASH = 24;
    static final long INFO_TYPE_HASH = 28;

    /** {@code Received}: one sample handed to a reader, in place. */
    static final StructLayout RECEIVED = MemoryLayout.structLayout(
            ADDRESS.withName("payload"),
            JAVA_LONG.withName("slice_len"),
            JAVA_LONG.withName("sequence"),
            JAVA_INT.withName("length"),
            JAVA_INT.withName("flags"));
    static final long RECEIVED_PAYLOAD = 0;
    static final long RECEIVED_SLICE_LEN = 8;
    static final long RECEIVED_SEQUENCE = 16;
    static final long RECEIVED_LENGTH = 24;
    static final long RECEIVED_FLAGS = 28;

    static {
        check(RING_SPEC, "type_hash", SPEC_TYPE_HASH);
        check(RING_SPEC, "has_type_hash", SPEC_HAS_TYPE_HASH);
        check(RING_INFO, "type_hash", INFO_TYPE_HASH);
        check(RING_INFO, "has_type_hash", INFO_HAS_TYPE_HASH);
        check(RECEIVED, "flags", RECEIVED_FLAGS);
    }

    private static void check(StructLayout layout, String field, long offset) {
        long actual = layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
        if (actual != offset) {
            throw new AssertionError(field + " at " + actual + ", constant says " + offset);
        }
    }

    static final MethodHandle ABI;
    static final MethodHandle LAST_ERROR;
    static final MethodHandle RING_OPEN;
    static final MethodHandle RING_INFO_OF;
    static final MethodHandle RING_CLOSE;
    static final MethodHandle RING_NOTIFY;
    static final MethodHandle RING_WAIT;
    static final MethodHandle RING_CLEANUP;
    static final MethodHandle RING_PORTS;
    static final MethodHandle WRITER_CREATE;
    static final MethodHandle WRITER_LOAN;
    static final MethodHandle WRITER_COMMIT;
    static final MethodHandle WRITER_DISCARD;
    static final MethodHandle WRITER_CLOSE;
    static final MethodHandle READER_CREATE;
    static final MethodHandle READER_RECEIVE;
    static final MethodHandle READER_RELEASE;
    static final MethodHandle READER_UPDATE_CONNECTIONS;
    static final MethodHandle READER_CLOSE;
    static final MethodHandle SELFTEST_PANIC;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup lookup = NativeLibrary.load();
        Linker.Option critical = Linker.Option.critical(false);
        ValueLayout size = JAVA_LONG;
        ABI = handle(linker, lookup, "fdx_abi_version", FunctionDescriptor.of(JAVA_INT), critical);
        LAST_ERROR = handle(linker, lookup, "fdx_last_error", FunctionDescriptor.of(size, ADDRESS, size), critical);
        RING_OPEN = handle(linker, lookup, "fdx_ring_open",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, size, ADDRESS, size, ADDRESS, ADDRESS));
        RING_INFO_OF = handle(linker, lookup, "fdx_ring_info", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), critical);
        RING_CLOSE = handle(linker, lookup, "fdx_ring_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        RING_NOTIFY = handle(linker, lookup, "fdx_ring_notify", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), critical);
        RING_WAIT = handle(linker, lookup, "fdx_ring_wait",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, size));
        RING_CLEANUP = handle(linker, lookup, "fdx_ring_cleanup_dead_nodes", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        RING_PORTS = handle(linker, lookup, "fdx_ring_ports", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), critical);
        WRITER_CREATE = handle(linker, lookup, "fdx_writer_create",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        WRITER_LOAN = handle(linker, lookup, "fdx_writer_loan", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), critical);
        WRITER_COMMIT = handle(linker, lookup, "fdx_writer_commit",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG),
                critical);
        WRITER_DISCARD = handle(linker, lookup, "fdx_writer_discard", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), critical);
        WRITER_CLOSE = handle(linker, lookup, "fdx_writer_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        READER_CREATE = handle(linker, lookup, "fdx_reader_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
        READER_RECEIVE = handle(linker, lookup, "fdx_reader_receive", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), critical);
        READER_RELEASE = handle(linker, lookup, "fdx_reader_release",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG), critical);
        READER_UPDATE_CONNECTIONS = handle(linker, lookup, "fdx_reader_update_connections",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        READER_CLOSE = handle(linker, lookup, "fdx_reader_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        SELFTEST_PANIC = handle(linker, lookup, "fdx_selftest_panic", FunctionDescriptor.of(JAVA_INT));
        int version = abiVersion();
        if (version != ABI_VERSION) {
            throw new IllegalStateException("native flatdata-iceoryx2 library has ABI version " + version
                    + ", this jar needs " + ABI_VERSION);
        }
    }

    private NativeAbi() {
    }

    private static MethodHandle handle(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor descriptor,
                                       Linker.Option... options) {
        MemorySegment symbol = lookup.find(name)
                .orElseThrow(() -> new IllegalStateException("native library lacks symbol " + name));
        return linker.downcallHandle(symbol, descriptor, options);
    }

    private static int abiVersion() {
        try {
            return (int) ABI.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Calls the native self-test that panics inside the boundary guard; returns its status code. */
    static int selfTestPanic() {
        try {
            return (int) SELFTEST_PANIC.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The calling thread's last error message from the native side. */
    static String lastError() {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(1024);
            long length = (long) LAST_ERROR.invokeExact(buffer, buffer.byteSize());
            int n = (int) Math.min(length, buffer.byteSize());
            return new String(buffer.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }
}
