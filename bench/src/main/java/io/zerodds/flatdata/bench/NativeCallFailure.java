package io.zerodds.flatdata.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * How the benchmark's own calls into the bridge's native library fail: a negative status code
 * becomes an exception carrying the library's last error message, and whatever a downcall threw
 * comes back unchecked.
 */
final class NativeCallFailure {
    private NativeCallFailure() {
    }

    /**
     * Throws for a negative {@code code}: "{@code who what} failed (code): message", the message
     * read through {@code lastError} ({@code fdx_last_error}).
     */
    static void check(int code, String who, String what, MethodHandle lastError) throws Throwable {
        if (code < 0) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment text = arena.allocate(512);
                long length = (long) lastError.invokeExact(text, text.byteSize());
                byte[] bytes = text.asSlice(0, Math.min(length, text.byteSize())).toArray(ValueLayout.JAVA_BYTE);
                throw new IllegalStateException(who + " " + what + " failed (" + code + "): "
                        + new String(bytes, StandardCharsets.UTF_8));
            }
        }
    }

    /** {@code t} as an unchecked exception (itself when it is one). */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }
}
