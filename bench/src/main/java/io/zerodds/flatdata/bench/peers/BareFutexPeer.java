package io.zerodds.flatdata.bench.peers;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The limit of event-driven waiting: a bare futex ping-pong. Each side owns one 32-bit word of a
 * mapped {@code /dev/shm} file (on lines of their own) with the round next to it; a send stores
 * the round, bumps the word (release) and calls {@code FUTEX_WAKE} (process-shared) every time; a
 * receive calls {@code FUTEX_WAIT} while the other side's word is unchanged. No payload, no
 * waiter bookkeeping: what any event-driven transport pays at least per hop.
 */
final class BareFutexPeer extends LimitPeer {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final long FUTEX_WAIT = 0;
    private static final long FUTEX_WAKE = 1;
    private static final long SYS_FUTEX = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> 202;
        case "aarch64", "arm64" -> 98;
        default -> throw new UnsupportedOperationException("the bare futex limit runs on x86_64 and aarch64, found "
                + "os.arch=" + System.getProperty("os.arch"));
    };
    private static final MethodHandle SYSCALL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));

    BareFutexPeer() {
        super("bare futex (limit)", "futex");
    }

    @Override
    Link link(Side side, MappedFile created, String file) {
        return new Futex(created, file, side);
    }

    private static long futex(long address, long op, long value, long timeoutAddress) {
        try {
            return (long) SYSCALL.invokeExact(SYS_FUTEX, address, op, value, timeoutAddress);
        } catch (Throwable t) {
            throw new IllegalStateException("futex call failed", t);
        }
    }

    private static final class Futex implements Link {
        private final MappedFile created;
        private final String name;
        private final long mine;
        private final long theirs;
        private MappedFile mapped;
        private MemorySegment words;
        private long timeout;
        private int sent;
        private int seen;

        Futex(MappedFile created, String name, Side side) {
            this.created = created;
            this.name = name;
            this.mine = side == Side.PING ? 0 : 128;
            this.theirs = 128 - mine;
        }

        @Override
        public void connect() throws Exception {
            mapped = map(created, name);
            words = mapped.segment();
            // a struct timespec of one second, in the file's last bytes (a wait re-checks after it)
            words.set(JAVA_LONG, SIZE - 16 + (mine == 0 ? 0 : -16), 1);
            timeout = words.address() + SIZE - 16 + (mine == 0 ? 0 : -16);
        }

        @Override
        public void send(long round, int size, boolean touch) {
            words.set(JAVA_LONG, mine + 8, round);
            INT.setRelease(words, mine, ++sent);
            futex(words.address() + mine, FUTEX_WAKE, 1, 0);
        }

        @Override
        public long receive(int size, boolean touch) {
            long start = System.nanoTime();
            int v;
            while ((v = (int) INT.getAcquire(words, theirs)) == seen) {
                futex(words.address() + theirs, FUTEX_WAIT, seen, timeout);
                if (System.nanoTime() - start > Patience.LIMIT.toNanos()) {
                    throw new IllegalStateException("no wake on the bare futex within 10 s (the other process is gone?)");
                }
            }
            seen = v;
            return words.get(JAVA_LONG, theirs + 8);
        }

        @Override
        public void close() throws Exception {
            mapped.close();
        }
    }
}
