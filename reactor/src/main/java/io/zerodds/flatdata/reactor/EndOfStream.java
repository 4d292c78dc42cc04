package io.zerodds.flatdata.reactor;

import io.zerodds.flatdata.SlotBackend;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The ring's end of stream ({@code SlotBackend#markEndOfStream()} and
 * {@code SlotBackend#endOfStreamSequence()}), reached through constant method handles so that
 * this module builds against a core with or without that API: without it, every stream stays
 * open. Once every core in use has it, the two calls below become direct calls.
 */
final class EndOfStream {

    /** The stream is open: the writer may still commit. */
    static final long OPEN = Long.MAX_VALUE;

    private static final MethodHandle END_SEQUENCE = find("endOfStreamSequence", MethodType.methodType(long.class));
    private static final MethodHandle MARK_END = find("markEndOfStream", MethodType.methodType(void.class));

    private EndOfStream() {
    }

    private static MethodHandle find(String name, MethodType type) {
        try {
            return MethodHandles.publicLookup().findVirtual(SlotBackend.class, name, type);
        } catch (NoSuchMethodException | IllegalAccessException absent) {
            return null;
        }
    }

    /** True when the core on the class path can end a stream. */
    static boolean supported() {
        return END_SEQUENCE != null && MARK_END != null;
    }

    /** The first sequence that will never be committed, or {@link #OPEN}. */
    static long endSequence(SlotBackend backend) {
        if (END_SEQUENCE == null) {
            return OPEN;
        }
        try {
            return (long) END_SEQUENCE.invokeExact(backend);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Ends the stream (writer thread only). */
    static void markEnd(SlotBackend backend) {
        if (MARK_END == null) {
            throw new UnsupportedOperationException("this flatdata core cannot end a stream: "
                    + "SlotBackend.markEndOfStream() is missing");
        }
        try {
            MARK_END.invokeExact(backend);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
