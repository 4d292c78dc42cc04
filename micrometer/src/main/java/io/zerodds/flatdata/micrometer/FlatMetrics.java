package io.zerodds.flatdata.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.zerodds.flatdata.RingCounters;
import io.zerodds.flatdata.SlotBackend;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters of one ring, named in Micrometer's conventions and tagged {@code ring} (its name),
 * {@code backend} ({@code in-memory}, {@code posix}, {@code iceoryx2}) and, per reader,
 * {@code reader} (its index):
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>what</th></tr>
 * <tr><td>{@code flatdata.ring.slots}</td><td>gauge</td><td>slots in the ring</td></tr>
 * <tr><td>{@code flatdata.ring.free.slots}</td><td>gauge</td><td>slots a writer could loan now</td></tr>
 * <tr><td>{@code flatdata.readers.active}</td><td>gauge</td><td>readers attached now</td></tr>
 * <tr><td>{@code flatdata.samples.committed}</td><td>counter</td><td>samples this process committed</td></tr>
 * <tr><td>{@code flatdata.writer.ring.full}</td><td>counter</td><td>times a writer found no free slot</td></tr>
 * <tr><td>{@code flatdata.writer.wait}</td><td>timer</td><td>waits of writers for a free slot, and their time</td></tr>
 * <tr><td>{@code flatdata.writer.dropped}</td><td>counter</td><td>samples best-effort writers dropped</td></tr>
 * <tr><td>{@code flatdata.reader.lag}</td><td>gauge, per reader</td><td>committed samples the reader has not read</td></tr>
 * <tr><td>{@code flatdata.samples.taken}</td><td>counter, per reader</td><td>samples the reader took in this process</td></tr>
 * <tr><td>{@code flatdata.reader.leaks}</td><td>counter, per reader</td><td>leaked views recovered</td></tr>
 * </table>
 *
 * <p>Everything is read when the registry samples it: from {@link SlotBackend#counters()}, which
 * the ring's writer and readers keep anyway (plain fields with release stores, no contention), and
 * from scans of the slot words for free slots and lag. Binding adds nothing to the hot path. The
 * counts are this process's; the gauges see the whole ring (on POSIX, readers of every process).
 * A reader that attaches after binding gets its meters the next time the registry samples
 * {@code flatdata.readers.active}. A closed ring's gauges read NaN, and so do free slots and lag
 * where the backend cannot tell them (iceoryx2 knows the lag of its readers in this process only).
 *
 * <pre>{@code
 * FlatMetrics.bind(ring, registry, Tags.of("app", "quotes"));
 * }</pre>
 */
public final class FlatMetrics implements MeterBinder {

    private final SlotBackend backend;
    private final Tags tags;
    /** Reader indices whose meters are registered, as a mask. */
    private final AtomicInteger registered = new AtomicInteger();
    private volatile MeterRegistry registry;

    private FlatMetrics(SlotBackend backend, Iterable<Tag> tags) {
        this.backend = Objects.requireNonNull(backend, "backend");
        Tags base = Tags.of("ring", RingTags.ring(backend), "backend", RingTags.backend(backend));
        this.tags = base.and(Objects.requireNonNull(tags, "tags"));
    }

    /** The meters of {@code backend}, with {@code tags} added to its own; not yet bound. */
    public static FlatMetrics of(SlotBackend backend, Iterable<Tag> tags) {
        return new FlatMetrics(backend, tags);
    }

    /** Binds the meters of {@code backend} to {@code registry}, with {@code tags} added to its own. */
    public static FlatMetrics bind(SlotBackend backend, MeterRegistry registry, Iterable<Tag> tags) {
        FlatMetrics metrics = of(backend, tags);
        metrics.bindTo(registry);
        return metrics;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        RingCounters c = backend.counters();
        Gauge.builder("flatdata.ring.slots", backend, b -> b.slotCount())
                .description("Slots in the ring").baseUnit("slots").tags(tags).register(registry);
        Gauge.builder("flatdata.ring.free.slots", backend, FlatMetrics::freeSlots)
                .description("Slots a writer could loan now for the readers attached now").baseUnit("slots")
                .tags(tags).register(registry);
        Gauge.builder("flatdata.readers.active", this, FlatMetrics::activeReaders)
                .description("Readers attached to the ring now").baseUnit("readers").tags(tags).register(registry);
        FunctionCounter.builder("flatdata.samples.committed", c, RingCounters::committed)
                .description("Samples committed to the ring by this process").baseUnit("samples").tags(tags)
                .register(registry);
        FunctionCounter.builder("flatdata.writer.ring.full", c, RingCounters::ringFull)
                .description("Times a writer of this process found no free slot").tags(tags).register(registry);
        FunctionTimer.builder("flatdata.writer.wait", c, RingCounters::waits, RingCounters::waitNanos,
                        TimeUnit.NANOSECONDS)
                .description("Waits of this process's writers for a free slot").tags(tags).register(registry);
        FunctionCounter.builder("flatdata.writer.dropped", c, RingCounters::dropped)
                .description("Samples best-effort writers of this process dropped on a full ring").baseUnit("samples")
                .tags(tags).register(registry);
        registerReaders(activeMask());
    }

    /** The tags every meter of this ring carries. */
    public Tags tags() {
        return tags;
    }

    private static double freeSlots(SlotBackend b) {
        return b.isClosed() ? Double.NaN : known(b.freeSlotCount());
    }

    /** A count, or NaN for the -1 of a backend that cannot tell. */
    private static double known(int count) {
        return count < 0 ? Double.NaN : count;
    }

    private int activeMask() {
        return backend.isClosed() ? 0 : backend.activeReaders();
    }

    /** The active readers; registers the meters of readers attached since the last look. */
    private double activeReaders() {
        if (backend.isClosed()) {
            return Double.NaN;
        }
        int mask = backend.activeReaders();
        registerReaders(mask);
        return Integer.bitCount(mask);
    }

    private void registerReaders(int mask) {
        MeterRegistry r = registry;
        int fresh = mask & ~registered.get();
        for (int bits = fresh; bits != 0; bits &= bits - 1) {
            int reader = Integer.numberOfTrailingZeros(bits);
            int bit = 1 << reader;
            if ((registered.getAndUpdate(m -> m | bit) & bit) == 0) {
                registerReader(r, reader);
            }
        }
    }

    private void registerReader(MeterRegistry r, int reader) {
        Tags readerTags = tags.and("reader", Integer.toString(reader));
        RingCounters c = backend.counters();
        Gauge.builder("flatdata.reader.lag", backend, b -> b.isClosed() ? Double.NaN : known(b.unreadCount(reader)))
                .description("Committed samples the reader has not read yet").baseUnit("samples").tags(readerTags)
                .register(r);
        FunctionCounter.builder("flatdata.samples.taken", c, x -> x.taken(reader))
                .description("Samples the reader took in this process").baseUnit("samples").tags(readerTags)
                .register(r);
        FunctionCounter.builder("flatdata.reader.leaks", c, x -> x.leaks(reader))
                .description("Leaked sample views of the reader that were recovered").tags(readerTags).register(r);
    }
}
