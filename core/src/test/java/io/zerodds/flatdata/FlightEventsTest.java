package io.zerodds.flatdata;

import static io.zerodds.flatdata.RecordedEvents.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zerodds.flatdata.test.ChildProcess;
import io.zerodds.flatdata.test.ShmNames;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The JFR events: disabled by default, and each recorded when its rare thing happens. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FlightEventsTest {

    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("jfr");

    @RegisterExtension
    static final ShmNames RINGS = TestBackends.NAMES;

    static final Duration WAIT = Duration.ofSeconds(30);

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    static List<Named<TestBackends.Factory>> backends() {
        return TestBackends.all();
    }

    // ------------------------------------------------------------------ definitions

    @Test
    void everyEventIsDisabledByDefaultInTheFlatdataCategoryWithLabelsOnEveryField() {
        List<Class<? extends jdk.jfr.Event>> events = List.of(WriterWaitEvent.class, ReaderEvictedEvent.class,
                WriterTakeoverEvent.class, SegmentRefusedEvent.class);
        for (Class<? extends jdk.jfr.Event> event : events) {
            EventType type = EventType.getEventType(event);
            assertThat(type.getName()).startsWith("io.zerodds.flatdata.");
            assertThat(type.getCategoryNames()).as(type.getName()).containsExactly("flatdata");
            assertThat(type.getLabel()).as(type.getName()).isNotBlank();
            assertThat(type.getDescription()).as(type.getName()).isNotBlank();
            assertThat(event.getAnnotation(jdk.jfr.Enabled.class).value()).as(type.getName()).isFalse();
            type.getFields().stream().filter(f -> !List.of("startTime", "duration", "eventThread", "stackTrace")
                    .contains(f.getName())).forEach(f -> {
                        assertThat(f.getLabel()).as(type.getName() + "." + f.getName()).isNotBlank();
                        assertThat(f.getDescription()).as(type.getName() + "." + f.getName()).isNotBlank();
                    });
        }
        assertThat(EventType.getEventType(WriterWaitEvent.class).getName()).isEqualTo(WRITER_WAIT);
        assertThat(EventType.getEventType(ReaderEvictedEvent.class).getName()).isEqualTo(READER_EVICTED);
        assertThat(EventType.getEventType(WriterTakeoverEvent.class).getName()).isEqualTo(WRITER_TAKEOVER);
        assertThat(EventType.getEventType(SegmentRefusedEvent.class).getName()).isEqualTo(SEGMENT_REFUSED);
    }

    @Test
    void theSettingsFileEnablesEveryEventWithAZeroThreshold() throws Exception {
        Path jfc = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (jfc != null && !Files.exists(jfc.resolve("docs/flatdata.jfc"))) {
            jfc = jfc.getParent(); // the module's directory under Maven, the project's in an IDE
        }
        assertThat(jfc).as("docs/flatdata.jfc above " + System.getProperty("user.dir")).isNotNull();
        jfc = jfc.resolve("docs/flatdata.jfc");
        jdk.jfr.Configuration configuration = jdk.jfr.Configuration.create(jfc);
        for (String name : List.of(WRITER_WAIT, READER_EVICTED, WRITER_TAKEOVER, SEGMENT_REFUSED,
                VIEW_LEAK_RECOVERED)) {
            assertThat(configuration.getSettings()).as(name).containsEntry(name + "#enabled", "true");
        }
        assertThat(configuration.getSettings()).containsEntry(WRITER_WAIT + "#threshold", "0 ms");
    }

    @ParameterizedTest
    @MethodSource("backends")
    void withoutARecordingThatEnablesItTheWaitRecordsNothingAndAllocatesNoEvent(TestBackends.Factory factory)
            throws Exception {
        // also while a recording of something else runs: the event's own setting decides
        RecordedEvents other = RecordedEvents.start("jdk.ThreadSleep");
        try (SlotBackend backend = factory.create(2, 16)) {
            assertThat(WriterWaitEvent.beginWait(backend, 0)).as("no event object, nothing recorded").isNull();
            assertThat(fullRingWait(backend, Duration.ofMillis(50)).slotObtained()).isTrue();
        } finally {
            other.close();
        }
        try (SlotBackend backend = factory.create(2, 16)) {
            assertThat(WriterWaitEvent.beginWait(backend, 0)).isNull();
            assertThat(fullRingWait(backend, Duration.ofMillis(50)).slotObtained()).isTrue();
        }
    }

    // ------------------------------------------------------------------ WriterWait

    @ParameterizedTest
    @MethodSource("backends")
    void aReliableWriterThatWaitsForAFreeSlotRecordsTheWait(TestBackends.Factory factory) throws Exception {
        try (RecordedEvents events = RecordedEvents.start(WRITER_WAIT);
             SlotBackend backend = factory.create(2, 16)) {
            Outcome outcome = fullRingWait(backend, Duration.ofMillis(50));
            assertThat(outcome.slotObtained()).isTrue();
            RecordedEvent wait = events.await(WRITER_WAIT, WAIT);
            assertThat(wait.getDuration()).isGreaterThanOrEqualTo(Duration.ofMillis(40));
            assertThat(wait.getString("ring")).isEqualTo(backend.toString());
            assertThat(wait.getInt("freeSlots")).isZero();
            assertThat(wait.getInt("slotCount")).isEqualTo(2);
            assertThat(wait.getBoolean("slotObtained")).isTrue();
            assertThat(wait.getThread().getJavaName()).isEqualTo(outcome.writerThread());
            assertThat(wait.getStackTrace()).as("no stack trace by default").isNull();
        }
    }

    @Test
    void aWaitThatTimesOutIsOneEventOverEveryWaitSliceWithoutASlot() {
        try (RecordedEvents events = RecordedEvents.start(WRITER_WAIT);
             InMemorySlotBackend backend = InMemorySlotBackend.create(2, 16);
             FlatReader reader = FlatReader.attach(backend);
             FlatWriter writer = FlatWriter.reliable(backend, Duration.ofMillis(350))) {
            writer.write(new byte[] {1});
            writer.write(new byte[] {2});
            // the writer waits in slices of at most 100 ms: 350 ms are four of them, one event
            assertThatThrownBy(() -> writer.write(new byte[] {3})).isInstanceOf(SlotTimeoutException.class);
            RecordedEvent wait = events.await(WRITER_WAIT, WAIT);
            assertThat(wait.getDuration()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(wait.getBoolean("slotObtained")).isFalse();
            assertThat(events.all(WRITER_WAIT, Duration.ofSeconds(2))).as("one event per wait, not per slice")
                    .hasSize(1);
            assertThat(reader.take()).isNotNull();
        }
    }

    @Test
    void aWriterThatFindsAFreeSlotRecordsNoWait() {
        try (RecordedEvents events = RecordedEvents.start(WRITER_WAIT);
             InMemorySlotBackend backend = InMemorySlotBackend.create(4, 16);
             FlatReader reader = FlatReader.attach(backend);
             FlatWriter writer = FlatWriter.reliable(backend, Duration.ofSeconds(5))) {
            for (int i = 0; i < 100; i++) {
                writer.write(new byte[] {(byte) i});
                try (Sample s = reader.take()) {
                    assertThat(s).isNotNull();
                }
            }
            assertThat(events.all(WRITER_WAIT, Duration.ofSeconds(2))).isEmpty();
        }
    }

    record Outcome(boolean slotObtained, String writerThread) {
    }

    /**
     * Fills a two-slot ring with a reader attached, then writes a third sample while another
     * thread frees a slot after {@code after}: the write waits that long.
     */
    private Outcome fullRingWait(SlotBackend backend, Duration after) throws Exception {
        try (FlatReader reader = FlatReader.attach(backend);
             FlatWriter writer = FlatWriter.reliable(backend, Duration.ofSeconds(30))) {
            writer.write(new byte[] {1});
            writer.write(new byte[] {2});
            CompletableFuture<Void> freed = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(after.toMillis());
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                try (Sample s = reader.take()) {
                    assertThat(s).isNotNull();
                }
            }, threads);
            long t0 = System.nanoTime();
            long sequence = writer.write(new byte[] {3});
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the write waited")
                    .isGreaterThanOrEqualTo(after.minusMillis(10));
            freed.get(30, TimeUnit.SECONDS);
            return new Outcome(sequence >= 0, Thread.currentThread().getName());
        }
    }

    // ------------------------------------------------------------------ SegmentRefused

    @Test
    void openingAFileThatIsNoSegmentIsRecordedAsRefusedWithTheReasonAndTheException() throws Exception {
        String name = NAMES.next();
        byte[] garbage = new byte[8192];
        Arrays.fill(garbage, (byte) 0x42);
        Files.write(NAMES.path(name), garbage);
        try (RecordedEvents events = RecordedEvents.start(SEGMENT_REFUSED)) {
            Throwable refusal = org.assertj.core.api.Assertions.catchThrowable(() -> PosixSlotBackend.open(name).build());
            assertThat(refusal).isInstanceOf(SegmentFormatException.class).hasMessageContaining("expected magic");
            RecordedEvent refused = events.await(SEGMENT_REFUSED, e -> name.equals(e.getString("name")), WAIT);
            assertThat(refused.getString("path")).isEqualTo(NAMES.path(name).toString());
            assertThat(refused.getString("operation")).isEqualTo("open");
            assertThat(refused.getString("reason")).isEqualTo(refusal.getMessage()).contains("expected magic");
            assertThat(refused.getClass("exceptionClass").getName()).isEqualTo(SegmentFormatException.class.getName());
            assertThat(refused.getStackTrace()).as("who tried to open it").isNotNull();
        } finally {
            Files.deleteIfExists(NAMES.path(name));
        }
    }

    @Test
    void aTypeMismatchAMissingSegmentAndALiveWritersSegmentAreRefusedToo() {
        String name = NAMES.next();
        FlatType<java.lang.foreign.MemorySegment> tick = FlatType.of("Tick",
                java.lang.foreign.MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("id")));
        try (RecordedEvents events = RecordedEvents.start(SEGMENT_REFUSED);
             PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(2).slotCapacity(16).build()) {
            assertThat(ring.isWriter()).as("a live writer").isTrue();
            assertThatThrownBy(() -> PosixSlotBackend.open(name).type(tick).build())
                    .isInstanceOf(TypeMismatchException.class);
            assertThatThrownBy(() -> PosixSlotBackend.open(name).asWriter().build())
                    .isInstanceOf(SegmentAccessException.class);
            assertThatThrownBy(() -> PosixSlotBackend.create(name).slotCount(2).slotCapacity(16).build())
                    .isInstanceOf(SegmentAccessException.class);
            String missing = NAMES.next();
            assertThatThrownBy(() -> PosixSlotBackend.open(missing).build())
                    .isInstanceOf(SegmentAccessException.class).hasMessageContaining("does not exist");

            assertThat(events.await(SEGMENT_REFUSED, e -> name.equals(e.getString("name"))
                    && e.getString("operation").equals("open"), WAIT).getClass("exceptionClass").getName())
                    .isEqualTo(TypeMismatchException.class.getName());
            assertThat(events.await(SEGMENT_REFUSED, e -> name.equals(e.getString("name"))
                    && e.getString("operation").equals("open as writer"), WAIT).getString("reason"))
                    .contains("live writer");
            assertThat(events.await(SEGMENT_REFUSED, e -> name.equals(e.getString("name"))
                    && e.getString("operation").equals("create"), WAIT).getString("reason"))
                    .contains("alive");
            assertThat(events.await(SEGMENT_REFUSED, e -> missing.equals(e.getString("name")), WAIT)
                    .getString("reason")).contains("does not exist");
        }
    }

    // ------------------------------------------------------------------ WriterTakeover

    @Test
    void aWriterTakingOverFromAKilledOneRecordsTheTakeover() {
        String name = NAMES.next();
        try (RecordedEvents events = RecordedEvents.start(WRITER_TAKEOVER);
             ChildProcess child = PosixChild.start("loaning-writer", name, "5")) {
            child.expect("READY", WAIT);
            child.send("GO");
            child.expect("LOANED", WAIT);
            child.kill();
            try (PosixSlotBackend taken = PosixSlotBackend.open(name).asWriter().build()) {
                RecordedEvent takeover = events.await(WRITER_TAKEOVER, WAIT);
                assertThat(takeover.getString("ring")).isEqualTo(taken.toString());
                assertThat(takeover.getInt("previousWriterPid")).isEqualTo((int) child.pid());
                assertThat(takeover.getBoolean("previousWriterDied")).isTrue();
                assertThat(takeover.getInt("loansReclaimed")).isEqualTo(1).isEqualTo(taken.reclaimedLoans());
                assertThat(takeover.getLong("nextSequence")).isEqualTo(5);
                assertThat(takeover.getBoolean("sequenceRepaired")).isFalse();
            }
        }
    }

    @Test
    void aTakeoverThatRepairsTheNextSequenceSaysSo() throws Exception {
        String name = NAMES.next();
        try (RecordedEvents events = RecordedEvents.start(WRITER_TAKEOVER)) {
            try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(4).slotCapacity(16).keepOnClose()
                    .build()) {
                for (int i = 0; i < 3; i++) {
                    ring.commitSlot(ring.reserveSlot(0), new byte[] {(byte) i});
                }
            }
            // sample 2 is published, but the next sequence still says 2: the writer died in between
            SegmentFiles.edit(NAMES, name, (s, ext) -> {
                s.set(ValueLayout.JAVA_LONG, ext + SegmentLayout.EXT_NEXT_SEQUENCE_OFFSET, 2L);
                s.set(ValueLayout.JAVA_INT, SegmentLayout.NEXT_SN_OFFSET, 2);
            });
            try (PosixSlotBackend taken = PosixSlotBackend.open(name).asWriter().build()) {
                RecordedEvent takeover = events.await(WRITER_TAKEOVER, WAIT);
                assertThat(takeover.getString("ring")).isEqualTo(taken.toString());
                assertThat(takeover.getInt("previousWriterPid")).isEqualTo(ProcessIdentity.CURRENT_PID);
                assertThat(takeover.getBoolean("previousWriterDied")).as("it closed and kept the segment").isFalse();
                assertThat(takeover.getLong("nextSequence")).isEqualTo(3);
                assertThat(takeover.getBoolean("sequenceRepaired")).isTrue();
                assertThat(taken.commitSlot(taken.reserveSlot(0), new byte[] {3})).isEqualTo(3);
            }
        }
    }

    // ------------------------------------------------------------------ ReaderEvicted

    @Test
    void aReaderProcessKilledWhileItHoldsTheWriterBackIsRecordedAsEvicted() throws Exception {
        String name = NAMES.next();
        try (RecordedEvents events = RecordedEvents.start(READER_EVICTED);
             PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(4).slotCapacity(64).build();
             FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(30));
             ChildProcess child = PosixChild.start("stalled-reader", name)) {
            int index = Integer.parseInt(child.expect("ATTACHED", WAIT).split(" ")[1]);
            for (int i = 0; i < 4; i++) {
                writer.write(new byte[] {(byte) i}); // the ring is full: the child reads nothing
            }
            child.kill();
            writer.write(new byte[] {4}); // a free slot once the dead reader is evicted
            RecordedEvent evicted = events.await(READER_EVICTED, WAIT);
            assertThat(evicted.getString("ring")).isEqualTo(ring.toString());
            assertThat(evicted.getInt("readerIndex")).isEqualTo(index);
            assertThat(evicted.getInt("pid")).isEqualTo((int) child.pid());
            assertThat(evicted.getString("cause")).isEqualTo("process dead");
            assertThat(evicted.getStackTrace()).isNull();
        }
    }

    @Test
    void aStoppedReaderWhoseHeartbeatStandsStillIsRecordedAsEvictedForAStaleHeartbeat() throws Exception {
        String name = NAMES.next();
        try (RecordedEvents events = RecordedEvents.start(READER_EVICTED);
             PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(2).slotCapacity(64)
                     .leaseTimeout(Duration.ofMillis(400)).build();
             FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(30));
             ChildProcess child = PosixChild.start("stalled-reader", name)) {
            int index = Integer.parseInt(child.expect("ATTACHED", WAIT).split(" ")[1]);
            writer.write(new byte[] {1});
            writer.write(new byte[] {2});
            child.signal("STOP");
            try {
                writer.write(new byte[] {3}); // waits about a lease, then evicts the stopped reader
                RecordedEvent evicted = events.await(READER_EVICTED, WAIT);
                assertThat(evicted.getInt("readerIndex")).isEqualTo(index);
                assertThat(evicted.getInt("pid")).isEqualTo((int) child.pid());
                assertThat(evicted.getString("cause")).isEqualTo("heartbeat stale");
            } finally {
                child.signal("CONT");
            }
        }
    }

    @Test
    void aReaderOfAnotherInstanceDisconnectedByCallIsRecordedButAReadersOwnCloseIsNot() throws Exception {
        String name = NAMES.next();
        try (RecordedEvents events = RecordedEvents.start(READER_EVICTED);
             PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(2).slotCapacity(16).build();
             PosixSlotBackend readSide = PosixSlotBackend.open(name).build()) {
            int own = readSide.attachReader();
            readSide.markReaderDisconnected(own); // its own instance's reader: a close, not an eviction
            readSide.detachReader(own);
            int other = readSide.attachReader();
            ring.markReaderDisconnected(other);
            ring.markReaderDisconnected(other); // disconnected already: nothing happens, nothing recorded
            RecordedEvent evicted = events.await(READER_EVICTED, WAIT);
            assertThat(evicted.getString("ring")).isEqualTo(ring.toString());
            assertThat(evicted.getInt("readerIndex")).isEqualTo(other);
            assertThat(evicted.getInt("pid")).isEqualTo(ProcessIdentity.CURRENT_PID);
            assertThat(evicted.getString("cause")).isEqualTo("disconnected by call");
            assertThat(events.all(READER_EVICTED, Duration.ofSeconds(2))).hasSize(1);
        }
    }

    @Test
    void aDisconnectLeftHalfDoneByADeadProcessIsRecordedWhenItIsFinished() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        long exitedStart = exited.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        String name = NAMES.next();
        try (RecordedEvents events = RecordedEvents.start(READER_EVICTED);
             PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(2).slotCapacity(16).build();
             FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(10))) {
            int r = ring.attachReader();
            writer.write(new byte[] {1});
            writer.write(new byte[] {2});
            SegmentFiles.edit(NAMES, name, (s, ext) -> {
                long entry = SegmentLayout.readerEntryOffset(ext, r);
                s.set(ValueLayout.JAVA_LONG, entry + ReaderEntryDescriptor.READER_DISCONNECTOR_OFFSET,
                        ReaderEntryDescriptor.disconnector((int) exited.pid(), exitedStart));
                s.set(ValueLayout.JAVA_INT, entry + ReaderEntryDescriptor.READER_STATE_OFFSET,
                        ReaderEntryDescriptor.READER_DISCONNECTING);
            });
            writer.write(new byte[] {3}); // a free slot only once the disconnect is finished
            RecordedEvent evicted = events.await(READER_EVICTED, WAIT);
            assertThat(evicted.getInt("readerIndex")).isEqualTo(r);
            assertThat(evicted.getInt("pid")).isEqualTo(ProcessIdentity.CURRENT_PID);
            assertThat(evicted.getString("cause")).isEqualTo("disconnector dead");
            ring.detachReader(r);
        }
    }

    @Test
    void theRecorderIsRunningWhileEventsAreRecorded() {
        RecordedEvents events = RecordedEvents.start(WRITER_WAIT);
        try {
            assertThat(FlightRecorder.isInitialized()).isTrue();
            assertThat(WriterWaitEvent.isRecorded()).isTrue();
        } finally {
            events.close();
        }
        assertThat(WriterWaitEvent.isRecorded()).as("no recording enables it any more").isFalse();
    }
}
