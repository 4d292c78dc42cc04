package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With readers attached, a writer reserves the next slot right after each commit, and gives it
 * back on close and end of stream.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlatWriterLoanAheadTest {

    private static final BiPredicate<String, Integer> NEVER = (call, n) -> false;

    @Test
    void theNextSlotIsReservedByTheCommitSoTheLoanCallsNothing() {
        List<String> calls = new ArrayList<>();
        try (var ring = InMemorySlotBackend.create(4, 16);
             var reader = FlatReader.attach(ring);
             var writer = FlatWriter.reliable(recording(ring, calls, NEVER), Duration.ofSeconds(1))) {
            assertThat(writer.write(new byte[] {1})).isEqualTo(0);
            assertThat(calls).containsExactly("reserveSlotNoWait", "commitSlot", "reserveSlotNoWait", "slotDataPtr");

            calls.clear();
            FlatWriter.Claim claim = writer.loan();
            assertThat(claim.slot()).as("the slot after the committed one").isEqualTo(1);
            assertThat(calls).as("a loan of the slot reserved ahead, payload and all").isEmpty();
            claim.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 2);
            assertThat(claim.commit(1)).isEqualTo(1);
            assertThat(calls).containsExactly("commitInPlace", "reserveSlotNoWait", "slotDataPtr");
            assertThat(reader.takeCopy()).containsExactly(1);
            assertThat(reader.takeCopy()).containsExactly(2);
        }
    }

    @Test
    void withoutLoanAheadTheLoanReservesAndNoSlotIsHeldBetweenSamples() {
        List<String> calls = new ArrayList<>();
        try (var ring = InMemorySlotBackend.create(4, 16);
             var reader = FlatReader.attach(ring);
             var writer = FlatWriter.builder(recording(ring, calls, NEVER)).reliable(Duration.ofSeconds(1))
                     .loanAhead(false).build()) {
            writer.write(new byte[] {1});
            assertThat(calls).containsExactly("reserveSlotNoWait", "commitSlot");
            assertThatThrownBy(() -> ring.slotDataPtr(1)).as("nothing reserved ahead")
                    .isInstanceOf(SlotStateException.class).hasMessageContaining("not loaned");
        }
    }

    @Test
    void withoutReadersNothingIsReservedAheadAndAOneSlotRingKeepsItsLastSample() {
        try (var ring = InMemorySlotBackend.create(1, 16);
             var writer = FlatWriter.reliable(ring, Duration.ofSeconds(1))) {
            writer.write(new byte[] {1});
            writer.write(new byte[] {2});
            SlotSample last = ring.readSlot(0);
            assertThat(last.sequence()).as("the last sample stays readable in place").isEqualTo(1);
            assertThat(last.data()).containsExactly(2);
        }
    }

    @Test
    void theSlotReservedAheadIsLoanedInTheRingUntilTheWriterCloses() {
        try (var ring = InMemorySlotBackend.create(4, 16);
             var reader = FlatReader.attach(ring)) {
            var writer = FlatWriter.reliable(ring, Duration.ofSeconds(1));
            writer.write(new byte[] {1});
            assertThat(ring.slotDataPtr(1).byteSize()).as("slot 1 is loaned").isEqualTo(16);
            assertThatThrownBy(ring::markEndOfStream).as("a loaned slot blocks the end of the stream")
                    .isInstanceOf(SlotStateException.class).hasMessageContaining("slot 1 is still loaned")
                    .hasMessageContaining("endStream()");

            writer.close();
            assertThatThrownBy(() -> ring.slotDataPtr(1)).isInstanceOf(SlotStateException.class)
                    .hasMessageContaining("discarded");
            ring.markEndOfStream(); // nothing loaned any more
            assertThat(ring.endOfStreamSequence()).isEqualTo(1);
            assertThat(reader.takeCopy()).containsExactly(1);
            assertThat(reader.isEndOfStream()).isTrue();
        }
    }

    @Test
    void withSeveralClaimsOpenTheWriterHoldsOneSlotAheadAndCloseLeavesNoneLoaned() {
        try (var ring = InMemorySlotBackend.create(8, 16);
             var reader = FlatReader.attach(ring)) {
            var writer = FlatWriter.reliable(ring, Duration.ofSeconds(1));
            writer.write(new byte[] {0});
            FlatWriter.Claim a = writer.loan();
            FlatWriter.Claim b = writer.loan();
            FlatWriter.Claim c = writer.loan();
            assertThat(new int[] {a.slot(), b.slot(), c.slot()}).containsExactly(1, 2, 3);
            a.commit(1);
            b.commit(1);
            c.abort();
            writer.close();
            assertNothingLoaned(ring);
            assertThat(reader.takeCopy()).containsExactly(0);
            assertThat(reader.take().sequence()).isEqualTo(1);
        }
    }

    @Test
    void endStreamGivesTheSlotBackAndReadersSeeEverySampleThenTheEnd() {
        try (var ring = InMemorySlotBackend.create(4, 16);
             var reader = FlatReader.attach(ring);
             var writer = FlatWriter.reliable(ring, Duration.ofSeconds(1))) {
            writer.write(new byte[] {7});
            writer.write(new byte[] {8});
            writer.endStream();
            assertThat(reader.takeCopy()).containsExactly(7);
            assertThat(reader.takeCopy()).containsExactly(8);
            assertThat(reader.take()).isNull();
            assertThat(reader.isEndOfStream()).isTrue();
            assertThatThrownBy(() -> writer.write(new byte[] {9})).isInstanceOf(SlotStateException.class)
                    .hasMessageContaining("ended at sequence=2");
        }
    }

    @Test
    void aFullRingReservesNothingAheadAndABestEffortWriterStillDrops() {
        try (var ring = InMemorySlotBackend.create(2, 16);
             var reader = FlatReader.attach(ring);
             var writer = FlatWriter.bestEffort(ring)) {
            assertThat(writer.write(new byte[] {1})).isEqualTo(0);
            assertThat(writer.write(new byte[] {2})).isEqualTo(1); // the slot reserved ahead; the ring is full now
            assertThat(writer.write(new byte[] {3})).isEqualTo(FlatWriter.DROPPED);
            assertThat(writer.droppedCount()).isEqualTo(1);

            assertThat(reader.takeCopy()).containsExactly(1);
            assertThat(writer.write(new byte[] {4})).isEqualTo(2);
            assertThat(reader.takeCopy()).containsExactly(2);
            assertThat(reader.takeCopy()).containsExactly(4);
        }
    }

    @Test
    void aRingFullAtACommitOrADropLeavesTheReadersFreesSilent() {
        try (var ring = InMemorySlotBackend.create(2, 16);
             var reader = FlatReader.attach(ring)) {
            var reliable = FlatWriter.reliable(ring, Duration.ofSeconds(1));
            reliable.write(new byte[] {1});
            reliable.write(new byte[] {2}); // full now: nothing reserved ahead
            long generation = ring.notifyGeneration();
            assertThat(reader.takeCopy()).containsExactly(1);
            assertThat(ring.notifyGeneration()).as("no writer waits for the freed slot").isEqualTo(generation);
            reliable.close();

            var bestEffort = FlatWriter.bestEffort(ring);
            assertThat(bestEffort.write(new byte[] {3})).isEqualTo(2);
            assertThat(bestEffort.write(new byte[] {4})).isEqualTo(FlatWriter.DROPPED);
            generation = ring.notifyGeneration();
            assertThat(reader.takeCopy()).containsExactly(2);
            assertThat(ring.notifyGeneration()).as("a writer that drops waits for nothing").isEqualTo(generation);
        }
    }

    @Test
    void aReservationThatFailsAfterACommitLeavesTheSampleAndTheNextWriteReportsIt() {
        List<String> calls = new ArrayList<>();
        try (var ring = InMemorySlotBackend.create(4, 16);
             var reader = FlatReader.attach(ring);
             // every reservation after the first fails
             var writer = FlatWriter.reliable(recording(ring, calls, (call, n) -> call.startsWith("reserve") && n >= 2),
                     Duration.ofSeconds(1))) {
            assertThat(writer.write(new byte[] {5})).as("published though the reservation ahead failed").isEqualTo(0);
            assertThatThrownBy(() -> writer.write(new byte[] {6})).isInstanceOf(SegmentAccessException.class)
                    .hasMessageContaining("reserveSlotNoWait call 3 refused");
            assertThat(reader.takeCopy()).containsExactly(5);
            assertThat(reader.take()).isNull();
        }
    }

    @Test
    void aSlotReservedWhosePayloadCouldNotBeHadIsLoanedWithItsPayloadAskedAgain() {
        List<String> calls = new ArrayList<>();
        try (var ring = InMemorySlotBackend.create(4, 16);
             var reader = FlatReader.attach(ring);
             // the first payload request (the reservation's) fails
             var writer = FlatWriter.reliable(recording(ring, calls, (call, n) -> call.equals("slotDataPtr") && n == 1),
                     Duration.ofSeconds(1))) {
            writer.write(new byte[] {1});
            calls.clear();
            try (FlatWriter.Claim claim = writer.loan()) {
                assertThat(claim.slot()).isEqualTo(1);
                assertThat(calls).as("the payload, asked again").containsExactly("slotDataPtr");
                claim.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 2);
                claim.commit(1);
            }
            assertThat(reader.takeCopy()).containsExactly(1);
            assertThat(reader.takeCopy()).containsExactly(2);
        }
    }

    @Test
    void aWriteThatFailsInTheSlotReservedAheadGivesItBack() {
        try (var ring = InMemorySlotBackend.create(4, 16);
             var reader = FlatReader.attach(ring)) {
            var writer = FlatWriter.reliable(ring, Duration.ofSeconds(1));
            writer.write(new byte[] {1});
            Arena arena = Arena.ofConfined();
            MemorySegment gone = arena.allocate(4);
            arena.close();
            assertThatThrownBy(() -> writer.write(gone)).isInstanceOf(IllegalStateException.class);
            assertThat(writer.write(new byte[] {2})).as("the writer goes on").isEqualTo(1);
            writer.close();
            assertNothingLoaned(ring);
            assertThat(reader.takeCopy()).containsExactly(1);
            assertThat(reader.takeCopy()).containsExactly(2);
        }
    }

    @Test
    void aLoanAfterTheBackendClosedFailsClearlyAndCloseStillWorks() {
        var ring = InMemorySlotBackend.create(4, 16);
        var reader = FlatReader.attach(ring);
        var writer = FlatWriter.reliable(ring, Duration.ofSeconds(1));
        writer.write(new byte[] {1}); // slot 1 reserved ahead
        ring.close();
        assertThatThrownBy(writer::loan).isInstanceOf(BackendClosedException.class);
        assertThatThrownBy(() -> writer.write(new byte[] {2})).isInstanceOf(BackendClosedException.class);
        assertThatCode(writer::close).as("the slot reserved ahead went with the backend").doesNotThrowAnyException();
        assertThatThrownBy(reader::take).isInstanceOf(BackendClosedException.class);
    }

    private static void assertNothingLoaned(SlotBackend ring) {
        for (int slot = 0; slot < ring.slotCount(); slot++) {
            int s = slot;
            assertThatThrownBy(() -> ring.slotDataPtr(s)).as("slot %d", s).isInstanceOf(SlotStateException.class);
        }
        ring.markEndOfStream(); // throws while a slot is loaned
    }

    /**
     * {@code target} behind a proxy that records the name of every writer call and throws
     * {@link SegmentAccessException} from the n-th call of a method when {@code fail} says so.
     */
    private static SlotBackend recording(SlotBackend target, List<String> calls, BiPredicate<String, Integer> fail) {
        Map<String, Integer> counts = new HashMap<>();
        return (SlotBackend) Proxy.newProxyInstance(SlotBackend.class.getClassLoader(),
                new Class<?>[] {SlotBackend.class}, (proxy, method, args) -> {
                    String name = method.getName();
                    if (List.of("reserveSlot", "reserveSlotNoWait", "slotDataPtr", "commitSlot", "commitInPlace",
                            "discardSlot", "markEndOfStream").contains(name)) {
                        calls.add(name);
                    }
                    int n = counts.merge(name.startsWith("reserve") ? "reserve" : name, 1, Integer::sum);
                    if (fail.test(name, n)) {
                        throw new SegmentAccessException(name + " call " + n + " refused");
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
