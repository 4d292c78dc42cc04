package io.zerodds.flatdata;

import io.zerodds.flatdata.test.Checksummed;
import io.zerodds.flatdata.test.ChildProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The main of the child JVMs of the multi-process tests. Talks over stdout lines (and reads
 * commands from stdin where a step must wait for the test).
 */
public final class PosixChild {
    private PosixChild() {
    }

    static final int SAMPLE_SIZE = 64;

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String name = args.length > 1 ? args[1] : null;
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        switch (mode) {
            case "writer" -> writer(name, Long.parseLong(args[2]), Integer.parseInt(args[3]), stdin);
            case "reader" -> System.exit(reader(name, Long.parseLong(args[2])));
            case "loaning-writer" -> loaningWriter(name, Integer.parseInt(args[2]), stdin);
            case "stalled-reader" -> stalledReader(name);
            case "waiter" -> waiter(name);
            case "truncation" -> System.exit(truncation(name));
            case "truncation-first" -> System.exit(truncationFirst(name));
            default -> throw new IllegalArgumentException("mode=" + mode);
        }
    }

    // ------------------------------------------------------------------ launching

    /** A child JVM running this class in {@code mode} with its arguments ({@code args[0]} is the mode). */
    static ChildProcess start(String... args) {
        return startWith(List.of(), args);
    }

    /** As {@link #start}, but never reaped by its parent: killed, it stays a zombie. */
    static ChildProcess startUnreaped(String... args) {
        return ChildProcess.javaUnreaped(List.of("-Xmx128m", "-XX:+UseSerialGC"), PosixChild.class, args);
    }

    /** As {@link #start}, with extra JVM options (such as {@code -Xint}). */
    static ChildProcess startWith(List<String> jvmOptions, String... args) {
        List<String> options = new ArrayList<>(List.of("-Xmx128m", "-XX:+UseSerialGC"));
        options.addAll(jvmOptions);
        return ChildProcess.java(options, PosixChild.class, args);
    }

    // ------------------------------------------------------------------ samples

    /** Sample i: a {@link Checksummed} sample of {@link #SAMPLE_SIZE} bytes. */
    static void encode(long i, MemorySegment out) {
        Checksummed.writeSized(i, out, SAMPLE_SIZE);
    }

    /** Returns the sample's index, or throws when its size or any byte is off. */
    static long decode(MemorySegment in) {
        if (in.byteSize() != SAMPLE_SIZE) {
            throw new IllegalStateException("sample size=" + in.byteSize() + ", expected " + SAMPLE_SIZE);
        }
        try {
            return Checksummed.verify(in);
        } catch (AssertionError e) {
            throw new IllegalStateException(e.getMessage());
        }
    }

    // ------------------------------------------------------------------ modes

    /** Creates the ring, says READY, waits for GO, writes {@code count} samples, says DONE. */
    static void writer(String name, long count, int slots, BufferedReader stdin) throws Exception {
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(slots).slotCapacity(SAMPLE_SIZE).build();
             FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(60))) {
            System.out.println("READY");
            expect(stdin, "GO");
            for (long i = 0; i < count; i++) {
                FlatWriter.Claim claim = writer.loan();
                encode(i, claim.segment());
                claim.commit(SAMPLE_SIZE);
            }
            System.out.println("DONE");
            expect(stdin, "EXIT");
        }
    }

    /** Attaches, says ATTACHED, takes {@code count} samples checking order and checksums, says OK. */
    static int reader(String name, long count) {
        try (PosixSlotBackend ring = PosixSlotBackend.open(name).build();
             FlatReader reader = FlatReader.attach(ring)) {
            System.out.println("ATTACHED " + reader.readerIndex());
            long start = reader.nextSequence();
            for (long i = 0; i < count; i++) {
                try (Sample s = reader.take(Duration.ofSeconds(60))) {
                    if (s == null) {
                        System.out.println("FAIL timeout at sample " + i);
                        return 1;
                    }
                    long got = decode(s.segment());
                    if (got != i || s.sequence() != start + i) {
                        System.out.println("FAIL expected sample " + i + " (sequence " + (start + i) + "), got " + got
                                + " (sequence " + s.sequence() + ")");
                        return 1;
                    }
                }
            }
            System.out.println("OK count=" + count);
            return 0;
        } catch (RuntimeException e) {
            System.out.println("FAIL " + e);
            return 1;
        }
    }

    /** Creates (kept), waits for GO, commits {@code committed} samples, loans one more and hangs. */
    static void loaningWriter(String name, int committed, BufferedReader stdin) throws Exception {
        PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(8).slotCapacity(SAMPLE_SIZE).keepOnClose().build();
        FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(30));
        System.out.println("READY");
        expect(stdin, "GO");
        for (int i = 0; i < committed; i++) {
            FlatWriter.Claim claim = writer.loan();
            encode(i, claim.segment());
            claim.commit(SAMPLE_SIZE);
        }
        FlatWriter.Claim claim = writer.loan();
        claim.segment().fill((byte) 0x5A); // half-written garbage that must never be delivered
        System.out.println("LOANED slot=" + claim.slot());
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Attaches a reader that never reads: says ATTACHED and hangs (its lease thread keeps beating). */
    static void stalledReader(String name) throws Exception {
        PosixSlotBackend ring = PosixSlotBackend.open(name).build();
        FlatReader reader = FlatReader.attach(ring);
        System.out.println("ATTACHED " + reader.readerIndex());
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Attaches, says WAITING, blocks up to 60 s for one sample, prints it. */
    static void waiter(String name) {
        try (PosixSlotBackend ring = PosixSlotBackend.open(name).build();
             FlatReader reader = FlatReader.attach(ring)) {
            System.out.println("WAITING " + reader.readerIndex());
            long t0 = System.nanoTime();
            byte[] got = reader.takeCopy(Duration.ofSeconds(60));
            System.out.println(got == null ? "TIMEOUT" : "WOKE " + new String(got, StandardCharsets.UTF_8) + " after "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
    }

    /**
     * Opens the ring, truncates its file, then calls every operation (run with -Xint, where a
     * compare-and-set on a lost page would kill the JVM): each must fail with
     * SegmentFormatException. Says ALIVE at the end.
     */
    static int truncation(String name) throws Exception {
        PosixSlotBackend ring = PosixSlotBackend.open(name).build();
        int reader = ring.attachReader();
        try (FileChannel ch = FileChannel.open(ring.path(), StandardOpenOption.WRITE)) {
            ch.truncate(4096);
        }
        List<Supplier<Object>> calls = List.of(
                () -> ring.attachReader(), () -> ring.attachReader(7), () -> {
                    ring.detachReader(reader);
                    return null;
                }, () -> {
                    ring.markReaderDisconnected(reader);
                    return null;
                }, () -> ring.readSlot(ring.slotCount() - 1), () -> ring.nextUnreadSlot(reader),
                () -> ring.nextUnreadSlot(reader, 0), () -> ring.activeReaders(), () -> ring.slotSequence(0),
                () -> ring.waitForChange(ring.notifyGeneration() + 1, 1_000_000L));
        List<String> outcomes = new ArrayList<>();
        int bad = 0;
        for (Supplier<Object> call : calls) {
            try {
                Object result = call.get();
                outcomes.add("returned " + result);
                bad++;
            } catch (SegmentFormatException e) {
                outcomes.add("SegmentFormatException");
                if (!e.getMessage().contains(ring.path().toString())) {
                    bad++;
                }
            } catch (Throwable t) {
                outcomes.add(t.toString());
                bad++;
            }
        }
        ring.close();
        System.out.println("OUTCOMES " + outcomes);
        System.out.println("ALIVE");
        return bad == 0 ? 0 : 1;
    }

    /** One operation that meets a truncated ring as its very first access after the truncation. */
    private interface FirstCall {
        Object call(PosixSlotBackend ring, int reader, int committed, int loaned);
    }

    /**
     * For each operation that writes the ring with an atomic read-modify-write: a fresh ring of
     * this process, a reader, a committed sample and a loan in the last slots, the file truncated
     * to its first page, then that operation as the first call (run with -Xint: the interpreter's
     * compare-and-set on a lost page is the access HotSpot does not turn into an exception). Each
     * must fail with SegmentFormatException. Says ALIVE at the end.
     */
    static int truncationFirst(String prefix) throws Exception {
        List<FirstCall> calls = List.of(
                (ring, reader, committed, loaned) -> {
                    ring.markRead(committed, reader);
                    return null;
                },
                (ring, reader, committed, loaned) -> ring.commitInPlace(loaned, 1),
                (ring, reader, committed, loaned) -> {
                    ring.discardSlot(loaned);
                    return null;
                },
                (ring, reader, committed, loaned) -> ring.waitForChange(ring.notifyGeneration(), 1_000_000L),
                (ring, reader, committed, loaned) -> {
                    ring.wakeAll();
                    return null;
                },
                (ring, reader, committed, loaned) -> {
                    ring.detachReader(reader);
                    return null;
                },
                (ring, reader, committed, loaned) -> ring.reserveSlot(0));
        List<String> outcomes = new ArrayList<>();
        int bad = 0;
        for (int i = 0; i < calls.size(); i++) {
            PosixSlotBackend ring = PosixSlotBackend.create(prefix + "-" + i).slotCount(64).slotCapacity(1000).build();
            int reader = ring.attachReader();
            int committed = -1;
            for (int n = 0; n < 63; n++) { // the last committed sample and the loan lie past the first page
                committed = ring.reserveSlot(ring.activeReaders());
                ring.commitSlot(committed, new byte[] {(byte) n});
                if (n < 62) {
                    ring.markRead(committed, reader);
                }
            }
            int loaned = ring.reserveSlot(ring.activeReaders());
            try (FileChannel ch = FileChannel.open(ring.path(), StandardOpenOption.WRITE)) {
                ch.truncate(4096);
            }
            try {
                Object result = calls.get(i).call(ring, reader, committed, loaned);
                outcomes.add(i + ": returned " + result);
                bad++;
            } catch (SegmentFormatException e) {
                outcomes.add(i + ": SegmentFormatException");
            } catch (Throwable t) {
                outcomes.add(i + ": " + t);
                bad++;
            }
            ring.close();
        }
        System.out.println("OUTCOMES " + outcomes);
        System.out.println("ALIVE");
        return bad == 0 ? 0 : 1;
    }

    private static void expect(BufferedReader stdin, String word) throws Exception {
        String line = stdin.readLine();
        if (!word.equals(line)) {
            throw new IllegalStateException("expected '" + word + "' on stdin, got '" + line + "'");
        }
    }
}
