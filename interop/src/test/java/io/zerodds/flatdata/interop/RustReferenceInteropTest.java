package io.zerodds.flatdata.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.PosixSlotBackend;
import io.zerodds.flatdata.Sample;
import io.zerodds.flatdata.SegmentFormatException;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import io.zerodds.flatdata.test.Checksummed;
import io.zerodds.flatdata.test.ChildProcess;
import io.zerodds.flatdata.test.ShmNames;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Byte compatibility with the real {@code zerodds-flatdata} crate (1.0.0-rc.6, the last release of
 * the "ZDSS" layout), both ways: its {@code PosixSlotAllocator} in a Rust process, our
 * {@code PosixSlotBackend} here.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RustReferenceInteropTest {

    /** The segments our own writer creates; the Rust owners' segments are RustRef's. */
    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("interop");

    static final int N = 20_000;
    static final int SIZE = 200;
    static final Duration PATIENCE = Duration.ofSeconds(30);

    @org.junit.jupiter.api.AfterEach
    void removeWhatAKilledOwnerLeft() throws Exception {
        RustRef.removeLeftovers();
    }

    /** Takes {@code n} samples and checks that they are 0..n-1 in order with valid checksums. */
    private static void takeInOrder(FlatReader reader, long first, long n) {
        for (long i = first; i < first + n; i++) {
            try (Sample s = reader.take(Duration.ofSeconds(10))) {
                assertThat(s).as("sample %d", i).isNotNull();
                assertThat(Checksummed.verify(s.segment())).as("index of the sample after %d", i - 1).isEqualTo(i);
                assertThat(s.size()).isEqualTo(Checksummed.sizeOf(i, SIZE));
            }
        }
    }

    @Test
    void aRustOwnerCommitsAndAJavaFlatReaderTakesEverySampleInOrderWhileItDoes() throws Exception {
        Path flink = RustRef.flink();
        try (ChildProcess rust = RustRef.start("write", flink, N, SIZE, 1)) {
            assertThat(rust.nextLine(PATIENCE)).isEqualTo("READY 256");
            try (PosixSlotBackend ring = PosixSlotBackend.openFlink(flink).build();
                 FlatReader reader = FlatReader.attach(ring, 0)) {
                assertThat(ring.isReferenceSegment()).isTrue();
                assertThat(ring.slotCount()).isEqualTo(16);
                assertThat(ring.slotTotalSize()).isEqualTo(256);
                rust.send(""); // go: the writer commits while we read
                takeInOrder(reader, 0, N);
                assertThat(rust.nextLine(PATIENCE)).isEqualTo("DONE " + N);
                assertThat(ring.futexWaits()).as("blocked in the futex on the reference's notify word").isPositive();
            }
            rust.send("");
            assertThat(rust.waitFor(PATIENCE)).isZero();
        }
        assertThat(Files.exists(flink)).as("the Rust owner removed its flink file").isFalse();
    }

    @Test
    void aRustOwnerCommitsAndAJavaFluxReceivesEverySampleInOrderWhileItDoes() throws Exception {
        Path flink = RustRef.flink();
        try (ChildProcess rust = RustRef.start("write", flink, N, SIZE, 1)) {
            assertThat(rust.nextLine(PATIENCE)).startsWith("READY");
            try (PosixSlotBackend ring = PosixSlotBackend.openFlink(flink).build();
                 ReactiveFlatReader reader = ReactiveFlatReader.builder(ring).readerIndex(0).build()) {
                AtomicLong expected = new AtomicLong();
                var done = reader.flux()
                        .take(N)
                        .doOnNext(view -> {
                            assertThat(view.read(Checksummed::verify)).isEqualTo(expected.getAndIncrement());
                            view.release();
                        })
                        .count()
                        .toFuture();
                rust.send("");
                assertThat(done.get(120, TimeUnit.SECONDS)).isEqualTo(N);
                assertThat(rust.nextLine(PATIENCE)).isEqualTo("DONE " + N);
            }
            rust.send("");
            assertThat(rust.waitFor(PATIENCE)).isZero();
        }
    }

    @Test
    void aSegmentOurWriterCreatesIsReadByTheRustConsumerWithoutAViolation() throws Exception {
        int n = 5_000;
        String name = NAMES.next();
        Path flink = RustRef.flink();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(16).slotCapacity(SIZE).flink(flink)
                .wakeOnEveryChange().build();
             FlatWriter writer = FlatWriter.reliable(ring, PATIENCE)) {
            assertThat(Files.readString(flink, StandardCharsets.UTF_8)).isEqualTo("/" + name);
            // the Rust consumer has no place in our registry: its index is attached for it here,
            // so our writer waits for its bit in the reader masks
            int rustIndex = ring.attachReader(1);
            try (ChildProcess rust = RustRef.start("read", flink, n, rustIndex)) {
                for (long i = 0; i < n; i++) {
                    FlatWriter.Claim claim = writer.loan();
                    claim.commit(Checksummed.write(i, claim.segment(), SIZE));
                }
                String summary = rust.nextLine(Duration.ofSeconds(120));
                assertThat(rust.waitFor(PATIENCE)).as("%s", summary).isZero();
                assertThat(RustRef.field(summary, "taken")).isEqualTo(n);
                assertThat(RustRef.field(summary, "missing")).isZero();
                assertThat(RustRef.field(summary, "violations")).isZero();
                // the reference derives capacity from the slot size: 256 - 16, not our 200
                assertThat(RustRef.field(summary, "capacity")).isEqualTo(240);
            }
        }
    }

    /**
     * Also the race with the reference writer's header stores: it takes the sequence from next_sn
     * before it writes the header, and writes the header with plain stores, so a reader sees for a
     * moment a counted sample without a header, or the new sequence with the old reader mask
     * (which this test made us mistake for "read already" before ReferenceRing re-read it).
     */
    @Test
    void aRustAndAJavaConsumerOnOneRustOwnedRingBothComplete() throws Exception {
        int n = N;
        Path flink = RustRef.flink();
        try (ChildProcess owner = RustRef.start("write", flink, n, SIZE, 0b11)) {
            assertThat(owner.nextLine(PATIENCE)).startsWith("READY");
            try (PosixSlotBackend ring = PosixSlotBackend.openFlink(flink).build();
                 FlatReader reader = FlatReader.attach(ring, 0);
                 ChildProcess rustReader = RustRef.start("read", flink, n, 1)) {
                owner.send("");
                takeInOrder(reader, 0, n);
                String summary = rustReader.nextLine(Duration.ofSeconds(120));
                assertThat(rustReader.waitFor(PATIENCE)).as("%s", summary).isZero();
                assertThat(RustRef.field(summary, "missing")).isZero();
                assertThat(owner.nextLine(PATIENCE)).isEqualTo("DONE " + n);
            }
            owner.send("");
            assertThat(owner.waitFor(PATIENCE)).isZero();
        }
    }

    /**
     * The reference hands out the lowest slot index first, not the lowest sequence: after the ring
     * wrapped, its consumer takes newer samples before older ones. Ours takes them in order.
     */
    @Test
    void afterTheRingWrapsTheReferenceConsumerGoesByIndexAndOursBySequence() throws Exception {
        for (boolean javaFinishes : new boolean[] {false, true}) {
            Path flink = RustRef.flink();
            try (ChildProcess owner = RustRef.start("write", flink, 24, SIZE, 1)) {
                owner.nextLine(PATIENCE);
                try (PosixSlotBackend ring = PosixSlotBackend.openFlink(flink).build();
                     FlatReader reader = FlatReader.attach(ring, 0)) {
                    owner.send("");
                    // the writer fills the 16 slots and waits; we free slots 0..7 (samples 0..7),
                    // it writes samples 16..23 into them, so slot order is no longer sequence order
                    takeInOrder(reader, 0, 8);
                    assertThat(owner.nextLine(PATIENCE)).isEqualTo("DONE 24");
                    if (javaFinishes) {
                        takeInOrder(reader, 8, 16); // 8..23 in sequence order
                    }
                }
                if (!javaFinishes) {
                    // reader 1 of the same ring: the writer did not wait for it, and closing our
                    // reader 0 marked the rest read for index 0; the 16 samples in the slots (8..23)
                    // are unread for index 1
                    try (ChildProcess rustReader = RustRef.start("read", flink, 16, 1, 8)) {
                        String summary = rustReader.nextLine(PATIENCE);
                        assertThat(rustReader.waitFor(PATIENCE)).as("%s", summary).isZero();
                        assertThat(RustRef.field(summary, "missing")).isZero();
                        assertThat(RustRef.field(summary, "out_of_order")).as("%s", summary).isPositive();
                    }
                }
                owner.send("");
                assertThat(owner.waitFor(PATIENCE)).isZero();
            }
        }
    }

    /**
     * The reference's sequence field is a u32 that wraps at 2^32 (and its consumer, taking by slot
     * index, never orders by it). Ours counts the wraps: 64-bit sequences, in order across it. The
     * Rust owner's next_sn is set just below 2^32 before it starts.
     */
    @Test
    void acrossTheReferences32BitWrapWeDeliverInOrderWith64BitSequences() throws Exception {
        int n = 64;
        Path flink = RustRef.flink();
        try (ChildProcess owner = RustRef.start("write", flink, n, SIZE, 1)) {
            owner.nextLine(PATIENCE);
            Path object = Path.of("/dev/shm", Files.readString(flink, StandardCharsets.UTF_8).replaceFirst("^/", ""));
            try (FileChannel ch = FileChannel.open(object, StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer nextSn = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder());
                ch.write(nextSn.putInt(0, 0xFFFF_FFF0), 0x0C); // 16 samples before the wrap
            }
            try (PosixSlotBackend ring = PosixSlotBackend.openFlink(flink).build();
                 FlatReader reader = FlatReader.attach(ring, 0)) {
                owner.send("");
                long previous = -1;
                for (long i = 0; i < n; i++) {
                    try (Sample s = reader.take(Duration.ofSeconds(10))) {
                        assertThat(s).as("sample %d", i).isNotNull();
                        assertThat(Checksummed.verify(s.segment())).isEqualTo(i);
                        assertThat(s.sequence()).as("sequence of sample %d", i).isGreaterThan(previous);
                        previous = s.sequence();
                    }
                }
                assertThat(previous).as("the last sequence, past 2^32").isEqualTo(0x1_0000_0000L + n - 17);
                assertThat(owner.nextLine(PATIENCE)).isEqualTo("DONE " + n);
            }
            owner.send("");
            assertThat(owner.waitFor(PATIENCE)).isZero();
        }
    }

    /** The reference maps what the flink names and checks only the magic; we check the size first. */
    @Test
    void aTruncatedRustCreatedSegmentIsRefusedClearlyNotABusError() throws Exception {
        Path flink = RustRef.flink();
        try (ChildProcess owner = RustRef.start("write", flink, 0, SIZE, 1)) {
            owner.nextLine(PATIENCE);
            Path object = Path.of("/dev/shm", Files.readString(flink, StandardCharsets.UTF_8).replaceFirst("^/", ""));
            try (FileChannel ch = FileChannel.open(object, StandardOpenOption.WRITE)) {
                ch.truncate(0x20 + 256); // one slot of 16 left
            }
            assertThatThrownBy(() -> PosixSlotBackend.openFlink(flink).build())
                    .isInstanceOf(SegmentFormatException.class)
                    .hasMessageContaining(object.getFileName().toString());
            owner.send("");
            owner.send("");
            assertThat(owner.waitFor(PATIENCE)).isZero();
        }
    }
}
