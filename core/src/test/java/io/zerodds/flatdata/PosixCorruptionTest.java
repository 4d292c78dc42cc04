package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.zerodds.flatdata.test.ChildProcess;
import io.zerodds.flatdata.test.ShmNames;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Damaged, truncated and foreign segments: a clear exception every time, the JVM alive. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PosixCorruptionTest {

    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("corrupt");

    /** A valid, kept segment with two committed samples; returns its bytes. */
    private static byte[] validSegment(String name, byte[] typeHash) throws Exception {
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(8).slotCapacity(100).typeHash(typeHash)
                .keepOnClose().build()) {
            for (int i = 0; i < 2; i++) {
                int slot = ring.reserveSlot(0);
                ring.commitSlot(slot, new byte[] {(byte) i, 42});
            }
        }
        return Files.readAllBytes(NAMES.path(name));
    }

    private static int extOffset(byte[] image) {
        return ByteBuffer.wrap(image).order(ByteOrder.nativeOrder()).getInt((int) SegmentLayout.EXT_OFFSET_OFFSET);
    }

    private static void assertRefused(String name, String what) {
        try (PosixSlotBackend opened = PosixSlotBackend.open(name).build()) {
            fail("%s: opened %s", what, opened);
        } catch (SegmentFormatException e) {
            assertThat(e.getMessage()).as(what).contains(NAMES.path(name).toString());
        }
    }

    @Test
    void randomBytesOverTheHeaderAndExtensionAreRefusedWithAClearErrorEveryTime() throws Exception {
        String name = NAMES.next();
        try {
            byte[] original = validSegment(name, null);
            int ext = extOffset(original);
            int extLength = (int) SegmentLayout.extensionLength(8);
            Random random = new Random(20261125);
            for (int round = 0; round < 300; round++) {
                byte[] image = original.clone();
                byte[] noise = new byte[image.length];
                random.nextBytes(noise);
                String what;
                switch (round % 3) {
                    case 0 -> { // everything in the header and the extension region
                        System.arraycopy(noise, 0, image, 0, (int) SegmentLayout.SLOTS_OFFSET);
                        System.arraycopy(noise, ext, image, ext, extLength);
                        what = "round " + round + ": header and extension random";
                    }
                    case 1 -> { // the same, but both magics kept, so deeper checks must catch it
                        System.arraycopy(noise, 4, image, 4, (int) SegmentLayout.SLOTS_OFFSET - 4);
                        System.arraycopy(noise, ext, image, ext, extLength);
                        System.arraycopy(original, (int) SegmentLayout.EXT_MAGIC_OFFSET, image,
                                (int) SegmentLayout.EXT_MAGIC_OFFSET, 4);
                        what = "round " + round + ": all but the magics random";
                    }
                    default -> { // one to four random bytes inside the descriptor fields fixed at creation
                        int[] fixed = {4, 5, 6, 7, 8, 9, 10, 11, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C,
                                0x1D, 0x1E, 0x1F, ext, ext + 1, ext + 4, ext + 5, ext + 6, ext + 7, ext + 8, ext + 12,
                                ext + 13, ext + 16, ext + 20, ext + 31, ext + (int) SegmentLayout.EXT_LEASE_OFFSET,
                                ext + (int) SegmentLayout.EXT_LEASE_OFFSET + 1};
                        int n = 1 + random.nextInt(4);
                        StringBuilder where = new StringBuilder();
                        for (int k = 0; k < n; k++) {
                            int at = fixed[random.nextInt(fixed.length)];
                            byte b;
                            do {
                                b = (byte) random.nextInt(256);
                            } while (b == original[at]);
                            image[at] = b;
                            where.append(" 0x").append(Integer.toHexString(at));
                        }
                        what = "round " + round + ": bytes changed at" + where;
                    }
                }
                Files.write(NAMES.path(name), image);
                assertRefused(name, what);
            }
        } finally {
            NAMES.deleteAll();
        }
    }

    @Test
    void eachBadFieldIsNamedWithTheExpectedAndFoundValues() throws Exception {
        String name = NAMES.next();
        try {
            byte[] original = validSegment(name, null);
            int ext = extOffset(original);
            record Case(int offset, int value, List<String> message) {
            }
            for (Case c : List.of(
                    new Case(0, 0x12345678, List.of("expected magic 0x5A445353", "found 0x12345678")),
                    new Case((int) SegmentLayout.EXT_MAGIC_OFFSET, 7, List.of("expected extension magic", "found 0x00000007")),
                    new Case(ext + (int) SegmentLayout.EXT_VERSION_OFFSET, 5, List.of("expected layout version 4, found 5")),
                    new Case((int) SegmentLayout.SLOT_TOTAL_SIZE_OFFSET, 192, List.of("extension offset")),
                    new Case((int) SegmentLayout.SLOT_TOTAL_SIZE_OFFSET, 100, List.of("slot_total_size=100")),
                    new Case((int) SegmentLayout.SLOT_COUNT_OFFSET, 0, List.of("slot_count=0")),
                    new Case(ext + (int) SegmentLayout.EXT_CAPACITY_OFFSET, 5000, List.of("capacity=5000",
                            "slot_total_size=128")),
                    new Case(ext + (int) SegmentLayout.EXT_CAPACITY_OFFSET, 101, List.of("checksum mismatch")),
                    new Case(ext + (int) SegmentLayout.EXT_REGISTRY_OFFSET, 9, List.of("reader registry entry 0",
                            "state 9")))) {
                byte[] image = original.clone();
                ByteBuffer.wrap(image).order(ByteOrder.nativeOrder()).putInt(c.offset(), c.value());
                Files.write(NAMES.path(name), image);
                assertThatThrownBy(() -> PosixSlotBackend.open(name).build())
                        .as("0x%x := %d", c.offset(), c.value())
                        .isInstanceOf(SegmentFormatException.class)
                        .hasMessageContaining(NAMES.path(name).toString())
                        .satisfies(e -> assertThat(e.getMessage()).contains(c.message()));
            }
        } finally {
            NAMES.deleteAll();
        }
    }

    @Test
    void aTypeHashOtherThanTheReadersIsRefused() throws Exception {
        String name = NAMES.next();
        byte[] hash = new byte[16];
        hash[0] = 1;
        byte[] other = new byte[16];
        other[0] = 2;
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).typeHash(hash).build()) {
            assertThatThrownBy(() -> PosixSlotBackend.open(name).typeHash(other).build())
                    .isInstanceOf(TypeMismatchException.class).hasMessageContaining(ring.path().toString())
                    .hasMessageContaining("expected type hash 02").hasMessageContaining("found 01");
            try (PosixSlotBackend same = PosixSlotBackend.open(name).typeHash(hash).build()) {
                assertThat(same.typeHash()).hasValueSatisfying(h -> assertThat(h).isEqualTo(hash));
            }
        }
    }

    @Test
    void aFileSmallerThanItsHeaderClaimsIsRefusedBeforeItIsMapped() throws Exception {
        String name = NAMES.next();
        try {
            byte[] original = validSegment(name, null);
            for (int size : new int[] {0, 16, 32, 100, original.length / 2, original.length - 64, original.length - 1}) {
                Files.write(NAMES.path(name), java.util.Arrays.copyOf(original, size));
                assertThatThrownBy(() -> PosixSlotBackend.open(name).build())
                        .as("truncated to %d bytes", size)
                        .isInstanceOf(SegmentFormatException.class)
                        .hasMessageContaining(NAMES.path(name).toString())
                        .hasMessageContaining(size + " bytes");
            }
        } finally {
            NAMES.deleteAll();
        }
    }

    @Test
    void aSegmentTruncatedWhileMappedFailsClearlyAndTheJvmLives() throws Exception {
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(64).slotCapacity(1000).build();
             PosixSlotBackend reader = PosixSlotBackend.open(name).build()) {
            int r = reader.attachReader();
            for (int i = 0; i < 64; i++) {
                int slot = ring.reserveSlot(ring.activeReaders());
                ring.commitSlot(slot, new byte[] {(byte) i});
                reader.markRead(reader.nextUnreadSlot(r), r);
            }
            try (FileChannel ch = FileChannel.open(ring.path(), StandardOpenOption.WRITE)) {
                ch.truncate(4096);
            }
            assertThatThrownBy(() -> reader.readSlot(63)).isInstanceOf(SegmentFormatException.class)
                    .hasMessageContaining(ring.path().toString()).hasMessageContaining("truncated")
                    .hasMessageContaining("4096");
            assertThatThrownBy(() -> reader.nextUnreadSlot(r)).isInstanceOf(SegmentFormatException.class);
            assertThatThrownBy(() -> reader.attachReader()).isInstanceOf(SegmentFormatException.class);
            assertThatThrownBy(() -> {
                int slot = ring.reserveSlot(0);
                ring.commitSlot(slot, new byte[] {1});
            }).isInstanceOf(SegmentFormatException.class).hasMessageContaining("truncated");
            assertThat(reader.isClosed()).isTrue();
        }
    }

    @Test
    void aTruncationIsSurvivedByTheInterpreterToo() throws Exception {
        // -Xint: compare-and-set in the interpreter is the one access HotSpot does not protect
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(64).slotCapacity(1000).build();
             ChildProcess child = PosixChild.startWith(List.of("-Xint"), "truncation", name)) {
            String outcomes = child.expect("OUTCOMES", Duration.ofSeconds(60));
            child.expect("ALIVE", Duration.ofSeconds(30));
            assertThat(child.waitFor(Duration.ofSeconds(30))).as(outcomes).isZero();
            assertThat(Files.size(ring.path())).isEqualTo(4096);
        }
    }

    @Test
    void everyReadModifyWriteMeetingATruncationFirstFailsClearlyInTheInterpreter() throws Exception {
        String prefix = NAMES.next();
        try (ChildProcess child = PosixChild.startWith(List.of("-Xint"), "truncation-first", prefix)) {
            String outcomes = child.expect("OUTCOMES", Duration.ofSeconds(120));
            child.expect("ALIVE", Duration.ofSeconds(30));
            assertThat(child.waitFor(Duration.ofSeconds(30))).as(outcomes).isZero();
        }
    }

    @Test
    void theLeaseThreadNoticesATruncationOfAnIdleSegment() throws Exception {
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).leaseTimeout(Duration.ofMillis(100)).build()) {
            try (FileChannel ch = FileChannel.open(ring.path(), StandardOpenOption.WRITE)) {
                ch.truncate(64);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!ring.isClosed() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(ring.isClosed()).isTrue();
            assertThatThrownBy(() -> ring.reserveSlot(0)).isInstanceOf(SegmentFormatException.class)
                    .hasMessageContaining("truncated by another process to 64 bytes");
        }
        assertThat(Path.of("/dev/shm", name)).doesNotExist();
    }

    @Test
    void aSampleSizeBeyondTheCapacityIsNeverHandedOutAsAView() throws Exception {
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(2).slotCapacity(100).build()) {
            int slot = ring.reserveSlot(0);
            ring.commitSlot(slot, new byte[] {1, 2, 3});
            try (FileChannel ch = FileChannel.open(ring.path(), StandardOpenOption.WRITE)) {
                ByteBuffer size = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, 5000);
                ch.write(size, SegmentLayout.SLOTS_OFFSET + (long) slot * ring.slotTotalSize()
                        + SlotDescriptor.SLOT_SIZE_OFFSET);
            }
            assertThatThrownBy(() -> ring.slotReadPtr(slot)).isInstanceOf(SegmentFormatException.class)
                    .hasMessageContaining("sample_size=5000").hasMessageContaining("capacity=100")
                    .hasMessageContaining(ring.path().toString());
        }
    }

    @Test
    void aSampleSizeBeyondTheSlotInAReferenceSegmentIsNotHandedOut() throws Exception {
        String name = NAMES.next();
        Path path = NAMES.path(name);
        ByteBuffer b = ByteBuffer.allocate(0x20 + 2 * 64).order(ByteOrder.nativeOrder());
        b.putInt(0, SegmentLayout.MAGIC).putInt(4, 2).putInt(8, 64).putInt(12, 1);
        b.putInt(0x20, 0).putInt(0x24, 4000); // slot 0: sequence 0, sample_size 4000 > 48
        Files.write(path, b.array());
        try (PosixSlotBackend ring = PosixSlotBackend.open(name).build()) {
            ring.attachReader(0);
            assertThatThrownBy(() -> ring.slotReadPtr(0)).isInstanceOf(SegmentFormatException.class)
                    .hasMessageContaining("sample_size=4000").hasMessageContaining("48");
            assertThatThrownBy(() -> ring.readSlot(0)).isInstanceOf(SegmentFormatException.class);
        } finally {
            Files.deleteIfExists(path);
        }
        assertThat(ValueLayout.JAVA_INT.order()).isEqualTo(ByteOrder.nativeOrder());
    }
}
