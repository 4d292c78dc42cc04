package io.zerodds.flatdata;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;

/**
 * A JFR recording of this JVM for a test: enables the named events (threshold 0), collects what
 * they record, and waits for an event to arrive. Also for the tests of the other modules.
 *
 * <pre>{@code
 * try (RecordedEvents events = RecordedEvents.start("io.zerodds.flatdata.WriterWait")) {
 *     ... trigger ...
 *     RecordedEvent e = events.await("io.zerodds.flatdata.WriterWait", Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public final class RecordedEvents implements AutoCloseable {

    public static final String WRITER_WAIT = "io.zerodds.flatdata.WriterWait";
    public static final String READER_EVICTED = "io.zerodds.flatdata.ReaderEvicted";
    public static final String WRITER_TAKEOVER = "io.zerodds.flatdata.WriterTakeover";
    public static final String SEGMENT_REFUSED = "io.zerodds.flatdata.SegmentRefused";
    public static final String VIEW_LEAK_RECOVERED = "io.zerodds.flatdata.ViewLeakRecovered";

    private final RecordingStream stream = new RecordingStream();
    private final LinkedBlockingQueue<RecordedEvent> arrived = new LinkedBlockingQueue<>();
    private final List<RecordedEvent> seen = new ArrayList<>();

    private RecordedEvents(String... names) {
        stream.setReuse(false); // the events are kept after their action
        for (String name : names) {
            stream.enable(name).withThreshold(Duration.ZERO);
            stream.onEvent(name, arrived::add);
        }
        stream.startAsync(); // the recording runs once this returns
    }

    /** Starts recording the events {@code names}. */
    public static RecordedEvents start(String... names) {
        return new RecordedEvents(names);
    }

    /** The first event named {@code name} (seen or arriving), waiting up to {@code timeout}. */
    public RecordedEvent await(String name, Duration timeout) {
        return await(name, e -> true, timeout);
    }

    /** The first event named {@code name} that {@code matches} (seen or arriving), waiting up to {@code timeout}. */
    public RecordedEvent await(String name, Predicate<RecordedEvent> matches, Duration timeout) {
        Predicate<RecordedEvent> wanted = e -> e.getEventType().getName().equals(name) && matches.test(e);
        synchronized (seen) {
            for (RecordedEvent e : seen) {
                if (wanted.test(e)) {
                    return e;
                }
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                RecordedEvent e = arrived.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new AssertionError("no event " + name + " (matching) within " + timeout + "; recorded: "
                            + all());
                }
                synchronized (seen) {
                    seen.add(e);
                }
                if (wanted.test(e)) {
                    return e;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Every event that arrived so far, named {@code name}, after waiting {@code settle} for stragglers. */
    public List<RecordedEvent> all(String name, Duration settle) {
        try {
            Thread.sleep(settle.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return all().stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }

    private List<RecordedEvent> all() {
        synchronized (seen) {
            arrived.drainTo(seen);
            return List.copyOf(seen);
        }
    }

    @Override
    public void close() {
        stream.close();
    }
}
