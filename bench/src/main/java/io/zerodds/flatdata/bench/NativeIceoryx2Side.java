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
 * One side of the native Rust iceoryx2 ping-pong ({@code iceoryx2/native/src/pingpong.rs}), run
 * inside this JVM process on the calling thread: a whole block of rounds per FFM call, so that it
 * crosses FFM once per block, not per sample. {@link Iceoryx2Latency} interleaves its blocks with
 * the Java backend's in the same two processes and threads, so the two see the same placement
 * and their difference is the cost of Java and FFM per hop.
 *
 * <p>The library is the one the Java backend loads too ({@code -Dflatdata.iceoryx2.library}, set
 * to the same file by the benchmark), so both use one copy of iceoryx2 in the process.
 */
final class NativeIceoryx2Side implements PingPongSide {
    private static final Linker LINKER = Linker.nativeLinker();

    private final Arena arena = Arena.ofConfined();
    private final MethodHandle ping;
    private final MethodHandle pong;
    private final MethodHandle local;
    private final MethodHandle close;
    private final MethodHandle lastError;
    private final MemorySegment side;
    private MemorySegment halves;

    NativeIceoryx2Side(Path library, String prefix, String outName, String inName, int size) {
        SymbolLookup lookup = SymbolLookup.libraryLookup(library, Arena.global());
        MethodHandle open = handle(lookup, "fdx_bench_side_open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG,
                ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        ping = handle(lookup, "fdx_bench_ping", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        pong = handle(lookup, "fdx_bench_pong", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        local = handle(lookup, "fdx_bench_local", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
        close = handle(lookup, "fdx_bench_side_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        lastError = handle(lookup, "fdx_last_error", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG));
        MemorySegment out = arena.allocate(ADDRESS);
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] o = outName.getBytes(StandardCharsets.UTF_8);
        byte[] i = inName.getBytes(StandardCharsets.UTF_8);
        try {
            check((int) open.invokeExact(arena.allocateFrom(prefix), (long) p.length, arena.allocateFrom(outName),
                    (long) o.length, arena.allocateFrom(inName), (long) i.length, (long) size, out), "open");
        } catch (Throwable t) {
            throw rethrow(t);
        }
        side = out.get(ADDRESS, 0);
        halves = arena.allocate(JAVA_LONG, 1);
    }

    private static MethodHandle handle(SymbolLookup lookup, String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = lookup.find(name).orElseThrow(() -> new IllegalStateException(
                "the iceoryx2 native library has no " + name + " (built from older sources?)"));
        return LINKER.downcallHandle(symbol, descriptor);
    }

    @Override
    public void ping(long first, int rounds, Histogram histogram) {
        if (halves.byteSize() < rounds * 8L) {
            halves = arena.allocate(JAVA_LONG, rounds);
        }
        try {
            check((int) ping.invokeExact(side, first, (long) rounds, halves), "ping");
        } catch (Throwable t) {
            throw rethrow(t);
        }
        for (int r = 0; r < rounds; r++) {
            histogram.recordValue(halves.getAtIndex(JAVA_LONG, r));
        }
    }

    @Override
    public long local(long rounds) {
        try {
            check((int) local.invokeExact(side, rounds, halves), "local");
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return halves.get(JAVA_LONG, 0);
    }

    @Override
    public void pong(long rounds) {
        try {
            check((int) pong.invokeExact(side, rounds), "pong");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private void check(int code, String what) throws Throwable {
        NativeCallFailure.check(code, "native ping-pong", what, lastError);
    }

    private static RuntimeException rethrow(Throwable t) {
        return NativeCallFailure.rethrow(t);
    }

    @Override
    public void close() {
        try {
            check((int) close.invokeExact(side), "close");
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            arena.close();
        }
    }
}
