package io.zerodds.flatdata.cli;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.Sample;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.SlotTimeoutException;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The three parts of the demo, each on the ring it is given, counting into its {@link Meter}: the
 * writer, a plain {@link FlatReader}, and a {@link ReactiveFlatReader} pipeline with a slow stage.
 * They run as the demo's child processes over POSIX shared memory or an iceoryx2 service, or as
 * threads of one process over the in-memory ring.
 */
final class DemoWorkers {
    private DemoWorkers() {
    }

    /** How long the writer waits for a free slot, and the readers for the readers to attach. */
    static final Duration PATIENCE = Duration.ofSeconds(30);

    /** The readers attached to {@code ring} now, as its reader registry counts them (across processes over POSIX). */
    static int attachedReaders(SlotBackend ring) {
        return Integer.bitCount(ring.activeReaders());
    }

    /**
     * Waits until {@code readers} readers are there ({@code connected} counts them: the ring's
     * registry, or over iceoryx2 the service's subscribers), then writes samples of {@code size}
     * bytes for {@code nanos} (or {@code count} samples, whichever comes first) at {@code rate}
     * samples/s (0: as fast as the readers take them), and ends the stream. A sample is written in
     * place in its slot; when the ring is full the writer counts a stall and waits, event-driven,
     * for a reader to free a slot. The writer's clock stops with the end of the stream.
     */
    static void write(SlotBackend ring, int size, long rate, long nanos, int readers, IntSupplier connected,
                      long count, Meter meter, BooleanSupplier stop) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (connected.getAsInt() < readers) {
            if (stop.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new SlotTimeoutException(readers + " readers did not attach within " + PATIENCE);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        SampleFormat format = new SampleFormat();
        meter.restart();
        long start = System.nanoTime();
        long end = start + nanos;
        for (long i = 0; i < count && !stop.getAsBoolean(); i++) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            if (rate > 0) {
                long due = start + (long) (i * 1e9 / rate);
                if (due > now) {
                    LockSupport.parkNanos(Math.min(due - now, end - now));
                }
            }
            int slot = ring.reserveSlotNoWait();
            if (slot == SlotBackend.NO_FREE_SLOT) {
                meter.stall();
                slot = reserveWaiting(ring, stop);
                if (slot == SlotBackend.NO_FREE_SLOT) {
                    break;
                }
            }
            MemorySegment out = ring.slotDataPtr(slot);
            format.write(out, i, size);
            ring.commitInPlace(slot, size);
            meter.sample(size, -1);
        }
        ring.markEndOfStream();
        meter.finish();
    }

    /**
     * Over iceoryx2, after the end of the stream: waits until the readers have left the service
     * ({@code connected} is 0), since a publisher that closes takes the samples still queued for
     * its subscribers with it. A reader process that died is removed by the dead-node cleanup
     * ({@code cleanupDeadNodes}) this runs every {@code deadNodeCheck}.
     */
    static void awaitReadersGone(IntSupplier connected, Runnable cleanupDeadNodes, Duration deadNodeCheck,
                                 BooleanSupplier stop) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        long nextCleanup = System.nanoTime() + deadNodeCheck.toNanos();
        while (connected.getAsInt() > 0 && !stop.getAsBoolean()) {
            long now = System.nanoTime();
            if (now > deadline) {
                throw new SlotTimeoutException("the readers did not take the rest of the stream within " + PATIENCE);
            }
            if (now > nextCleanup) {
                cleanupDeadNodes.run();
                nextCleanup = now + deadNodeCheck.toNanos();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    /** What FlatWriter.reliable does on a full ring: wait for a change, reserve again. */
    private static int reserveWaiting(SlotBackend ring, BooleanSupplier stop) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!stop.getAsBoolean()) {
            long generation = ring.notifyGeneration();
            int slot = ring.reserveSlot();
            if (slot != SlotBackend.NO_FREE_SLOT) {
                return slot;
            }
            if (System.nanoTime() > deadline) {
                throw new SlotTimeoutException("no free slot within " + PATIENCE + " in " + ring);
            }
            ring.waitForChange(generation, TimeUnit.MILLISECONDS.toNanos(100));
        }
        return SlotBackend.NO_FREE_SLOT;
    }

    /** Takes every sample until the end of the stream, checking each in place. */
    static void read(FlatReader reader, Meter meter, BooleanSupplier stop) {
        SampleChecker checker = new SampleChecker(meter, true, 0);
        while (!stop.getAsBoolean()) {
            try (Sample s = reader.take(Duration.ofMillis(100))) {
                if (s == null) {
                    if (reader.isEndOfStream()) {
                        return;
                    }
                    continue;
                }
                checker.check(s.segment(), s.sequence());
            }
        }
    }

    /**
     * The reactive reader: a {@code Flux} of views checked in place, then a deliberately slow stage
     * of {@code slowNanos} per sample. Demand flows back to the ring: while the stage is busy no
     * sample is taken, the ring fills and the writer stalls.
     */
    static void readReactive(ReactiveFlatReader reader, long slowNanos, Meter meter, BooleanSupplier stop) {
        SampleChecker checker = new SampleChecker(meter, true, 0);
        reader.flux()
                .doOnNext(view -> checker.check(view))
                .doOnNext(view -> slowStage(slowNanos))
                .takeUntil(view -> stop.getAsBoolean())
                .blockLast();
    }

    private static void slowStage(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }
}
