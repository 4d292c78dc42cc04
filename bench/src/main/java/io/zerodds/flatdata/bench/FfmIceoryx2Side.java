package io.zerodds.flatdata.bench;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;

/**
 * One side of the native ping-pong ({@code iceoryx2/native/src/pingpong.rs}) written in Java: the
 * same calls of the crate's C ABI in the same order (loan ahead, commit with its event, receive,
 * release with its event), one FFM downcall each, and nothing of the backend around them. Its
 * blocks, interleaved with the native ones and the backend's, split the backend's cost per hop
 * into what crossing into the crate costs and what the backend's own bookkeeping does.
 */
final class FfmIceoryx2Side implements PingPongSide {
    private static final int SLOTS = 64;
    private static final long EVENT_SENT = 0;
    private static final long EVENT_RELEASED = 1;

    /** The downcalls, as constants (so that they are linked as the backend's are), from the library the backend loads. */
    private static final class Abi {
        private static final Linker LINKER = Linker.nativeLinker();
        private static final SymbolLookup LOOKUP = SymbolLookup.libraryLookup(
                Path.of(System.getProperty(Iceoryx2Latency.LIBRARY_PROPERTY)), Arena.global());
        private static final Linker.Option CRITICAL = Linker.Option.critical(false);
        static final MethodHandle RING_OPEN = handle("fdx_ring_open", FunctionDescriptor.of(JAVA_INT, ADDRESS,
                JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
        static final MethodHandle WRITER_CREATE = handle("fdx_writer_create", FunctionDescriptor.of(JAVA_INT, ADDRESS,
                JAVA_LONG, JAVA_LONG, ADDRESS));
        static final MethodHandle READER_CREATE = handle("fdx_reader_create", FunctionDescriptor.of(JAVA_INT, ADDRESS,
                JAVA_LONG, ADDRESS));
        static final MethodHandle LOAN = handle("fdx_writer_loan", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT,
                ADDRESS), CRITICAL);
        static final MethodHandle COMMIT = handle("fdx_writer_commit", FunctionDescriptor.of(JAVA_INT, ADDRESS,
                JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG), CRITICAL);
        static final MethodHandle RECEIVE = handle("fdx_reader_receive", FunctionDescriptor.of(JAVA_INT, ADDRESS,
                JAVA_INT, ADDRESS), CRITICAL);
        static final MethodHandle RELEASE = handle("fdx_reader_release", FunctionDescriptor.of(JAVA_INT, ADDRESS,
                JAVA_INT, ADDRESS, JAVA_LONG), CRITICAL);
        static final MethodHandle WRITER_CLOSE = handle("fdx_writer_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle READER_CLOSE = handle("fdx_reader_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle RING_CLOSE = handle("fdx_ring_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle LAST_ERROR = handle("fdx_last_error", FunctionDescriptor.of(JAVA_LONG, ADDRESS,
                JAVA_LONG));

        private static MethodHandle handle(String name, FunctionDescriptor descriptor, Linker.Option... options) {
            MemorySegment symbol = LOOKUP.find(name).orElseThrow(() -> new IllegalStateException(
                    "the iceoryx2 native library has no " + name + " (built from older sources?)"));
            return LINKER.downcallHandle(symbol, descriptor, options);
        }
    }

    /** All memory, global scope: chunks are read and written at their addresses without a segment each. */
    private static final MemorySegment MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment outRing;
    private final MemorySegment inRing;
    private final MemorySegment writer;
    private final MemorySegment reader;
    private final MemorySegment loanOut;
    private final MemorySegment received;
    private final int size;
    /** The address of the chunk loaned ahead, 0 when none. */
    private long ahead;
    private long sequence;

    /** Opens (or creates) both rings under {@code prefix}, this side's writer on one and reader on the other. */
    FfmIceoryx2Side(String prefix, String outName, String inName, int size) {
        this.size = size;
        // passed to the hot calls as global-scope views, as the backend's call buffers are
        loanOut = global(arena.allocate(ADDRESS));
        received = global(arena.allocate(40));
        MemorySegment spec = arena.allocate(48);
        spec.set(JAVA_LONG, 0, SLOTS);
        spec.set(JAVA_LONG, 8, size);
        spec.set(JAVA_LONG, 16, Iceoryx2Latency.MAX_READERS);
        try {
            outRing = openRing(prefix, outName, spec);
            inRing = openRing(prefix, inName, spec);
            check((int) Abi.WRITER_CREATE.invokeExact(outRing, (long) SLOTS, (long) size, loanOut), "writer");
            writer = loanOut.get(ADDRESS, 0);
            check((int) Abi.READER_CREATE.invokeExact(inRing, (long) SLOTS, loanOut), "reader");
            reader = loanOut.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private MemorySegment openRing(String prefix, String name, MemorySegment spec) throws Throwable {
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        check((int) Abi.RING_OPEN.invokeExact(arena.allocateFrom(name), (long) n.length, arena.allocateFrom(prefix),
                (long) p.length, spec, loanOut), "open " + name);
        return loanOut.get(ADDRESS, 0);
    }

    private static MemorySegment global(MemorySegment owned) {
        return MemorySegment.ofAddress(owned.address()).reinterpret(owned.byteSize());
    }

    /** Writes {@code round} into the chunk loaned ahead (or loans one now), commits it with its event, loans ahead. */
    private void send(long round) throws Throwable {
        long payload = ahead;
        ahead = 0;
        long n = 0;
        while (payload == 0) {
            int code = (int) Abi.LOAN.invokeExact(writer, 0, loanOut);
            if (code == 0) {
                payload = loanOut.get(JAVA_LONG, 0);
            } else {
                check(code, "loan");
                n = BusyWait.idle(n, "free chunk");
            }
        }
        MEMORY.set(JAVA_LONG, payload, round);
        check((int) Abi.COMMIT.invokeExact(writer, 0, sequence, size, 0, outRing, EVENT_SENT), "commit");
        sequence++;
        int code = (int) Abi.LOAN.invokeExact(writer, 0, loanOut);
        if (code == 0) {
            ahead = loanOut.get(JAVA_LONG, 0);
        } else {
            check(code, "loan ahead"); // none free now: the next send loans
        }
    }

    /** Takes the next sample (busy-spinning) and returns its round number; hold it until {@link #release()}. */
    private long take() throws Throwable {
        long n = 0;
        int code;
        while ((code = (int) Abi.RECEIVE.invokeExact(reader, 0, received)) != 0) {
            check(code, "receive");
            n = BusyWait.idle(n, "sample");
        }
        return MEMORY.get(JAVA_LONG, received.get(JAVA_LONG, 0));
    }

    private void release() throws Throwable {
        check((int) Abi.RELEASE.invokeExact(reader, 0, inRing, EVENT_RELEASED), "release");
    }

    @Override
    public void ping(long first, int rounds, Histogram histogram) {
        try {
            for (long round = first; round < first + rounds; round++) {
                long t0 = System.nanoTime();
                send(round);
                long echoed = take();
                long t1 = System.nanoTime();
                release();
                histogram.recordValue((t1 - t0) / 2);
                if (echoed != round) {
                    throw new IllegalStateException("round " + round + " echoed " + echoed);
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void pong(long rounds) {
        try {
            for (long i = 0; i < rounds; i++) {
                send(take());
                release();
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long local(long rounds) {
        try {
            long t0 = System.nanoTime();
            for (long round = 0; round < rounds; round++) {
                send(round);
                long back = take();
                release();
                if (back != round) {
                    throw new IllegalStateException("round " + round + " came back as " + back);
                }
            }
            return (System.nanoTime() - t0) / Math.max(1, rounds);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private void check(int code, String what) throws Throwable {
        NativeCallFailure.check(code, "FFM ping-pong", what, Abi.LAST_ERROR);
    }

    private static RuntimeException rethrow(Throwable t) {
        return NativeCallFailure.rethrow(t);
    }

    /** Closes the writer (returning the chunk loaned ahead), the reader and both rings. */
    @Override
    public void close() {
        try {
            check((int) Abi.WRITER_CLOSE.invokeExact(writer), "close the writer");
            check((int) Abi.READER_CLOSE.invokeExact(reader), "close the reader");
            check((int) Abi.RING_CLOSE.invokeExact(outRing), "close a ring");
            check((int) Abi.RING_CLOSE.invokeExact(inRing), "close a ring");
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            arena.close();
        }
    }
}
