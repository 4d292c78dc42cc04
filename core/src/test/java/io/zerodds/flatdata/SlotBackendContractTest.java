package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link SlotBackend} contract, written once and run against every backend: each backend's
 * test class extends this one and says how to build a ring.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class SlotBackendContractTest {

    private final List<SlotBackend> opened = new ArrayList<>();

    /** A fresh, empty ring of {@code slots} slots of {@code capacity} bytes whose first sequence is {@code initialSequence}. */
    protected abstract SlotBackend create(int slots, int capacity, long initialSequence, byte[] typeHash);

    protected final SlotBackend ring(int slots, int capacity) {
        return ring(slots, capacity, 0);
    }

    protected final SlotBackend ring(int slots, int capacity, long initialSequence) {
        SlotBackend backend = create(slots, capacity, initialSequence, null);
        opened.add(backend);
        return backend;
    }

    protected final SlotBackend typedRing(int slots, FlatType<?> type) {
        SlotBackend backend = create(slots, (int) type.byteSize(), 0, type.typeHash());
        opened.add(backend);
        return backend;
    }

    @AfterEach
    void closeRings() {
        opened.forEach(SlotBackend::close);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static long write(SlotBackend b, String s) {
        int slot = b.reserveSlot(b.activeReaders());
        assertThat(slot).as("free slot for %s", s).isNotEqualTo(SlotBackend.NO_FREE_SLOT);
        return b.commitSlot(slot, bytes(s));
    }

    static String read(SlotBackend b, int slot) {
        return new String(b.slotReadPtr(slot).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** Takes everything pending for {@code reader}, in the order nextUnreadSlot hands it out. */
    static List<String> drain(SlotBackend b, int reader) {
        List<String> out = new ArrayList<>();
        for (int slot; (slot = b.nextUnreadSlot(reader)) != SlotBackend.NO_SLOT; ) {
            out.add(read(b, slot));
            b.markRead(slot, reader);
        }
        return out;
    }

    // ------------------------------------------------------------------ geometry

    @Test
    void reportsGeometryOfTheReferenceLayout() {
        SlotBackend b = ring(8, 100);
        assertThat(b.slotCount()).isEqualTo(8);
        assertThat(b.slotCapacity()).isEqualTo(100);
        assertThat(b.slotTotalSize()).isEqualTo(128); // align_up(16 + 100, 64)
        assertThat(b.typeHash()).isEmpty();
    }

    // ------------------------------------------------------------------ reserve / commit

    @Test
    void reserveHandsOutEverySlotOnceThenReportsNoFreeSlot() {
        SlotBackend b = ring(4, 64);
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            slots.add(b.reserveSlot(0));
        }
        assertThat(slots).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(b.reserveSlot(0)).isEqualTo(SlotBackend.NO_FREE_SLOT);
    }

    @Test
    void commitPublishesHeaderAndBytesAndNumbersSamplesInOrder() {
        SlotBackend b = ring(4, 64);
        int reader = b.attachReader();
        int slot = b.reserveSlot(b.activeReaders());
        long first = b.commitSlot(slot, bytes("hello"));
        long second = write(b, "world");
        assertThat(second).isEqualTo(first + 1);
        SlotSample s = b.readSlot(slot);
        assertThat(s.sequence()).isEqualTo(first);
        assertThat(s.size()).isEqualTo(5);
        assertThat(s.readerMask()).isZero();
        assertThat(s.data()).isEqualTo(bytes("hello"));
        assertThat(drain(b, reader)).containsExactly("hello", "world");
    }

    @Test
    void commitInPlaceIsByteForByteTheSameAsCommitSlot() {
        SlotBackend b = ring(4, 64);
        int copied = b.reserveSlot(0);
        b.commitSlot(copied, bytes("same bytes"));
        int inPlace = b.reserveSlot(0);
        MemorySegment out = b.slotDataPtr(inPlace);
        assertThat(out.byteSize()).isEqualTo(64);
        MemorySegment.copy(MemorySegment.ofArray(bytes("same bytes")), 0, out, 0, 10);
        long sequence = b.commitInPlace(inPlace, 10);
        SlotSample a = b.readSlot(copied);
        SlotSample c = b.readSlot(inPlace);
        assertThat(c.data()).isEqualTo(a.data());
        assertThat(c.size()).isEqualTo(a.size());
        assertThat(c.readerMask()).isEqualTo(a.readerMask());
        assertThat(c.sequence()).isEqualTo(sequence).isEqualTo(a.sequence() + 1);
    }

    @Test
    void aSlotIsReusedOnlyAfterEveryActiveReaderReadIt() {
        SlotBackend b = ring(2, 16);
        int r0 = b.attachReader();
        int r1 = b.attachReader();
        write(b, "a");
        write(b, "b");
        assertThat(b.reserveSlot(b.activeReaders())).isEqualTo(SlotBackend.NO_FREE_SLOT);
        assertThat(b.reserveSlot()).as("for the readers attached now").isEqualTo(SlotBackend.NO_FREE_SLOT);
        int slotA = b.nextUnreadSlot(r0);
        b.markRead(slotA, r0);
        assertThat(b.reserveSlot(b.activeReaders())).as("r1 has not read it").isEqualTo(SlotBackend.NO_FREE_SLOT);
        assertThat(b.reserveSlot()).as("r1 has not read it").isEqualTo(SlotBackend.NO_FREE_SLOT);
        b.markRead(slotA, r1);
        assertThat(b.reserveSlot()).isEqualTo(slotA);
    }

    @Test
    void withNoActiveReaderTheRingKeepsTheLastSamples() {
        SlotBackend b = ring(3, 16);
        for (int i = 0; i < 10; i++) {
            write(b, "s" + i);
        }
        List<String> kept = new ArrayList<>();
        for (int slot = 0; slot < 3; slot++) {
            kept.add(new String(b.readSlot(slot).data(), StandardCharsets.UTF_8));
        }
        assertThat(kept).containsExactlyInAnyOrder("s7", "s8", "s9");
    }

    @Test
    void aDiscardedLoanFreesTheSlotAndLeavesNothingToRead() {
        SlotBackend b = ring(1, 16);
        int reader = b.attachReader();
        int slot = b.reserveSlot(b.activeReaders());
        b.slotDataPtr(slot).set(ValueLayout.JAVA_INT, 0, 0xBADBAD);
        b.discardSlot(slot);
        assertThat(b.nextUnreadSlot(reader)).isEqualTo(SlotBackend.NO_SLOT);
        assertThat(b.slotSequence(slot)).isEqualTo(SlotBackend.NO_SEQUENCE);
        assertThat(b.readSlot(slot).size()).isZero();
        assertThat(b.reserveSlot(b.activeReaders())).isEqualTo(slot);
    }

    @Test
    void discardAfterAReusedCommittedSampleDoesNotResurrectIt() {
        SlotBackend b = ring(1, 16);
        int reader = b.attachReader();
        write(b, "old");
        assertThat(drain(b, reader)).containsExactly("old");
        int slot = b.reserveSlot(b.activeReaders());
        b.discardSlot(slot);
        assertThat(drain(b, reader)).isEmpty();
    }

    /** A reader taking by sequence: the next sample's slot and content, or null when none is pending. */
    private static String takeInOrder(SlotBackend b, int reader, long sequence) {
        int slot = b.nextUnreadSlot(reader, sequence);
        if (slot == SlotBackend.NO_SLOT) {
            return null;
        }
        String s = read(b, slot);
        b.markRead(slot, reader);
        return s;
    }

    /** Commits "a" and has {@code reader} take it by sequence; returns a's sequence. */
    private static long writeAndTakeInOrder(SlotBackend b, int reader) {
        long first = write(b, "a");
        assertThat(takeInOrder(b, reader, first)).isEqualTo("a");
        return first;
    }

    @Test
    void aSampleCommittedOutOfSlotOrderIsFoundByAReaderTakingInOrder() {
        SlotBackend b = ring(4, 16);
        int reader = b.attachReader();
        long first = writeAndTakeInOrder(b, reader);
        assertThat(takeInOrder(b, reader, first + 1)).as("nothing committed yet").isNull();

        // the slot after a's is loaned and discarded: b lands one slot further
        b.discardSlot(b.reserveSlot(b.activeReaders()));
        write(b, "b");
        assertThat(takeInOrder(b, reader, first + 1)).isEqualTo("b");

        // two loans committed in reverse order: the later slot gets the lower sequence
        int x = b.reserveSlot(b.activeReaders());
        int y = b.reserveSlot(b.activeReaders());
        b.commitSlot(y, bytes("c"));
        assertThat(takeInOrder(b, reader, first + 2)).isEqualTo("c");
        assertThat(takeInOrder(b, reader, first + 3)).as("d is still loaned").isNull();
        b.commitSlot(x, bytes("d"));
        assertThat(takeInOrder(b, reader, first + 3)).isEqualTo("d");
        assertThat(takeInOrder(b, reader, first + 4)).isNull();
        write(b, "e");
        assertThat(takeInOrder(b, reader, first + 4)).isEqualTo("e");
    }

    @Test
    void askingBySequenceForASampleAlreadyMarkedReadIsAnError() {
        SlotBackend b = ring(4, 16);
        int reader = b.attachReader();
        long first = writeAndTakeInOrder(b, reader);
        write(b, "b");
        // b is taken without its sequence, so the reader's in-order probe still expects it
        assertThat(drain(b, reader)).containsExactly("b");
        assertThatThrownBy(() -> b.nextUnreadSlot(reader, first + 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sequence=" + (first + 1))
                .hasMessageContaining("marked read twice?");
        assertThat(takeInOrder(b, reader, first + 2)).isNull();
    }

    @Test
    void aReaderWaitingForTheNextSampleWakesForOneCommittedOutOfSlotOrder() throws Exception {
        SlotBackend b = ring(4, 16);
        FlatReader reader = FlatReader.attach(b);
        write(b, "a");
        try (Sample a = reader.take()) {
            assertThat(a).isNotNull();
        }
        AtomicReference<String> got = new AtomicReference<>();
        CountDownLatch waiting = new CountDownLatch(1);
        Thread t = Thread.ofPlatform().start(() -> {
            waiting.countDown();
            try (Sample s = reader.take(Duration.ofSeconds(20))) {
                got.set(s == null ? "timeout" : new String(s.segment().toArray(ValueLayout.JAVA_BYTE),
                        StandardCharsets.UTF_8));
            }
        });
        waiting.await();
        Thread.sleep(50); // most likely blocked in waitForChange by now; either way it must get b
        b.discardSlot(b.reserveSlot(b.activeReaders()));
        write(b, "b");
        assertThat(t.join(Duration.ofSeconds(20))).as("waiting thread finished").isTrue();
        assertThat(got.get()).isEqualTo("b");
    }

    // ------------------------------------------------------------------ reading order

    @Test
    void nextUnreadSlotReturnsTheLowestSequenceNotTheLowestIndex() {
        SlotBackend b = ring(4, 16);
        int reader = b.attachReader();
        for (int i = 0; i < 4; i++) {
            write(b, "s" + i);
        }
        // read s0 and s1, so slots 0 and 1 are reused for s4 and s5
        assertThat(read(b, b.nextUnreadSlot(reader))).isEqualTo("s0");
        b.markRead(b.nextUnreadSlot(reader), reader);
        assertThat(read(b, b.nextUnreadSlot(reader))).isEqualTo("s1");
        b.markRead(b.nextUnreadSlot(reader), reader);
        write(b, "s4");
        write(b, "s5");
        assertThat(drain(b, reader)).containsExactly("s2", "s3", "s4", "s5");
    }

    @Test
    void deliveryStaysInOrderAcrossThe32BitSequenceWrap() {
        long start = 0xFFFF_FFFFL - 5;
        SlotBackend b = ring(4, 16, start);
        int reader = b.attachReader();
        assertThat(b.readerStartSequence(reader)).isEqualTo(start);
        List<Long> sequences = new ArrayList<>();
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int slot = b.reserveSlot(b.activeReaders());
            if (slot == SlotBackend.NO_FREE_SLOT) {
                // drain one sample so the ring keeps slots with sequences on both sides of the wrap
                int next = b.nextUnreadSlot(reader);
                got.add(read(b, next));
                sequences.add(b.slotSequence(next));
                b.markRead(next, reader);
                slot = b.reserveSlot(b.activeReaders());
            }
            b.commitSlot(slot, bytes("n" + i));
        }
        for (int next; (next = b.nextUnreadSlot(reader)) != SlotBackend.NO_SLOT; ) {
            got.add(read(b, next));
            sequences.add(b.slotSequence(next));
            b.markRead(next, reader);
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("n" + i);
        }
        assertThat(got).containsExactlyElementsOf(expected);
        for (int i = 0; i < sequences.size(); i++) {
            assertThat(sequences.get(i)).isEqualTo(start + i);
        }
        assertThat(sequences).contains(0x1_0000_0000L);
    }

    @Test
    void theSlotHeaderHoldsTheLow32BitsOfTheSequence() {
        SlotBackend b = ring(2, 16, 0xFFFF_FFFFL);
        int s1 = b.reserveSlot(0);
        b.commitSlot(s1, bytes("x"));
        int s2 = b.reserveSlot(0);
        long sequence = b.commitSlot(s2, bytes("y"));
        assertThat(sequence).isEqualTo(0x1_0000_0000L);
        assertThat(b.readSlot(s2).sequence()).isEqualTo(0x1_0000_0000L);
    }

    @Test
    void aReaderReceivesEverySampleCommittedAfterItAttachedAndNoneFromBefore() {
        SlotBackend b = ring(8, 16);
        write(b, "before1");
        write(b, "before2");
        int reader = b.attachReader();
        write(b, "after1");
        write(b, "after2");
        assertThat(drain(b, reader)).containsExactly("after1", "after2");
    }

    @Test
    void samplesFromBeforeAnAttachDoNotBlockTheWriter() {
        SlotBackend b = ring(2, 16);
        write(b, "x");
        write(b, "y");
        b.attachReader();
        assertThat(b.reserveSlot(b.activeReaders())).isNotEqualTo(SlotBackend.NO_FREE_SLOT);
    }

    @Test
    void nextUnreadSlotBySequenceFindsTheExpectedSampleOrNothing() {
        SlotBackend b = ring(4, 16);
        int reader = b.attachReader();
        long start = b.readerStartSequence(reader);
        assertThat(b.nextUnreadSlot(reader, start)).isEqualTo(SlotBackend.NO_SLOT);
        write(b, "a");
        write(b, "b");
        int slot = b.nextUnreadSlot(reader, start + 1);
        assertThat(read(b, slot)).isEqualTo("b");
        assertThat(b.nextUnreadSlot(reader, start + 2)).isEqualTo(SlotBackend.NO_SLOT);
    }

    // ------------------------------------------------------------------ markRead / disconnect

    @Test
    void markReadIsIdempotent() {
        SlotBackend b = ring(2, 16);
        int r0 = b.attachReader();
        int r1 = b.attachReader();
        write(b, "a");
        int slot = b.nextUnreadSlot(r0);
        b.markRead(slot, r0);
        b.markRead(slot, r0);
        assertThat(b.readSlot(slot).readerMask()).isEqualTo(1 << r0);
        assertThat(b.nextUnreadSlot(r1)).isEqualTo(slot);
        assertThat(b.nextUnreadSlot(r0)).isEqualTo(SlotBackend.NO_SLOT);
    }

    @Test
    void aDisconnectedReaderNoLongerBlocksTheWriterAndIsToldSo() {
        SlotBackend b = ring(2, 16);
        int slow = b.attachReader();
        int live = b.attachReader();
        write(b, "a");
        write(b, "b");
        drain(b, live);
        assertThat(b.reserveSlot(b.activeReaders())).isEqualTo(SlotBackend.NO_FREE_SLOT);
        b.markReaderDisconnected(slow);
        assertThat(b.activeReaders()).isEqualTo(1 << live);
        assertThat(b.readSlot(0).readerMask() & (1 << slow)).isNotZero();
        assertThat(b.readSlot(1).readerMask() & (1 << slow)).isNotZero();
        assertThat(b.reserveSlot(b.activeReaders())).isNotEqualTo(SlotBackend.NO_FREE_SLOT);
        assertThatThrownBy(() -> b.nextUnreadSlot(slow))
                .isInstanceOf(ReaderDisconnectedException.class)
                .hasMessageContaining("reader index=" + slow);
    }

    @Test
    void theGenerationMovesWhenASlotIsFreedThatALaterReaderNeverWanted() {
        SlotBackend b = ring(2, 16);
        int early = b.attachReader();
        write(b, "a");
        write(b, "b");
        b.attachReader(); // attached after both samples: it does not hold them back
        assertThat(b.reserveSlot(b.activeReaders())).isEqualTo(SlotBackend.NO_FREE_SLOT);
        long generation = b.notifyGeneration();
        b.markRead(b.nextUnreadSlot(early, 0), early);
        assertThat(b.notifyGeneration()).as("generation after the slot was freed").isNotEqualTo(generation);
        assertThat(b.reserveSlot(b.activeReaders())).isNotEqualTo(SlotBackend.NO_FREE_SLOT);
    }

    @Test
    void aCaughtUpReaderThatWasDisconnectedIsToldInsteadOfGivenUnprotectedSamples() {
        SlotBackend b = ring(4, 16);
        int reader = b.attachReader();
        write(b, "a");
        int first = b.nextUnreadSlot(reader, 0);
        b.markRead(first, reader);
        b.markReaderDisconnected(reader);
        write(b, "b"); // lands in the slot the reader expects next; the writer no longer waits for it
        assertThatThrownBy(() -> b.nextUnreadSlot(reader, 1))
                .isInstanceOf(ReaderDisconnectedException.class)
                .hasMessageContaining("reader index=" + reader);
        assertThatThrownBy(() -> b.nextUnreadSlot(reader))
                .isInstanceOf(ReaderDisconnectedException.class);
    }

    // ------------------------------------------------------------------ registry

    @Test
    void thirtyTwoReadersAttachAndAThirtyThirdIsRefused() {
        SlotBackend b = ring(2, 16);
        for (int i = 0; i < 32; i++) {
            assertThat(b.attachReader()).isEqualTo(i);
        }
        assertThat(b.activeReaders()).isEqualTo(-1);
        assertThatThrownBy(b::attachReader)
                .isInstanceOf(ReaderLimitException.class)
                .hasMessageContaining("all 32 reader indexes");
        b.detachReader(7);
        assertThat(b.attachReader()).isEqualTo(7);
    }

    @Test
    void attachingAnIndexInUseIsRefusedAndDetachIsIdempotent() {
        SlotBackend b = ring(2, 16);
        assertThat(b.attachReader(5)).isEqualTo(5);
        assertThatThrownBy(() -> b.attachReader(5))
                .isInstanceOf(ReaderLimitException.class)
                .hasMessageContaining("reader index=5")
                .hasMessageContaining("attached");
        b.detachReader(5);
        b.detachReader(5);
        assertThat(b.activeReaders()).isZero();
        assertThat(b.attachReader(5)).isEqualTo(5);
    }

    @Test
    void aDetachedReaderNoLongerBlocksTheWriter() {
        SlotBackend b = ring(1, 16);
        int reader = b.attachReader();
        write(b, "a");
        assertThat(b.reserveSlot(b.activeReaders())).isEqualTo(SlotBackend.NO_FREE_SLOT);
        b.detachReader(reader);
        assertThat(b.reserveSlot(b.activeReaders())).isZero();
    }

    // ------------------------------------------------------------------ views

    @Test
    void theReadViewIsReadOnlyAndSizedToTheSample() {
        SlotBackend b = ring(2, 64);
        int reader = b.attachReader();
        write(b, "abc");
        MemorySegment view = b.slotReadPtr(b.nextUnreadSlot(reader));
        assertThat(view.byteSize()).isEqualTo(3);
        assertThat(view.isReadOnly()).isTrue();
        assertThatThrownBy(() -> view.set(ValueLayout.JAVA_BYTE, 0, (byte) 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theReadAreaHoldsTheSampleAtItsStartAndIsOneViewForSamplesOfAnySize() {
        SlotBackend b = ring(1, 64);
        int reader = b.attachReader();
        write(b, "abc");
        int slot = b.nextUnreadSlot(reader);
        assertThat(b.slotReadSize(slot)).isEqualTo(3);
        MemorySegment area = b.slotReadArea(slot);
        assertThat(area.isReadOnly()).isTrue();
        assertThat(area.byteSize()).isGreaterThanOrEqualTo(3);
        assertThat(new String(area.asSlice(0, 3).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8))
                .isEqualTo("abc");
        b.markRead(slot, reader);
        write(b, "a longer sample");
        slot = b.nextUnreadSlot(reader);
        assertThat(b.slotReadSize(slot)).isEqualTo(15);
        MemorySegment again = b.slotReadArea(slot);
        assertThat(new String(again.asSlice(0, 15).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8))
                .isEqualTo("a longer sample");
        if (again.byteSize() == b.slotCapacity()) {
            assertThat(again).as("an area of the whole slot is the same view for every sample").isSameAs(area);
        }
        b.markRead(slot, reader);
        b.reserveSlot(b.activeReaders());
        assertThatThrownBy(() -> b.slotReadSize(0)).isInstanceOf(SlotStateException.class)
                .hasMessageContaining("slot 0");
        assertThatThrownBy(() -> b.slotReadArea(0)).isInstanceOf(SlotStateException.class);
    }

    @Test
    void slotSequenceDetectsThatAViewWasRecycled() {
        SlotBackend b = ring(1, 16);
        int reader = b.attachReader();
        long first = write(b, "one");
        int slot = b.nextUnreadSlot(reader);
        assertThat(b.slotSequence(slot)).isEqualTo(first);
        b.markRead(slot, reader);
        int again = b.reserveSlot(b.activeReaders());
        assertThat(b.slotSequence(slot)).as("loaned again").isEqualTo(SlotBackend.NO_SEQUENCE);
        b.commitSlot(again, bytes("two"));
        assertThat(b.slotSequence(slot)).isEqualTo(first + 1);
    }

    // ------------------------------------------------------------------ notify

    @Test
    void theGenerationChangesOnCommitAndOnASlotFreeWhileTheWriterWaitsForOne() {
        SlotBackend b = ring(2, 16);
        int reader = b.attachReader();
        long g0 = b.notifyGeneration();
        write(b, "a");
        long g1 = b.notifyGeneration();
        assertThat(g1).isNotEqualTo(g0);
        write(b, "b");
        assertThat(b.reserveSlot(b.activeReaders())).isEqualTo(SlotBackend.NO_FREE_SLOT);
        long g2 = b.notifyGeneration();
        b.markRead(b.nextUnreadSlot(reader), reader);
        assertThat(b.notifyGeneration()).as("a slot freed for a writer that found none").isNotEqualTo(g2);
    }

    @Test
    void aSlotFreedWhileTheWriterHasRoomLeavesTheGenerationAlone() {
        SlotBackend b = ring(4, 16);
        int reader = b.attachReader();
        write(b, "a");
        long g = b.notifyGeneration();
        b.markRead(b.nextUnreadSlot(reader), reader);
        assertThat(b.notifyGeneration()).isEqualTo(g);
        // once a reserve found the ring full, frees signal again; a successful reserve ends that
        write(b, "b");
        write(b, "c");
        write(b, "d");
        write(b, "e");
        assertThat(b.reserveSlot(b.activeReaders())).isEqualTo(SlotBackend.NO_FREE_SLOT);
        long full = b.notifyGeneration();
        b.markRead(b.nextUnreadSlot(reader), reader);
        assertThat(b.notifyGeneration()).isNotEqualTo(full);
        write(b, "f");
        long room = b.notifyGeneration();
        b.markRead(b.nextUnreadSlot(reader), reader);
        assertThat(b.notifyGeneration()).isEqualTo(room);
    }

    @Test
    void aReserveThatWillNotWaitLeavesFreesSilentAndItsSuccessEndsAWait() {
        SlotBackend b = ring(2, 16);
        int reader = b.attachReader();
        write(b, "a");
        write(b, "b");
        assertThat(b.reserveSlotNoWait()).isEqualTo(SlotBackend.NO_FREE_SLOT);
        long g = b.notifyGeneration();
        b.markRead(b.nextUnreadSlot(reader), reader);
        assertThat(b.notifyGeneration()).as("nobody waits for the freed slot").isEqualTo(g);

        write(b, "c");
        assertThat(b.reserveSlot()).isEqualTo(SlotBackend.NO_FREE_SLOT); // the writer waits from here
        long waiting = b.notifyGeneration();
        b.markRead(b.nextUnreadSlot(reader), reader);
        assertThat(b.notifyGeneration()).as("a slot freed for a waiting writer").isNotEqualTo(waiting);
        int slot = b.reserveSlotNoWait();
        assertThat(slot).isNotEqualTo(SlotBackend.NO_FREE_SLOT);
        b.discardSlot(slot);
        long room = b.notifyGeneration();
        b.markRead(b.nextUnreadSlot(reader), reader);
        assertThat(b.notifyGeneration()).as("the successful reserve ended the wait").isEqualTo(room);
    }

    @Test
    void waitForChangeReturnsAtOnceWhenTheGenerationAlreadyMovedAndTimesOutOtherwise() {
        SlotBackend b = ring(2, 16);
        long g = b.notifyGeneration();
        write(b, "a");
        assertThat(b.waitForChange(g, Duration.ofSeconds(30))).isTrue();
        long now = b.notifyGeneration();
        long t0 = System.nanoTime();
        assertThat(b.waitForChange(now, Duration.ofMillis(50))).isFalse();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(45));
    }

    @Test
    void aBlockedWaiterWakesOnACommitFromAnotherThread() throws Exception {
        SlotBackend b = ring(2, 16);
        long g = b.notifyGeneration();
        AtomicBoolean woke = new AtomicBoolean();
        CountDownLatch waiting = new CountDownLatch(1);
        Thread waiter = Thread.ofPlatform().start(() -> {
            waiting.countDown();
            woke.set(b.waitForChange(g, Duration.ofSeconds(30)));
        });
        waiting.await();
        Thread.sleep(50);
        write(b, "wake");
        waiter.join(10_000);
        assertThat(waiter.isAlive()).isFalse();
        assertThat(woke).isTrue();
    }

    @Test
    void wakeAllReturnsABlockedWaiterWithoutAnyChangeToTheRing() throws Exception {
        SlotBackend b = ring(2, 16);
        long g = b.notifyGeneration();
        AtomicBoolean woke = new AtomicBoolean();
        CountDownLatch waiting = new CountDownLatch(1);
        Thread waiter = Thread.ofPlatform().start(() -> {
            waiting.countDown();
            woke.set(b.waitForChange(g, Duration.ofSeconds(30)));
        });
        waiting.await();
        Thread.sleep(50);
        b.wakeAll();
        waiter.join(10_000);
        assertThat(waiter.isAlive()).isFalse();
        assertThat(woke).isTrue();
        assertThat(b.slotSequence(0)).isEqualTo(SlotBackend.NO_SEQUENCE);
        b.close();
        b.wakeAll(); // no-op once closed
    }

    @Test
    void noWakeUpIsLostBetweenReadingTheGenerationAndWaiting() throws Exception {
        SlotBackend b = ring(4, 16);
        int reader = b.attachReader();
        int rounds = 2_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread consumer = Thread.ofPlatform().start(() -> {
            try {
                long expected = b.readerStartSequence(reader);
                for (int i = 0; i < rounds; i++) {
                    while (true) {
                        long g = b.notifyGeneration();
                        int slot = b.nextUnreadSlot(reader, expected);
                        if (slot != SlotBackend.NO_SLOT) {
                            b.markRead(slot, reader);
                            expected++;
                            break;
                        }
                        // a lost wake-up would stall here for the whole 20 s
                        if (!b.waitForChange(g, Duration.ofSeconds(20))) {
                            throw new AssertionError("wake-up lost at round " + i);
                        }
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        for (int i = 0; i < rounds; i++) {
            int slot;
            while ((slot = b.reserveSlot(b.activeReaders())) == SlotBackend.NO_FREE_SLOT) {
                long g = b.notifyGeneration();
                if ((slot = b.reserveSlot(b.activeReaders())) != SlotBackend.NO_FREE_SLOT) {
                    break;
                }
                assertThat(b.waitForChange(g, Duration.ofSeconds(20))).as("writer wake-up at %d", i).isTrue();
            }
            b.commitSlot(slot, bytes("r" + i));
        }
        consumer.join(60_000);
        assertThat(failure.get()).isNull();
        assertThat(consumer.isAlive()).isFalse();
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void aSampleLargerThanTheCapacityIsRefusedAndTheSlotStaysLoaned() {
        SlotBackend b = ring(2, 8);
        int slot = b.reserveSlot(0);
        assertThatThrownBy(() -> b.commitSlot(slot, new byte[9]))
                .isInstanceOf(SampleTooLargeException.class)
                .hasMessageContaining("size=9").hasMessageContaining("capacity=8");
        assertThatThrownBy(() -> b.commitInPlace(slot, 9)).isInstanceOf(SampleTooLargeException.class);
        assertThat(b.commitSlot(slot, new byte[8])).isZero();
    }

    @Test
    void negativeAndZeroLengthsAreRefused() {
        SlotBackend b = ring(2, 8);
        int slot = b.reserveSlot(0);
        assertThatThrownBy(() -> b.commitInPlace(slot, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length=-1");
        assertThatThrownBy(() -> b.commitInPlace(slot, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length=0");
    }

    @Test
    void slotIndexesOutsideTheRingAreRefused() {
        SlotBackend b = ring(4, 8);
        int reader = b.attachReader();
        assertThatThrownBy(() -> b.commitSlot(4, new byte[1]))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("slot=4");
        assertThatThrownBy(() -> b.markRead(-1, reader))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("slot=-1");
        assertThatThrownBy(() -> b.slotReadPtr(99)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.readSlot(4)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.discardSlot(4)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.slotDataPtr(-3)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void committingASlotThatIsNotLoanedIsRefusedWithTheReason() {
        SlotBackend b = ring(4, 8);
        int reader = b.attachReader();
        assertThatThrownBy(() -> b.commitSlot(0, new byte[1]))
                .isInstanceOf(SlotStateException.class).hasMessageContaining("slot 0").hasMessageContaining("not loaned");
        int slot = b.reserveSlot(b.activeReaders());
        b.commitSlot(slot, bytes("kept"));
        assertThatThrownBy(() -> b.commitSlot(slot, new byte[1]))
                .isInstanceOf(SlotStateException.class).hasMessageContaining("already committed");
        int other = b.reserveSlot(b.activeReaders());
        b.discardSlot(other);
        assertThatThrownBy(() -> b.commitInPlace(other, 1))
                .isInstanceOf(SlotStateException.class).hasMessageContaining("discarded");
        assertThatThrownBy(() -> b.discardSlot(other))
                .isInstanceOf(SlotStateException.class).hasMessageContaining("discarded");
        assertThatThrownBy(() -> b.slotDataPtr(other)).isInstanceOf(SlotStateException.class);
        assertThat(drain(b, reader)).as("the committed sample is intact").containsExactly("kept");
    }

    @Test
    void readingASlotWithoutASampleIsRefused() {
        SlotBackend b = ring(2, 8);
        assertThatThrownBy(() -> b.slotReadPtr(1))
                .isInstanceOf(SlotStateException.class).hasMessageContaining("slot 1");
    }

    @Test
    void readerIndexesOutside0To31AreRefused() {
        SlotBackend b = ring(2, 8);
        write(b, "x");
        for (int bad : new int[] {-1, 32, 255}) {
            assertThatThrownBy(() -> b.markRead(0, bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reader index=" + bad);
            assertThatThrownBy(() -> b.nextUnreadSlot(bad)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.attachReader(bad)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.markReaderDisconnected(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(b.readSlot(0).data()).isEqualTo(bytes("x"));
    }

    @Test
    void aNegativeTimeoutIsRefused() {
        SlotBackend b = ring(2, 8);
        assertThatThrownBy(() -> b.waitForChange(b.notifyGeneration(), Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout=");
        assertThatThrownBy(() -> b.waitForChange(b.notifyGeneration(), -5L))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout=-5");
    }

    @Test
    void everyCallAfterCloseFailsClearly() {
        SlotBackend b = ring(2, 8);
        int reader = b.attachReader();
        int slot = b.reserveSlot(b.activeReaders());
        b.close();
        b.close();
        assertThat(b.isClosed()).isTrue();
        List<Runnable> calls = List.of(
                () -> b.reserveSlot(0), () -> b.commitSlot(slot, new byte[1]), () -> b.commitInPlace(slot, 1),
                () -> b.discardSlot(slot), () -> b.slotDataPtr(slot), () -> b.readSlot(slot),
                () -> b.slotReadPtr(slot), () -> b.nextUnreadSlot(reader), () -> b.nextUnreadSlot(reader, 0),
                () -> b.markRead(slot, reader), () -> b.markReaderDisconnected(reader), () -> b.attachReader(),
                () -> b.detachReader(reader), () -> b.waitForChange(0, 1L), () -> b.slotSequence(slot),
                () -> b.markEndOfStream(), () -> b.endOfStreamSequence(), () -> b.activeReaders(), () -> b.reserveSlot(),
                () -> b.reserveSlotNoWait(), () -> b.readerStartSequence(reader), () -> b.notifyGeneration(),
                () -> b.typeHash());
        for (Runnable call : calls) {
            assertThatThrownBy(call::run).isInstanceOf(BackendClosedException.class).hasMessageContaining("closed");
        }
    }

    @Test
    void closeWakesABlockedWaiter() throws Exception {
        SlotBackend b = ring(2, 8);
        long g = b.notifyGeneration();
        AtomicLong returned = new AtomicLong();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                b.waitForChange(g, Duration.ofSeconds(30));
            } catch (BackendClosedException ignored) {
                // closed before the wait started: as good as woken
            }
            returned.set(System.nanoTime());
        });
        Thread.sleep(50);
        long closedAt = System.nanoTime();
        b.close();
        waiter.join(10_000);
        assertThat(waiter.isAlive()).isFalse();
        assertThat(returned.get() - closedAt).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    // ------------------------------------------------------------------ end of stream

    @Test
    void readersSeeEverySampleBeforeTheEndOfTheStreamAndNothingCanFollowIt() {
        SlotBackend b = ring(4, 16);
        int reader = b.attachReader();
        assertThat(b.endOfStreamSequence()).isEqualTo(SlotBackend.OPEN_STREAM);
        write(b, "a");
        long last = write(b, "b");
        long g = b.notifyGeneration();
        b.markEndOfStream();
        b.markEndOfStream();
        assertThat(b.notifyGeneration()).as("readers are woken").isNotEqualTo(g);
        assertThat(b.endOfStreamSequence()).isEqualTo(last + 1);
        assertThat(drain(b, reader)).containsExactly("a", "b");
        assertThatThrownBy(() -> b.reserveSlot(b.activeReaders()))
                .isInstanceOf(SlotStateException.class).hasMessageContaining("ended at sequence=" + (last + 1));
    }

    @Test
    void theStreamCannotEndWhileASlotIsLoaned() {
        SlotBackend b = ring(4, 16);
        int slot = b.reserveSlot(0);
        assertThatThrownBy(b::markEndOfStream)
                .isInstanceOf(SlotStateException.class).hasMessageContaining("slot " + slot + " is still loaned");
        assertThat(b.endOfStreamSequence()).isEqualTo(SlotBackend.OPEN_STREAM);
        b.commitSlot(slot, bytes("last"));
        b.markEndOfStream();
        assertThat(b.endOfStreamSequence()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ typed

    @Test
    void aTypedRingCarriesTheTypeHash() {
        FlatType<MemorySegment> type = FlatType.of("Pair", java.lang.foreign.MemoryLayout.structLayout(
                ValueLayout.JAVA_LONG.withName("a"), ValueLayout.JAVA_LONG.withName("b")));
        SlotBackend b = typedRing(4, type);
        assertThat(b.typeHash()).hasValueSatisfying(h -> assertThat(h).isEqualTo(type.typeHash()));
    }
}
