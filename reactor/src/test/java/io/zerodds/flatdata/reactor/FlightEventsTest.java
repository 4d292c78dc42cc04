package io.zerodds.flatdata.reactor;

import static io.zerodds.flatdata.RecordedEvents.VIEW_LEAK_RECOVERED;
import static io.zerodds.flatdata.RecordedEvents.WRITER_WAIT;
import static io.zerodds.flatdata.reactor.TestRings.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.RecordedEvents;
import io.zerodds.flatdata.Sample;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.TestBackends;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.EventType;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/** The reactive module's JFR events: the reliable send's stall, and a recovered view leak. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FlightEventsTest extends RingTestBase {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void theLeakEventIsDisabledByDefaultInTheFlatdataCategory() {
        EventType type = EventType.getEventType(ViewLeakRecoveredEvent.class);
        assertThat(type.getName()).isEqualTo(VIEW_LEAK_RECOVERED);
        assertThat(type.getCategoryNames()).containsExactly("flatdata");
        assertThat(type.getLabel()).isNotBlank();
        assertThat(type.getDescription()).isNotBlank();
        assertThat(ViewLeakRecoveredEvent.class.getAnnotation(jdk.jfr.Enabled.class).value()).isFalse();
        type.getFields().stream().filter(f -> !List.of("startTime", "duration", "eventThread", "stackTrace")
                .contains(f.getName())).forEach(f -> assertThat(f.getLabel()).as(f.getName()).isNotBlank());
    }

    // ------------------------------------------------------------------ WriterWait

    @ParameterizedTest
    @MethodSource("backends")
    void aReliableSendThatFindsTheRingFullWithoutALoanRecordsOneWaitUntilASlotIsFree(TestBackends.Factory factory)
            throws Exception {
        SlotBackend backend = ring(factory, 4);
        List<String> waiters = new CopyOnWriteArrayList<>();
        ReactiveFlatWriter writer = ReactiveFlatWriter.builder(backend).threadFactory(r -> {
            Thread t = new Thread(r, "test-writer-wait");
            t.setDaemon(true);
            waiters.add(t.getName());
            return t;
        }).build();
        try (RecordedEvents events = RecordedEvents.start(WRITER_WAIT);
             FlatReader reader = FlatReader.attach(backend)) {
            // four elements fill the ring; the fifth needs a slot the reader frees 50 ms later
            CompletableFuture<Void> sent = writer.send(Flux.range(0, 5), ENCODER).toFuture();
            Thread.sleep(50);
            assertThat(sent).as("stalled on the full ring").isNotDone();
            try (Sample s = reader.take()) {
                assertThat(s).isNotNull();
            }
            sent.get(30, TimeUnit.SECONDS);

            RecordedEvent wait = events.await(WRITER_WAIT, WAIT);
            assertThat(wait.getDuration()).isGreaterThanOrEqualTo(Duration.ofMillis(40));
            assertThat(wait.getString("ring")).isEqualTo(backend.toString());
            assertThat(wait.getInt("freeSlots")).isZero();
            assertThat(wait.getInt("slotCount")).isEqualTo(4);
            assertThat(wait.getBoolean("slotObtained")).isTrue();
            assertThat(wait.getThread().getJavaName()).as("ended by the waiter's drain").isIn(waiters);
            assertThat(events.all(WRITER_WAIT, Duration.ofSeconds(2))).as("one stall, one event").hasSize(1);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aStalledSendThatIsCancelledEndsItsWaitWithoutASlot(TestBackends.Factory factory) throws Exception {
        SlotBackend backend = ring(factory, 2);
        try (RecordedEvents events = RecordedEvents.start(WRITER_WAIT);
             FlatReader reader = FlatReader.attach(backend)) {
            Disposable send = ReactiveFlatWriter.reliable(backend).send(Flux.range(0, 5), ENCODER).subscribe();
            Thread.sleep(100);
            send.dispose();
            RecordedEvent wait = events.await(WRITER_WAIT, WAIT);
            assertThat(wait.getDuration()).isGreaterThanOrEqualTo(Duration.ofMillis(80));
            assertThat(wait.getBoolean("slotObtained")).isFalse();
            assertThat(reader.take()).isNotNull();
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aSendThatHoldsLoansIsNotStalledAlthoughItsWaiterWatchesAFullRing(TestBackends.Factory factory)
            throws Exception {
        SlotBackend backend = ring(factory, 4);
        try (RecordedEvents events = RecordedEvents.start(WRITER_WAIT);
             FlatReader reader = FlatReader.attach(backend)) {
            // two samples unread and two loans for elements that never come: the ring is full, but
            // the send could take two elements at once, so it does not wait for a slot
            ReactiveFlatWriter writer = ReactiveFlatWriter.builder(backend).maxInFlight(3).build();
            Disposable send = writer.send(Flux.range(0, 2).concatWith(Flux.never()), ENCODER).subscribe();
            await("two samples committed", () -> unreadBy(backend, reader.readerIndex()) == 2);
            assertThat(events.all(WRITER_WAIT, Duration.ofMillis(500))).isEmpty();
            send.dispose();
            assertThat(events.all(WRITER_WAIT, Duration.ofSeconds(2))).isEmpty();
        }
    }

    // ------------------------------------------------------------------ ViewLeakRecovered

    @ParameterizedTest
    @MethodSource("backends")
    void aLeakedRetainedViewIsRecordedWhenTheLeakDetectorRecoversItsSlot(TestBackends.Factory factory)
            throws Exception {
        SlotBackend backend = ring(factory, 4);
        List<Thread> sources = new CopyOnWriteArrayList<>();
        ReactiveFlatReader reader = closeFirst(ReactiveFlatReader.builder(backend).threadFactory(r -> {
            Thread t = new Thread(r, "test-source");
            sources.add(t);
            return t;
        }).build());
        try (RecordedEvents events = RecordedEvents.start(VIEW_LEAK_RECOVERED)) {
            write(backend, 1, 2);
            AtomicLong received = new AtomicLong();
            AtomicLong leakedSequence = new AtomicLong(-1);
            // the subscriber retains the first view and forgets it: a leak
            reader.flux().take(2).subscribe(v -> {
                if (received.getAndIncrement() == 0) {
                    leakedSequence.set(v.retain().sequence());
                }
            });
            await("both samples delivered", () -> received.get() == 2);
            sources.get(0).join(10_000);
            await("the leak to be detected", WAIT, () -> {
                System.gc();
                return reader.leakCount() == 1;
            });
            RecordedEvent leak = events.await(VIEW_LEAK_RECOVERED, WAIT);
            assertThat(leak.getString("ring")).isEqualTo(backend.toString());
            assertThat(leak.getInt("readerIndex")).isEqualTo(reader.readerIndex());
            assertThat(leak.getLong("sequence")).isEqualTo(leakedSequence.get()).isZero();
            assertThat(leak.getInt("slot")).isBetween(0, 3);
            assertThat(leak.getBoolean("slotFreed")).isTrue();
            assertThat(leak.getStackTrace()).isNull();
            assertThat(freeSlots(backend)).as("the slot came back").isEqualTo(4);
        }
    }
}
