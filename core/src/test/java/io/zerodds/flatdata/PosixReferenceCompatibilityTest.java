package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zerodds.flatdata.test.ShmNames;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Byte-level compatibility with the ZeroDDS reference segment, both ways. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PosixReferenceCompatibilityTest {

    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("ref");

    /**
     * Writes a plain reference segment with file I/O, as the Rust reference lays it out: u32 magic,
     * slot_count, slot_total_size, next_sn, notify word, zeros to 0x20, then 16-byte slot headers
     * {sequence, sample_size, reader_mask, 0} and the payload. Slot i gets sequences[i] (or stays
     * empty when null) and payload "p" + sequence.
     */
    private static Path writeReferenceSegment(String name, int capacity, long nextSn, Long... sequences)
            throws Exception {
        int total = (int) SegmentLayout.alignUp(16 + capacity, 64);
        ByteBuffer b = ByteBuffer.allocate(0x20 + sequences.length * total).order(ByteOrder.nativeOrder());
        b.putInt(0x00, 0x5A445353).putInt(0x04, sequences.length).putInt(0x08, total).putInt(0x0C, (int) nextSn)
                .putInt(0x10, 7);
        for (int i = 0; i < sequences.length; i++) {
            if (sequences[i] == null) {
                continue;
            }
            byte[] payload = ("p" + sequences[i]).getBytes(StandardCharsets.UTF_8);
            int h = 0x20 + i * total;
            b.putInt(h, (int) (long) sequences[i]).putInt(h + 4, payload.length).putInt(h + 8, 0).putInt(h + 12, 0);
            b.put(h + 16, payload);
        }
        Path path = NAMES.path(name);
        try (FileChannel ch = FileChannel.open(path, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ch.write(b);
        }
        return path;
    }

    private static int intAt(Path path, long offset) throws Exception {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            ch.read(b, offset);
            return b.getInt(0);
        }
    }

    @Test
    void aReferenceSegmentWrittenWithPlainFileIoIsReadInSequenceOrderWithAnExplicitReaderIndex() throws Exception {
        String name = NAMES.next();
        // slot order differs from sequence order, as after the writer wrapped around the ring
        Path path = writeReferenceSegment(name, 48, 13, 12L, 10L, null, 11L);
        try (PosixSlotBackend ring = PosixSlotBackend.open(name).build()) {
            assertThat(intAt(path, 0x20 + 2 * 64 + 8)).as("empty slot").isEqualTo(0);
            assertThat(ring.isReferenceSegment()).isTrue();
            assertThat(ring.slotCount()).isEqualTo(4);
            assertThat(ring.slotTotalSize()).isEqualTo(64);
            assertThat(ring.slotCapacity()).isEqualTo(48);
            assertThat(ring.typeHash()).isEmpty();
            assertThatThrownBy(ring::attachReader).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("attachReader(index)");
            assertThatThrownBy(() -> ring.reserveSlot(0)).isInstanceOf(IllegalStateException.class);

            try (FlatReader reader = FlatReader.attach(ring, 3)) {
                List<String> got = new ArrayList<>();
                List<Long> sequences = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    try (Sample s = reader.take(Duration.ofSeconds(5))) {
                        got.add(new String(s.copy(), StandardCharsets.UTF_8));
                        sequences.add(s.sequence());
                    }
                }
                assertThat(got).containsExactly("p10", "p11", "p12");
                assertThat(sequences).containsExactly(10L, 11L, 12L);
                assertThat(reader.take()).isNull();
                // markRead set bit 3 in the reference header's reader_mask, where the reference writer looks
                assertThat(intAt(path, 0x20 + 8)).isEqualTo(1 << 3);
                assertThat(intAt(path, 0x20 + 64 + 8)).isEqualTo(1 << 3);
                assertThat(intAt(path, 0x20 + 3 * 64 + 8)).isEqualTo(1 << 3);
                assertThat(intAt(path, 0x20 + 2 * 64 + 8)).as("empty slot, untouched").isEqualTo(0);
            }
            // detaching sets the reader's bit on every slot, as a lease expiry does in the reference
            assertThat(intAt(path, 0x20 + 2 * 64 + 8)).isEqualTo(1 << 3);
            assertThat(path).as("a reader never unlinks").exists();
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void readingAReferenceSegmentInPlaceAllocatesNothingPerSample() throws Exception {
        String name = NAMES.next();
        Path path = writeReferenceSegment(name, 48, 0, null, null, null, null);
        long warmUp = 300_000;
        long total = warmUp + ZeroAllocationTest.MEASURED;
        try (PosixSlotBackend ring = PosixSlotBackend.open(name).build();
             FlatReader reader = FlatReader.attach(ring, 5);
             FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            // this thread plays the reference writer: header fields, payload, then next_sn
            java.lang.foreign.MemorySegment w = ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size(), arena);
            long before = 0;
            long sum = 0;
            for (long i = 0; i < total; i++) {
                if (i == warmUp) {
                    before = ZeroAllocationTest.MX.getCurrentThreadAllocatedBytes();
                }
                long h = 0x20 + (i % 4) * 64;
                w.set(java.lang.foreign.ValueLayout.JAVA_LONG, h + 16, i);
                w.set(java.lang.foreign.ValueLayout.JAVA_INT, h + 8, 0);
                w.set(java.lang.foreign.ValueLayout.JAVA_INT, h + 4, 8);
                w.set(java.lang.foreign.ValueLayout.JAVA_INT, h, (int) i);
                w.set(java.lang.foreign.ValueLayout.JAVA_INT, 0x0C, (int) (i + 1));
                try (Sample s = reader.take()) {
                    if (s.sequence() != i) { // no assertion object per sample: it would allocate
                        throw new AssertionError("sample " + s.sequence() + ", expected " + i);
                    }
                    sum += s.segment().get(java.lang.foreign.ValueLayout.JAVA_LONG, 0);
                }
            }
            long allocated = ZeroAllocationTest.MX.getCurrentThreadAllocatedBytes() - before;
            assertThat(sum).isEqualTo(total * (total - 1) / 2);
            assertThat(allocated).as("bytes allocated over %d reference samples", ZeroAllocationTest.MEASURED).isZero();
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void referenceSequencesAreOrderedAcrossThe32BitWrap() throws Exception {
        String name = NAMES.next();
        Path path = writeReferenceSegment(name, 16, 2, 0L, 0xFFFF_FFFEL, 1L, 0xFFFF_FFFFL);
        try (PosixSlotBackend ring = PosixSlotBackend.open(name).build()) {
            ring.attachReader(0);
            List<String> got = new ArrayList<>();
            for (int slot; (slot = ring.nextUnreadSlot(0)) != SlotBackend.NO_SLOT; ) {
                got.add(new String(ring.readSlot(slot).data(), StandardCharsets.UTF_8));
                ring.markRead(slot, 0);
            }
            assertThat(got).containsExactly("p4294967294", "p4294967295", "p0", "p1");
            assertThat(ring.readerStartSequence(0)).isEqualTo(0xFFFF_FFFEL);
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void ourSegmentPassesTheReferenceConsumerChecks() throws Exception {
        try (PosixSlotBackend ring = PosixSlotBackend.create(NAMES.next()).slotCount(4).slotCapacity(100).build()) {
            int slot = ring.reserveSlot(0);
            ring.commitSlot(slot, "hello".getBytes(StandardCharsets.UTF_8));
            ring.markRead(slot, 5);
            byte[] file = Files.readAllBytes(ring.path());
            // host byte order, as the reference reads it (little-endian on x86_64 and aarch64)
            ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.nativeOrder());
            assertThat(ByteOrder.nativeOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            assertThat(new String(file, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("SSDZ"); // 0x5A445353 LE
            assertThat(b.getInt(0x00)).isEqualTo(0x5A445353);
            assertThat(b.getInt(0x04)).as("slot_count").isEqualTo(4);
            assertThat(b.getInt(0x08)).as("slot_total_size = align_up(16 + 100, 64)").isEqualTo(128);
            assertThat(b.getInt(0x0C)).as("next_sn").isEqualTo(1);
            int h = 0x20 + slot * 128;
            assertThat(b.getInt(h)).as("sequence_number").isZero();
            assertThat(b.getInt(h + 4)).as("sample_size").isEqualTo(5);
            assertThat(b.getInt(h + 8)).as("reader_mask").isEqualTo(1 << 5);
            assertThat(b.getInt(h + 12)).as("reserved").isZero();
            assertThat(new String(file, h + 16, 5, StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(file.length).as("slots start at 0x20, extension after them")
                    .isGreaterThan(0x20 + 4 * 128);
            assertThat(b.getInt(0x18)).as("extension offset, past the reference's slot array")
                    .isGreaterThanOrEqualTo(0x20 + 4 * 128);
            // and the reference's own validation: magic at 0 is all it checks
            try (FileChannel ch = FileChannel.open(ring.path(), StandardOpenOption.READ)) {
                ByteBuffer magic = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(magic, 0);
                assertThat(magic.getInt(0)).isEqualTo(0x5A445353);
            }
        }
    }

    @Test
    void aReaderOfAReferenceSegmentWakesWhenTheNotifyWordMoves() throws Exception {
        String name = NAMES.next();
        Path path = writeReferenceSegment(name, 16, 0, null, null);
        try (PosixSlotBackend ring = PosixSlotBackend.open(name).build();
             PosixSlotBackend second = PosixSlotBackend.open(name).build()) {
            second.attachReader(1);
            long g = ring.notifyGeneration();
            assertThat(g).isEqualTo(7);
            Thread waiter = Thread.ofPlatform().start(() -> assertThat(ring.waitForChange(g, Duration.ofSeconds(30))).isTrue());
            Thread.sleep(100);
            second.markReaderDisconnected(1); // bumps the word and FUTEX_WAKEs, as the reference does
            waiter.join(10_000);
            assertThat(waiter.isAlive()).isFalse();
        } finally {
            Files.deleteIfExists(path);
        }
    }
}
