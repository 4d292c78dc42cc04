package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zerodds.flatdata.test.ChildProcess;
import io.zerodds.flatdata.test.ShmNames;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Writers and readers killed with SIGKILL (or stopped), and what the survivors do about it. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PosixCrashRecoveryTest {

    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("crash");

    /** The common pool has one thread on a 2-core machine: reader and writer need their own. */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @org.junit.jupiter.api.AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private static void writeSamples(FlatWriter writer, long from, long to) {
        for (long i = from; i < to; i++) {
            try (FlatWriter.Claim claim = writer.loan()) {
                PosixChild.encode(i, claim.segment());
                claim.commit(PosixChild.SAMPLE_SIZE);
            }
        }
    }

    /** Takes {@code n} samples and returns their indexes (checksums verified). */
    private static List<Long> take(FlatReader reader, int n) {
        List<Long> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try (Sample s = reader.take(Duration.ofSeconds(30))) {
                assertThat(s).as("sample %d of %d", i, n).isNotNull();
                got.add(PosixChild.decode(s.segment()));
            }
        }
        return got;
    }

    private static List<Long> range(long from, long to) {
        List<Long> r = new ArrayList<>();
        for (long i = from; i < to; i++) {
            r.add(i);
        }
        return r;
    }

    @Test
    void aWriterKilledMidLoanIsTakenOverItsLoanReclaimedAndEveryCommittedSampleDelivered() {
        String name = NAMES.next();
        try (ChildProcess child = PosixChild.start("loaning-writer", name, "5")) {
            child.expect("READY", Duration.ofSeconds(30));
            try (PosixSlotBackend readSide = PosixSlotBackend.open(name).build();
                 FlatReader reader = FlatReader.attach(readSide)) {
                child.send("GO");
                child.expect("LOANED", Duration.ofSeconds(30));
                assertThatThrownBy(() -> PosixSlotBackend.open(name).asWriter().build())
                        .isInstanceOf(SegmentAccessException.class)
                        .hasMessageContaining(name).hasMessageContaining("live writer");
                assertThatThrownBy(() -> PosixSlotBackend.create(name).slotCapacity(64).build())
                        .isInstanceOf(SegmentAccessException.class).hasMessageContaining("alive");

                child.kill();

                try (PosixSlotBackend taken = PosixSlotBackend.open(name).asWriter().build();
                     FlatWriter writer = FlatWriter.reliable(taken, Duration.ofSeconds(10))) {
                    assertThat(taken.reclaimedLoans()).as("the dead writer's loan").isEqualTo(1);
                    // 8 slots: 5 committed by the dead writer, 1 reclaimed, 2 never used
                    writeSamples(writer, 5, 8);
                    assertThat(take(reader, 8)).as("committed before the crash, then after the takeover")
                            .containsExactlyElementsOf(range(0, 8));
                    writeSamples(writer, 8, 16);
                    assertThat(take(reader, 8)).containsExactlyElementsOf(range(8, 16));
                    assertThat(reader.take()).isNull();
                }
            }
        }
    }

    @Test
    void aWriterKilledButNeverReapedIsDeadSoItsRingIsTakenOverAndCanBeReplaced() {
        String name = NAMES.next();
        try (ChildProcess zombie = PosixChild.startUnreaped("loaning-writer", name, "3")) {
            zombie.expect("READY", Duration.ofSeconds(30));
            try (PosixSlotBackend readSide = PosixSlotBackend.open(name).build();
                 FlatReader reader = FlatReader.attach(readSide)) {
                zombie.send("GO");
                zombie.expect("LOANED", Duration.ofSeconds(30));

                zombie.kill();
                assertThat(zombie.processState()).as("killed, not reaped: its pid still exists").isEqualTo('Z');

                try (PosixSlotBackend taken = PosixSlotBackend.open(name).asWriter().build();
                     FlatWriter writer = FlatWriter.reliable(taken, Duration.ofSeconds(10))) {
                    assertThat(taken.reclaimedLoans()).as("the zombie's loan").isEqualTo(1);
                    writeSamples(writer, 3, 6);
                    assertThat(take(reader, 6)).containsExactlyElementsOf(range(0, 6));
                }
            }
        }
        String second = NAMES.next();
        try (ChildProcess zombie = PosixChild.startUnreaped("loaning-writer", second, "2")) {
            zombie.expect("READY", Duration.ofSeconds(30));
            zombie.send("GO");
            zombie.expect("LOANED", Duration.ofSeconds(30));
            zombie.kill();
            try (PosixSlotBackend fresh = PosixSlotBackend.create(second).slotCount(4).slotCapacity(32).build()) {
                assertThat(fresh.slotCapacity()).as("a fresh segment replaced the zombie's").isEqualTo(32);
                assertThat(fresh.nextUnreadSlot(fresh.attachReader())).isEqualTo(SlotBackend.NO_SLOT);
            }
        }
        assertThat(NAMES.path(second)).doesNotExist();
    }

    @Test
    void creatingOverASegmentLeftByADeadWriterReplacesItWithAFreshOne() {
        String name = NAMES.next();
        try (ChildProcess child = PosixChild.start("loaning-writer", name, "3")) {
            child.expect("READY", Duration.ofSeconds(30));
            child.send("GO");
            child.expect("LOANED", Duration.ofSeconds(30));
            child.kill();
        }
        try (PosixSlotBackend fresh = PosixSlotBackend.create(name).slotCount(4).slotCapacity(32).build()) {
            assertThat(fresh.slotCount()).isEqualTo(4);
            assertThat(fresh.slotCapacity()).isEqualTo(32);
            int reader = fresh.attachReader();
            assertThat(fresh.readerStartSequence(reader)).isZero();
            assertThat(fresh.nextUnreadSlot(reader)).isEqualTo(SlotBackend.NO_SLOT);
        }
        assertThat(NAMES.path(name)).doesNotExist();
    }

    @Test
    void aWriterRecordNamingAReusedPidIsRecognisedAsDeadByItsStartTime() throws Exception {
        String name = NAMES.next();
        PosixSlotBackend.create(name).slotCount(2).slotCapacity(16).keepOnClose().build().close();
        ProcessHandle init = ProcessHandle.of(1).orElseThrow();
        long initStart = init.info().startInstant().orElseThrow().toEpochMilli();
        try {
            // pid 1 is alive, but it is not the process that started at this (made-up) time
            forgeWriter(name, 1, initStart - 3_600_000);
            try (PosixSlotBackend taken = PosixSlotBackend.open(name).asWriter().keepOnClose().build()) {
                assertThat(taken.isWriter()).isTrue();
            }
            // the same pid with its real start time is a live writer
            forgeWriter(name, 1, initStart);
            assertThatThrownBy(() -> PosixSlotBackend.open(name).asWriter().build())
                    .isInstanceOf(SegmentAccessException.class).hasMessageContaining("pid 1");
        } finally {
            NAMES.deleteAll();
        }
    }

    @Test
    void aWriterThatDiedBeforeAdvancingTheNextSequenceIsNotGivenADuplicateSequence() throws Exception {
        // sample 2 is published (its slot word stored with a size) but the next sequence still
        // says 2, as if the writer died between the two stores
        takeOverAfterThreeCommits((s, ext) -> rewindNextSequence(s, ext, 2), 0);
    }

    @Test
    void ofTwoWritersRacingToTakeOverExactlyOneWins() throws Exception {
        String name = NAMES.next();
        PosixSlotBackend.create(name).slotCount(2).slotCapacity(16).keepOnClose().build().close();
        try {
            for (int round = 0; round < 20; round++) {
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                List<CompletableFuture<PosixSlotBackend>> racers = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    racers.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            start.await();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        return PosixSlotBackend.open(name).asWriter().keepOnClose().build();
                    }, threads));
                }
                List<PosixSlotBackend> won = new ArrayList<>();
                List<Throwable> lost = new ArrayList<>();
                for (CompletableFuture<PosixSlotBackend> racer : racers) {
                    try {
                        won.add(racer.get(30, TimeUnit.SECONDS));
                    } catch (java.util.concurrent.ExecutionException e) {
                        lost.add(e.getCause());
                    }
                }
                assertThat(won).as("round %d", round).hasSize(1);
                assertThat(lost).singleElement().isInstanceOf(SegmentAccessException.class);
                won.get(0).close(); // keeps the segment: the next round races again
            }
        } finally {
            NAMES.deleteAll();
        }
    }

    @Test
    void createReplacesAGarbageFileLeftByACreatorThatDiedButNotALiveSegment() throws Exception {
        String name = NAMES.next();
        Files.write(NAMES.path(name), new byte[] {1, 2, 3});
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(2).slotCapacity(16).build()) {
            assertThat(Files.size(ring.path())).isGreaterThan(3);
            assertThatThrownBy(() -> PosixSlotBackend.create(name).build())
                    .isInstanceOf(SegmentAccessException.class).hasMessageContaining("writer is alive");
            assertThat(ring.reserveSlot(0)).as("the live segment is untouched").isNotEqualTo(SlotBackend.NO_FREE_SLOT);
        }
    }

    @Test
    void aTemporaryFileOfACreatorThatDiedBeforePublishingIsSweptByTheNextCreate() throws Exception {
        long deadPid;
        try (ChildProcess child = PosixChild.start("stalled-reader", "no-such-segment-" + NAMES.next())) {
            deadPid = child.pid();
            child.waitFor(Duration.ofSeconds(30)); // fails to open and exits
        }
        Path leftover = PosixSlotBackend.SHM_DIRECTORY.resolve(".flatdata-" + deadPid + "-1-abc");
        Path live = PosixSlotBackend.SHM_DIRECTORY.resolve(".flatdata-" + ProcessHandle.current().pid() + "-0-keep");
        Files.write(leftover, new byte[] {1});
        Files.write(live, new byte[] {1});
        try {
            PosixSlotBackend.create(NAMES.next()).build().close();
            assertThat(leftover).as("the dead creator's temporary file").doesNotExist();
            assertThat(live).as("a live process's temporary file").exists();
        } finally {
            Files.deleteIfExists(leftover);
            Files.deleteIfExists(live);
        }
    }

    @Test
    void aWriterThatDiedRightAfterThePublishingStoreKeepsThatSampleAndLosesOnlyItsOpenLoan() throws Exception {
        // slot 2: its slot word is published (sequence 2, size 1), but the loan word is still odd
        // and the next sequence still says 2; slot 3: loaned, nothing written yet
        takeOverAfterThreeCommits((s, ext) -> {
            for (int slot = 2; slot < 4; slot++) {
                long loanWord = ext + SegmentLayout.loanWordOffset(slot);
                s.set(ValueLayout.JAVA_INT, loanWord, s.get(ValueLayout.JAVA_INT, loanWord) + 1);
            }
            rewindNextSequence(s, ext, 2);
        }, 1);
    }

    /**
     * A writer commits samples 0, 1 and 2 into a kept 4-slot ring and leaves; {@code crash} then
     * edits the segment into what a writer killed at some point would have left. A writer taking
     * over reclaims {@code reclaimedLoans} loans, the attached reader still gets 0, 1 and 2, and
     * the next commit is numbered 3.
     */
    private static void takeOverAfterThreeCommits(java.util.function.ObjLongConsumer<MemorySegment> crash,
                                                  int reclaimedLoans) throws Exception {
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(4).slotCapacity(16).keepOnClose().build();
             PosixSlotBackend readSide = PosixSlotBackend.open(name).build();
             FlatReader reader = FlatReader.attach(readSide)) {
            for (int i = 0; i < 3; i++) {
                assertThat(ring.commitSlot(ring.reserveSlot(ring.activeReaders()), new byte[] {(byte) i})).isEqualTo(i);
            }
            ring.close();
            SegmentFiles.edit(NAMES, name, crash);
            try (PosixSlotBackend taken = PosixSlotBackend.open(name).asWriter().build()) {
                assertThat(taken.reclaimedLoans()).as("loans that held no sample").isEqualTo(reclaimedLoans);
                List<Integer> got = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    got.add((int) reader.takeCopy(Duration.ofSeconds(5))[0]);
                }
                assertThat(got).containsExactly(0, 1, 2);
                assertThat(taken.commitSlot(taken.reserveSlot(taken.activeReaders()), new byte[] {3})).isEqualTo(3);
                assertThat(reader.takeCopy(Duration.ofSeconds(5))).containsExactly(3);
            }
        }
    }

    /** Maps a kept segment's file and hands it, with its extension offset, to {@code edit}. */
    /** The next sequence as a writer that died before advancing it left it. */
    private static void rewindNextSequence(MemorySegment s, long ext, long next) {
        s.set(ValueLayout.JAVA_LONG, ext + SegmentLayout.EXT_NEXT_SEQUENCE_OFFSET, next);
        s.set(ValueLayout.JAVA_INT, SegmentLayout.NEXT_SN_OFFSET, (int) next);
    }

    /** Writes a writer record (state open) into a kept segment, as a crashed writer would leave it. */
    private static void forgeWriter(String name, int pid, long startMillis) throws Exception {
        SegmentFiles.edit(NAMES, name, (s, ext) -> {
            s.set(ValueLayout.JAVA_INT, ext + SegmentLayout.EXT_WRITER_PID_OFFSET, pid);
            s.set(ValueLayout.JAVA_LONG, ext + SegmentLayout.EXT_WRITER_START_OFFSET, startMillis);
            s.set(ValueLayout.JAVA_INT, ext + SegmentLayout.EXT_WRITER_STATE_OFFSET, SegmentLayout.WRITER_OPEN);
        });
    }

    @Test
    void aReaderKilledWhileBehindIsDisconnectedSoTheWriterResumesAndNoLiveReaderLosesASample() throws Exception {
        killAStalledReader(PosixSlotBackend.DEFAULT_LEASE, false);
    }

    @Test
    void aReaderKilledButNeverReapedIsDisconnectedByItsDeathNotByItsLease() throws Exception {
        killAStalledReader(Duration.ofHours(1), true);
    }

    /**
     * A reader process holds the writer back, is killed (and, if {@code zombie}, never reaped), and
     * the writer resumes: the dead reader's index is freed, the live reader gets every sample.
     */
    private void killAStalledReader(Duration lease, boolean zombie) throws Exception {
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(4).slotCapacity(64)
                .leaseTimeout(lease).build();
             FlatReader live = FlatReader.attach(ring);
             FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(60));
             ChildProcess child = zombie ? PosixChild.startUnreaped("stalled-reader", name)
                     : PosixChild.start("stalled-reader", name)) {
            int dead = Integer.parseInt(child.expect("ATTACHED", Duration.ofSeconds(30)).split(" ")[1]);
            assertThat(ring.activeReaders()).isEqualTo((1 << live.readerIndex()) | (1 << dead));
            CompletableFuture<List<Long>> received = CompletableFuture.supplyAsync(() -> take(live, 40), threads);
            CompletableFuture<Void> written = CompletableFuture.runAsync(() -> writeSamples(writer, 0, 40), threads);
            Thread.sleep(300);
            assertThat(written).as("the ring is full: the stalled reader holds the writer back").isNotDone();

            child.kill();
            if (zombie) {
                assertThat(child.processState()).as("killed, not reaped: its pid still exists").isEqualTo('Z');
            }

            written.get(30, TimeUnit.SECONDS);
            assertThat(received.get(30, TimeUnit.SECONDS)).containsExactlyElementsOf(range(0, 40));
            assertThat(ring.activeReaders()).isEqualTo(1 << live.readerIndex());
            assertThat(ring.attachReader(dead)).as("the dead reader's index was freed").isEqualTo(dead);
        }
    }

    @Test
    void aStoppedReaderLosesItsLeaseButASlowLiveOneDoesNot() throws Exception {
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(4).slotCapacity(64)
                .leaseTimeout(Duration.ofMillis(400)).build();
             FlatReader live = FlatReader.attach(ring);
             FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(60));
             ChildProcess child = PosixChild.start("stalled-reader", name)) {
            int slow = Integer.parseInt(child.expect("ATTACHED", Duration.ofSeconds(30)).split(" ")[1]);
            CompletableFuture<List<Long>> received = CompletableFuture.supplyAsync(() -> take(live, 40), threads);
            CompletableFuture<Void> written = CompletableFuture.runAsync(() -> writeSamples(writer, 0, 40), threads);
            // alive and beating, just not reading: several leases later it still holds the writer back
            Thread.sleep(2_000);
            assertThat(written).isNotDone();
            assertThat(ring.activeReaders() & (1 << slow)).isNotZero();

            child.signal("STOP"); // alive, but its heartbeat stops
            try {
                written.get(30, TimeUnit.SECONDS);
                assertThat(received.get(30, TimeUnit.SECONDS)).containsExactlyElementsOf(range(0, 40));
                assertThat(ring.activeReaders()).isEqualTo(1 << live.readerIndex());
                assertThatThrownBy(() -> ring.nextUnreadSlot(slow)).isInstanceOf(ReaderDisconnectedException.class);
            } finally {
                child.signal("CONT");
            }
        }
    }
}
