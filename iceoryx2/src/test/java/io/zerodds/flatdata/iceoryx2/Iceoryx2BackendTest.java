package io.zerodds.flatdata.iceoryx2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.ReaderDisconnectedException;
import io.zerodds.flatdata.Sample;
import io.zerodds.flatdata.SampleTooLargeException;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.TypeMismatchException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the iceoryx2 backend does where the contract suite's tests cannot say it (two slot tables,
 * chunks dropped once read), and its bad-input handling.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Iceoryx2BackendTest {

    private static final Iox2Names NAMES = new Iox2Names("backend");

    static Iceoryx2SlotBackend ring(int slots, int capacity) {
        return Iceoryx2SlotBackend.create(NAMES.next()).prefix(Iox2Names.PREFIX).slotCount(slots)
                .slotCapacity(capacity).build();
    }

    /** A new service {@code name} of {@code slots} slots of 64 bytes. */
    static Iceoryx2SlotBackend created(String name, int slots) {
        return Iceoryx2SlotBackend.create(name).prefix(Iox2Names.PREFIX).slotCount(slots).slotCapacity(64).build();
    }

    /** A second backend on the existing service {@code name}. */
    static Iceoryx2SlotBackend opened(String name) {
        return Iceoryx2SlotBackend.open(name).prefix(Iox2Names.PREFIX).build();
    }

    static long write(SlotBackend b, String s) {
        int slot = b.reserveSlot();
        assertThat(slot).isNotEqualTo(SlotBackend.NO_FREE_SLOT);
        return b.commitSlot(slot, s.getBytes(StandardCharsets.UTF_8));
    }

    static String text(SlotBackend b, int slot) {
        return new String(b.slotReadPtr(slot).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    @Test
    void theCountersAndTheLagOfThisProcesssReadersFollowCommitsAndTakes() {
        try (Iceoryx2SlotBackend b = ring(8, 64)) {
            int reader = b.attachReader();
            for (int i = 0; i < 3; i++) {
                write(b, "sample " + i);
            }
            assertThat(b.counters().committed()).isEqualTo(3);
            int first = b.nextUnreadSlot(reader);
            assertThat(first).isNotEqualTo(SlotBackend.NO_SLOT);
            // received into this process so far: the one the reader is looking at (the rest waits in iceoryx2)
            assertThat(b.unreadCount(reader)).isEqualTo(1);
            b.markRead(first, reader);
            assertThat(b.unreadCount(reader)).isZero();
            assertThat(b.counters().taken(reader)).isEqualTo(1);
            assertThat(b.freeSlotCount()).as("cannot tell without loaning").isEqualTo(-1);
        }
    }

    @Test
    void aFlatWriterLoansAheadAlsoWhenItsReadersAreInAnotherPort() {
        String name = NAMES.next();
        try (Iceoryx2SlotBackend out = created(name, 4);
             Iceoryx2SlotBackend in = opened(name);
             FlatReader reader = FlatReader.attach(in);
             FlatWriter writer = FlatWriter.reliable(out, Duration.ofSeconds(5))) {
            assertThat(out.activeReaders()).as("this port has no readers of its own").isZero();
            assertThat(out.reservesAheadFreely()).isTrue();
            writer.write("first".getBytes(StandardCharsets.UTF_8));
            Sample s = reader.take(Duration.ofSeconds(5));
            assertThat(s).isNotNull();
            s.release();
            // the sample's chunk is back; the writer holds the next one, reserved after its commit
            int reserved = 0;
            while (out.reserveSlotNoWait() != SlotBackend.NO_FREE_SLOT) {
                reserved++;
            }
            assertThat(reserved).isEqualTo(3);
        }
    }

    @Test
    void copiedAndInPlaceCommitsArriveByteForByteTheSame() {
        try (Iceoryx2SlotBackend b = ring(4, 64)) {
            int reader = b.attachReader();
            b.commitSlot(b.reserveSlot(), "same bytes".getBytes(StandardCharsets.UTF_8));
            int slot = b.reserveSlot();
            MemorySegment out = b.slotDataPtr(slot);
            assertThat(out.byteSize()).isEqualTo(64);
            MemorySegment.copy(MemorySegment.ofArray("same bytes".getBytes(StandardCharsets.UTF_8)), 0, out, 0, 10);
            long second = b.commitInPlace(slot, 10);
            int a = b.nextUnreadSlot(reader, second - 1);
            int c = b.nextUnreadSlot(reader, second);
            assertThat(b.readSlot(c).data()).isEqualTo(b.readSlot(a).data());
            assertThat(b.readSlot(c).sequence()).isEqualTo(second).isEqualTo(b.readSlot(a).sequence() + 1);
            assertThat(b.writerSequence(c)).isEqualTo(second);
        }
    }

    @Test
    void aSampleIsHeldUntilEveryReaderAttachedAtItsArrivalReadItAndMarkReadIsIdempotent() {
        try (Iceoryx2SlotBackend b = ring(2, 16)) {
            int r0 = b.attachReader();
            int r1 = b.attachReader();
            write(b, "a");
            write(b, "b");
            assertThat(b.reserveSlot()).as("both chunks held").isEqualTo(SlotBackend.NO_FREE_SLOT);
            int slot = b.nextUnreadSlot(r0);
            assertThat(text(b, slot)).isEqualTo("a");
            b.markRead(slot, r0);
            b.markRead(slot, r0);
            assertThat(b.readSlot(slot).readerMask()).isEqualTo(1 << r0);
            assertThat(b.reserveSlot()).as("r1 still holds a").isEqualTo(SlotBackend.NO_FREE_SLOT);
            assertThat(b.nextUnreadSlot(r1)).isEqualTo(slot);
            assertThat(b.nextUnreadSlot(r0)).isNotEqualTo(slot);
            b.markRead(slot, r1);
            assertThat(b.slotSequence(slot)).as("dropped once everyone read it").isEqualTo(SlotBackend.NO_SEQUENCE);
            int free = b.reserveSlot();
            assertThat(free).as("its chunk went back to the writer").isNotEqualTo(SlotBackend.NO_FREE_SLOT);
            b.discardSlot(free);
        }
    }

    @Test
    void aDisconnectedReaderNoLongerHoldsChunksAndIsToldSo() {
        try (Iceoryx2SlotBackend b = ring(2, 16)) {
            int slow = b.attachReader();
            int live = b.attachReader();
            write(b, "a");
            write(b, "b");
            for (int s; (s = b.nextUnreadSlot(live)) != SlotBackend.NO_SLOT; ) {
                b.markRead(s, live);
            }
            assertThat(b.reserveSlot()).isEqualTo(SlotBackend.NO_FREE_SLOT);
            b.markReaderDisconnected(slow);
            assertThat(b.activeReaders()).isEqualTo(1 << live);
            assertThat(b.reserveSlot()).isNotEqualTo(SlotBackend.NO_FREE_SLOT);
            assertThatThrownBy(() -> b.nextUnreadSlot(slow))
                    .isInstanceOf(ReaderDisconnectedException.class).hasMessageContaining("reader index=" + slow);
        }
    }

    @Test
    void samplesArrivingWhileEveryReaderIsDisconnectedAreDroppedAndCountedNotHeld() {
        try (Iceoryx2SlotBackend b = ring(4, 16)) {
            int gone = b.attachReader();
            b.markReaderDisconnected(gone);
            write(b, "a");
            write(b, "b");
            int late = b.attachReader(); // receives what was queued before it came: nobody's
            assertThat(b.unwantedSamples()).isEqualTo(2);
            assertThat(b.nextUnreadSlot(late)).isEqualTo(SlotBackend.NO_SLOT);
            for (String s : new String[] {"c", "d", "e", "f"}) {
                write(b, s); // four chunks in use again: the dropped samples' chunks came back
            }
            for (String expected : new String[] {"c", "d", "e", "f"}) {
                int slot = b.nextUnreadSlot(late);
                assertThat(text(b, slot)).isEqualTo(expected);
                b.markRead(slot, late);
            }
            assertThat(b.unwantedSamples()).isEqualTo(2);
        }
    }

    @Test
    void readerIndexesOutside0To31AreRefused() {
        try (Iceoryx2SlotBackend b = ring(2, 8)) {
            for (int bad : new int[] {-1, 32, 255}) {
                assertThatThrownBy(() -> b.markRead(0, bad))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reader index=" + bad);
                assertThatThrownBy(() -> b.nextUnreadSlot(bad)).isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> b.attachReader(bad)).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @Test
    void serviceNamesIceoryx2RefusesAreRefusedWithTheName() {
        for (String bad : new String[] {"", "x".repeat(300)}) {
            assertThatThrownBy(() -> Iceoryx2SlotBackend.create(bad).prefix(Iox2Names.PREFIX).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("service name");
        }
        assertThatThrownBy(() -> Iceoryx2SlotBackend.create("ok").prefix("bad/prefix").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad/prefix");
    }

    @Test
    void geometryOutsideItsRangeIsRefusedBeforeAnythingIsCreated() {
        Iceoryx2SlotBackend.Builder builder = Iceoryx2SlotBackend.create(NAMES.next());
        assertThatThrownBy(() -> builder.slotCapacity(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slotCapacity=0");
        assertThatThrownBy(() -> builder.slotCapacity(Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slotCapacity=2147483647");
        assertThatThrownBy(() -> builder.slotCount(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slotCount=0");
        assertThatThrownBy(() -> builder.slotCount(1 << 20))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slotCount=1048576");
        assertThatThrownBy(() -> builder.maxReaders(33))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxReaders=33");
        assertThatThrownBy(() -> builder.typeHash(new byte[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 bytes");
    }

    @Test
    void aLoanLargerThanTheCapacityIsRefusedAndTheLoanStaysUsable() {
        try (Iceoryx2SlotBackend b = ring(2, 8)) {
            int reader = b.attachReader();
            int slot = b.reserveSlot();
            assertThatThrownBy(() -> b.commitInPlace(slot, 9))
                    .isInstanceOf(SampleTooLargeException.class).hasMessageContaining("size=9");
            assertThatThrownBy(() -> b.commitSlot(slot, new byte[100]))
                    .isInstanceOf(SampleTooLargeException.class).hasMessageContaining("capacity=8");
            long sequence = b.commitSlot(slot, new byte[8]);
            assertThat(b.readSlot(b.nextUnreadSlot(reader, sequence)).size()).isEqualTo(8);
        }
    }

    @Test
    void openingWithAnotherGeometryOrTypeIsRefusedOnEitherSide() {
        String name = NAMES.next();
        io.zerodds.flatdata.FlatType<MemorySegment> tick = io.zerodds.flatdata.FlatType.of("Tick",
                java.lang.foreign.MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("id")));
        try (Iceoryx2SlotBackend created = Iceoryx2SlotBackend.create(name).prefix(Iox2Names.PREFIX).slotCount(4)
                .slotCapacity(64).build()) {
            try (Iceoryx2SlotBackend opened = Iceoryx2SlotBackend.open(name).prefix(Iox2Names.PREFIX).build()) {
                assertThat(opened.slotCount()).isEqualTo(4);
                assertThat(opened.slotCapacity()).isEqualTo(64);
            }
            assertThatThrownBy(() -> Iceoryx2SlotBackend.open(name).prefix(Iox2Names.PREFIX).slotCapacity(128).build())
                    .isInstanceOf(Iceoryx2Exception.class).hasMessageContaining("slot_capacity=64")
                    .hasMessageContaining("slot_capacity=128");
            assertThatThrownBy(() -> Iceoryx2SlotBackend.open(name).prefix(Iox2Names.PREFIX).slotCount(16).build())
                    .isInstanceOf(Iceoryx2Exception.class);
            assertThatThrownBy(() -> Iceoryx2SlotBackend.open(name).prefix(Iox2Names.PREFIX).type(tick).build())
                    .isInstanceOf(TypeMismatchException.class).hasMessageContaining("type hash=none");
            assertThatThrownBy(() -> FlatReader.attach(created, tick)).isInstanceOf(TypeMismatchException.class);
        }
        assertThatThrownBy(() -> Iceoryx2SlotBackend.open(NAMES.next()).prefix(Iox2Names.PREFIX).build())
                .isInstanceOf(Iceoryx2Exception.class).hasMessageContaining("DoesNotExist")
                .satisfies(e -> assertThat(((Iceoryx2Exception) e).reason()).isEqualTo(Iceoryx2Exception.Reason.MISSING));
    }

    @Test
    void anOpenerAdoptsTheCreatorsReaderLimitUnlessItAsksForMore() {
        String name = NAMES.next();
        try (Iceoryx2SlotBackend created = Iceoryx2SlotBackend.create(name).prefix(Iox2Names.PREFIX).slotCount(4)
                .slotCapacity(64).maxReaders(2).build();
             Iceoryx2SlotBackend opened = opened(name);
             Iceoryx2SlotBackend asked = Iceoryx2SlotBackend.open(name).prefix(Iox2Names.PREFIX).maxReaders(2).build()) {
            FlatReader reader = FlatReader.attach(opened);
            write(created, "adopted");
            assertThat(text(opened, reader.take(java.time.Duration.ofSeconds(10)).slot())).isEqualTo("adopted");
            assertThat(asked.serviceName()).isEqualTo(name);
            assertThatThrownBy(() -> Iceoryx2SlotBackend.open(name).prefix(Iox2Names.PREFIX).maxReaders(3).build())
                    .isInstanceOf(Iceoryx2Exception.class)
                    .hasMessageContaining("DoesNotSupportRequestedAmountOfSubscribers")
                    .satisfies(e -> assertThat(((Iceoryx2Exception) e).reason())
                            .isEqualTo(Iceoryx2Exception.Reason.SETTINGS));
        }
    }

    @Test
    void aSecondWriterOnTheServiceIsRefusedWhileTheFirstLives() {
        String name = NAMES.next();
        try (Iceoryx2SlotBackend first = Iceoryx2SlotBackend.create(name).prefix(Iox2Names.PREFIX).build();
             Iceoryx2SlotBackend second = Iceoryx2SlotBackend.open(name).prefix(Iox2Names.PREFIX).build()) {
            first.discardSlot(first.reserveSlot());
            assertThat(first.writers()).isEqualTo(1);
            assertThatThrownBy(second::reserveSlot)
                    .isInstanceOf(Iceoryx2Exception.class).hasMessageContaining("already has its writer")
                    .satisfies(e -> assertThat(((Iceoryx2Exception) e).reason()).isEqualTo(Iceoryx2Exception.Reason.LIMIT));
        }
    }

    @Test
    void aFlatWriterAndAFlatReaderInTwoBackendsOfOneServiceExchangeSamples() throws InterruptedException {
        String name = NAMES.next();
        try (Iceoryx2SlotBackend writerSide = created(name, 8);
             Iceoryx2SlotBackend readerSide = opened(name);
             FlatReader reader = FlatReader.attach(readerSide);
             FlatWriter writer = FlatWriter.reliable(writerSide, Duration.ofSeconds(10))) {
            Thread producer = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    FlatWriter.Claim claim = writer.loan();
                    claim.segment().set(ValueLayout.JAVA_INT, 0, i);
                    claim.commit(4);
                }
            });
            for (int i = 0; i < 10_000; i++) {
                try (Sample s = reader.take(Duration.ofSeconds(10))) {
                    assertThat(s).as("sample %d", i).isNotNull();
                    assertThat(s.segment().get(ValueLayout.JAVA_INT, 0)).isEqualTo(i);
                }
            }
            // the writer loans ahead after its last commit: it is the producer's until the thread ends,
            // and only then may this thread close it
            assertThat(producer.join(Duration.ofSeconds(10))).as("producer finished").isTrue();
            assertThat(readerSide.readerPorts()).isEqualTo(1);
        }
    }

    @Test
    void aPanicInTheNativeLibraryComesBackAsAnErrorCodeAndTheJvmLivesOn() {
        assertThat(NativeAbi.selfTestPanic()).isEqualTo(NativeAbi.ERR_PANIC);
        assertThat(NativeAbi.lastError()).contains("panic caught at the flatdata-iceoryx2 boundary")
                .contains("self-test panic");
        try (Iceoryx2SlotBackend b = ring(2, 8)) {
            assertThat(b.slotCount()).as("the library still works").isEqualTo(2);
        }
    }

    /**
     * Close races every call another thread may make on the native ring (port counts, dead-node
     * cleanup, wake-ups, waits, a writer and a reader at work): each call either completes or
     * throws BackendClosedException, and the JVM never touches a freed handle.
     */
    @Test
    void closingWhileOtherThreadsCallIntoTheRingIsSafe() throws Exception {
        for (int round = 0; round < 20; round++) {
            Iceoryx2SlotBackend b = ring(4, 16);
            int reader = b.attachReader();
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(4);
            java.util.List<Throwable> unexpected = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            Runnable[] jobs = {
                () -> { while (true) { b.writers(); b.readerPorts(); b.cleanupDeadNodes(); } },
                () -> { while (true) { b.wakeAll(); if (b.isClosed()) { b.notifyGeneration(); } } },
                () -> { while (true) { b.waitForChange(b.notifyGeneration(), 1_000_000L); } },
                () -> {
                    while (true) {
                        int slot = b.reserveSlotNoWait();
                        if (slot >= 0) {
                            b.commitSlot(slot, new byte[8]);
                        }
                        for (int s; (s = b.nextUnreadSlot(reader)) != SlotBackend.NO_SLOT; ) {
                            b.markRead(s, reader);
                        }
                    }
                },
            };
            java.util.List<Thread> threads = new java.util.ArrayList<>();
            for (Runnable job : jobs) {
                threads.add(Thread.ofPlatform().start(() -> {
                    started.countDown();
                    try {
                        job.run();
                    } catch (io.zerodds.flatdata.BackendClosedException expected) {
                        // the one way out
                    } catch (Throwable t) {
                        unexpected.add(t);
                    }
                }));
            }
            started.await();
            Thread.sleep(5);
            b.close();
            for (Thread t : threads) {
                t.join(10_000);
                assertThat(t.isAlive()).as("a thread still inside the closed backend").isFalse();
            }
            assertThat(unexpected).isEmpty();
        }
    }

    @Test
    void viewsHandedOutThrowInsteadOfFaultingOnceTheBackendClosed() {
        MemorySegment view;
        try (Iceoryx2SlotBackend b = ring(2, 16)) {
            int reader = b.attachReader();
            write(b, "kept");
            view = b.slotReadPtr(b.nextUnreadSlot(reader));
            assertThat(view.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 'k');
        }
        assertThatThrownBy(() -> view.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }
}
