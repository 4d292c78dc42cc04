package io.zerodds.flatdata;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * The few libc calls the POSIX backend needs, through the FFM linker: {@code syscall(SYS_futex)},
 * {@code syscall(SYS_mmap)}, {@code open}, {@code flock} and {@code close}. Linux on x86_64 or
 * aarch64 only; anything else fails at class initialisation with a message naming the
 * architecture.
 *
 * <p>Pointers are passed as raw {@code long} addresses, never as {@link MemorySegment} arguments:
 * a segment argument would keep its arena acquired for the duration of the call, so a thread
 * blocked in {@code FUTEX_WAIT} would make {@code close()} of the mapping fail. The kernel
 * validates the address itself ({@code EFAULT}), so a raw address cannot crash the JVM.
 */
@SuppressWarnings("restricted") // native access is granted with --enable-native-access, as documented
final class PosixLibc {
    private PosixLibc() {
    }

    static final int EAGAIN = 11;
    static final int EWOULDBLOCK = EAGAIN;

    private static final int FUTEX_WAIT = 0; // process-shared: no FUTEX_PRIVATE_FLAG
    private static final int FUTEX_WAKE = 1;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;

    private static final long SYS_FUTEX;
    private static final long SYS_MMAP;
    private static final long PROT_READ_WRITE = 0x1 | 0x2;
    /** MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_NORESERVE (the same on x86_64 and aarch64). */
    private static final long MAP_ZERO_PAGES_FIXED = 0x02 | 0x10 | 0x20 | 0x4000;
    private static final int O_NOFOLLOW;

    static {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            throw new UnsupportedOperationException("the POSIX shared-memory backend needs Linux, found os.name=" + os);
        }
        switch (arch) {
            case "amd64", "x86_64" -> {
                SYS_FUTEX = 202;
                SYS_MMAP = 9;
                O_NOFOLLOW = 0x20000;
            }
            case "aarch64", "arm64" -> {
                SYS_FUTEX = 98;
                SYS_MMAP = 222;
                O_NOFOLLOW = 0x8000;
            }
            default -> throw new UnsupportedOperationException(
                    "the POSIX shared-memory backend supports x86_64 and aarch64, found os.arch=" + arch);
        }
    }

    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle SYSCALL6;
    /** {@code syscall} without errno capture: the futex calls on the hot path, and mmap at close. */
    private static final MethodHandle SYSCALL;
    private static final MethodHandle OPEN;
    private static final MethodHandle FLOCK;
    private static final MethodHandle CLOSE;
    private static final MethodHandle GETEUID;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        // long syscall(long number, ...): every variadic argument passed as a full 64-bit long
        MemorySegment syscall = libc.find("syscall").orElseThrow();
        FunctionDescriptor syscall6 = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_LONG);
        SYSCALL6 = linker.downcallHandle(syscall, syscall6, Linker.Option.firstVariadicArg(1), errno);
        SYSCALL = linker.downcallHandle(syscall, syscall6, Linker.Option.firstVariadicArg(1));
        // int open(const char *path, int flags, ...): called without the optional mode
        OPEN = linker.downcallHandle(libc.find("open").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(2), errno);
        FLOCK = linker.downcallHandle(libc.find("flock").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errno);
        CLOSE = linker.downcallHandle(libc.find("close").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        GETEUID = linker.downcallHandle(libc.find("geteuid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
    }

    static {
        checkFutex();
    }

    /**
     * The futex calls capture no errno, so a kernel or sandbox that refuses the system call would
     * make every wait return at once: find that out here, once, with errno.
     */
    private static void checkFutex() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE);
            MemorySegment word = arena.allocate(JAVA_INT);
            long r = (long) SYSCALL6.invokeExact(capture, SYS_FUTEX, word.address(), (long) FUTEX_WAKE, 1L, 0L, 0L, 0L);
            if (r < 0) {
                throw new UnsupportedOperationException("the futex system call (number " + SYS_FUTEX
                        + ", FUTEX_WAKE) failed with errno=" + (int) ERRNO.get(capture, 0L)
                        + ": the POSIX backend cannot wake waiters");
            }
            // the word holds 0, we expect 1: a working FUTEX_WAIT returns at once with EAGAIN
            MemorySegment timeout = arena.allocate(16, 8);
            timeout.set(JAVA_LONG, 8, 1_000L);
            r = (long) SYSCALL6.invokeExact(capture, SYS_FUTEX, word.address(), (long) FUTEX_WAIT, 1L,
                    timeout.address(), 0L, 0L);
            int errno = (int) ERRNO.get(capture, 0L);
            if (r < 0 && errno != EAGAIN) {
                throw new UnsupportedOperationException("the futex system call (number " + SYS_FUTEX
                        + ", FUTEX_WAIT) failed with errno=" + errno + ": the POSIX backend cannot wait");
            }
        } catch (UnsupportedOperationException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("futex check failed", t);
        }
    }

    /** The effective uid of this process. */
    static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("geteuid failed", t);
        }
    }

    /** Per-thread scratch: the errno capture area and a {@code struct timespec}. */
    private static final class Scratch {
        final MemorySegment capture;
        final MemorySegment timespec;
        final long timespecAddress;

        Scratch() {
            Arena arena = Arena.ofAuto();
            this.capture = arena.allocate(CAPTURE);
            this.timespec = arena.allocate(16, 8);
            this.timespecAddress = timespec.address();
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * {@code FUTEX_WAIT} on the 32-bit word at {@code address} while it holds {@code expected},
     * for at most {@code timeoutNanos} (relative). Returns when woken, when the word no longer
     * holds {@code expected}, at the timeout, on a signal, or at once when the page is gone (an
     * unmap racing close, a truncated file: {@code EFAULT}). The caller tells these apart by
     * re-reading the word and its clock, so no errno is needed, and none is captured: capturing
     * it allocates per call, and a wait or wake happens per sample when a reader blocks. (That the
     * system call itself works is checked once, with errno, when this class initialises.)
     *
     * @return the raw result: 0 when woken, -1 otherwise
     */
    static long futexWait(long address, int expected, long timeoutNanos) {
        Scratch s = SCRATCH.get();
        s.timespec.set(JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
        s.timespec.set(JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
        try {
            return (long) SYSCALL.invokeExact(SYS_FUTEX, address, (long) FUTEX_WAIT,
                    expected & 0xFFFF_FFFFL, s.timespecAddress, 0L, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("futex wait failed", t);
        }
    }

    /** {@code FUTEX_WAKE} of every waiter on the word at {@code address}; returns how many woke. */
    static int futexWake(long address) {
        long r;
        try {
            r = (long) SYSCALL.invokeExact(SYS_FUTEX, address, (long) FUTEX_WAKE,
                    (long) Integer.MAX_VALUE, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("futex wake failed", t);
        }
        if (r < 0) {
            // EFAULT after an unmap racing close: nobody can wait on that address any more
            return 0;
        }
        return (int) r;
    }

    /**
     * Opens {@code path} read-write without following a symbolic link and takes an exclusive,
     * non-blocking {@code flock} on it. Returns the file descriptor, or -1 when another open file
     * holds the lock. The kernel drops the lock when the descriptor is closed or the process dies,
     * whatever the signal: this is how a writer's death is detected without trusting pids.
     *
     * @throws java.io.IOException when the file cannot be opened
     */
    static int openAndLock(String path) throws java.io.IOException {
        Scratch s = SCRATCH.get();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = (int) OPEN.invokeExact(s.capture, arena.allocateFrom(path), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
        } catch (Throwable t) {
            throw new IllegalStateException("open(" + path + ") failed", t);
        }
        if (fd < 0) {
            throw new java.io.IOException("open(" + path + ") failed with errno=" + (int) ERRNO.get(s.capture, 0L));
        }
        int r;
        try {
            r = (int) FLOCK.invokeExact(s.capture, fd, LOCK_EX | LOCK_NB);
        } catch (Throwable t) {
            close(fd);
            throw new IllegalStateException("flock(" + path + ") failed", t);
        }
        if (r == 0) {
            return fd;
        }
        int errno = (int) ERRNO.get(s.capture, 0L);
        close(fd);
        if (errno == EWOULDBLOCK) {
            return -1;
        }
        throw new java.io.IOException("flock(" + path + ", LOCK_EX|LOCK_NB) failed with errno=" + errno);
    }

    /**
     * Replaces the pages at {@code [address, address + length)} by private zero pages
     * ({@code mmap} with {@code MAP_FIXED | MAP_ANONYMOUS}): whatever was mapped there (a file) is
     * no longer, the addresses stay readable and writable, and no memory is committed until a
     * page is touched. Best effort: where the kernel refuses (only when out of memory or
     * mappings, as the pages are not charged unless the commit limit is strict, which the caller
     * rules out first), the old mapping stays.
     */
    static void replaceWithZeroPages(long address, long length) {
        try {
            long ignored = (long) SYSCALL.invokeExact(SYS_MMAP, address, length, PROT_READ_WRITE,
                    MAP_ZERO_PAGES_FIXED, -1L, 0L);
        } catch (Throwable t) {
            // the old mapping stays until the mapping is collected
        }
    }

    /** Closes a descriptor (which releases its flock). */
    static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close(" + fd + ") failed", t);
        }
    }
}
