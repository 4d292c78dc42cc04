package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zerodds.flatdata.test.ShmNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Modes, owners, links and names. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PosixSecurityTest {

    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("sec");

    @Test
    void theSegmentIsCreatedWithMode0600OrWith0660OnRequest() throws Exception {
        try (PosixSlotBackend ring = PosixSlotBackend.create(NAMES.next()).build()) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ring.path()))).isEqualTo("rw-------");
        }
        try (PosixSlotBackend ring = PosixSlotBackend.create(NAMES.next()).groupAccess().build()) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ring.path()))).isEqualTo("rw-rw----");
        }
    }

    /** Runs {@code sh -c 'exec 3<FILE'} (and {@code 3<>}) as uid/gid 65534 with no groups; true when both fail. */
    private static boolean nobodyIsRefused(Path file) throws Exception {
        boolean refused = true;
        for (String redirect : List.of("<", "<>")) {
            Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                    "sh", "-c", "exec 3" + redirect + "'" + file + "'").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            refused &= p.waitFor() != 0;
        }
        return refused;
    }

    private static boolean setprivWorks() {
        try {
            Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", "true")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void aProcessOfAnotherUserCannotOpenTheSegment() throws Exception {
        assumeTrue(setprivWorks(), "setpriv (util-linux) is missing or cannot switch to uid 65534: skipping the"
                + " other-user check");
        try (PosixSlotBackend ring = PosixSlotBackend.create(NAMES.next()).build()) {
            assertThat(nobodyIsRefused(ring.path())).as("uid 65534 opening a 0600 segment").isTrue();
            // the control: the same process can open a world-readable-writable file, so the refusal
            // above comes from the mode, not from the harness
            Path control = NAMES.path(NAMES.next());
            Files.createFile(control);
            try {
                Files.setPosixFilePermissions(control, PosixFilePermissions.fromString("rw-rw-rw-"));
                assertThat(nobodyIsRefused(control)).as("uid 65534 opening a 0666 file").isFalse();
            } finally {
                Files.delete(control);
            }
        }
    }

    @Test
    void aSegmentOwnedByAnotherUserIsRefusedUnlessExplicitlyAllowed() throws Exception {
        assumeTrue(PosixLibc.geteuid() == 0, "changing a file's owner needs root");
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).keepOnClose().build()) {
            Files.setAttribute(ring.path(), "unix:uid", 65534);
            assertThatThrownBy(() -> PosixSlotBackend.open(name).build())
                    .isInstanceOf(SegmentAccessException.class)
                    .hasMessageContaining(ring.path().toString())
                    .hasMessageContaining("owned by uid 65534").hasMessageContaining("uid 0");
            assertThatThrownBy(() -> PosixSlotBackend.create(name).build())
                    .isInstanceOf(SegmentAccessException.class).hasMessageContaining("owned by uid 65534");
            try (PosixSlotBackend foreign = PosixSlotBackend.open(name).allowForeignOwner().build()) {
                assertThat(foreign.slotCount()).isEqualTo(ring.slotCount());
            }
        } finally {
            NAMES.deleteAll();
        }
    }

    @Test
    void aSymbolicLinkIsNeverFollowed() throws Exception {
        try (PosixSlotBackend ring = PosixSlotBackend.create(NAMES.next()).build()) {
            String link = NAMES.next();
            Files.createSymbolicLink(NAMES.path(link), ring.path());
            try {
                assertThatThrownBy(() -> PosixSlotBackend.open(link).build())
                        .isInstanceOf(SegmentAccessException.class).hasMessageContaining("symbolic link")
                        .hasMessageContaining(link).hasMessageNotContaining("Too many levels");
                assertThatThrownBy(() -> PosixSlotBackend.open(link).asWriter().build())
                        .isInstanceOf(SegmentAccessException.class).hasMessageContaining("is a symbolic link")
                        .hasMessageNotContaining("Too many levels");
                assertThatThrownBy(() -> PosixSlotBackend.create(link).build())
                        .isInstanceOf(SegmentAccessException.class).hasMessageContaining("is a symbolic link");
                assertThat(Files.isSymbolicLink(NAMES.path(link))).as("left untouched").isTrue();
            } finally {
                Files.delete(NAMES.path(link));
            }
        }
    }

    @Test
    void theNameDotIsRefusedAsTheDirectoryNotAsAParentReference() {
        for (String dot : new String[] {".", "/."}) {
            assertThatThrownBy(() -> PosixSlotBackend.open(dot)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("name=\".\"").hasMessageContaining("directory itself")
                    .hasMessageNotContaining("..");
        }
        assertThatThrownBy(() -> PosixSlotBackend.create("..")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not contain \"..\"");
    }

    @Test
    void badNamesAreRefusedWithTheOffendingValue() {
        assertThatThrownBy(() -> PosixSlotBackend.create("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> PosixSlotBackend.open("a/b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a/b");
        assertThatThrownBy(() -> PosixSlotBackend.open("..")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("..");
        assertThatThrownBy(() -> PosixSlotBackend.open("x..y")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PosixSlotBackend.open("nul\0byte")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nul\\x00byte");
        assertThatThrownBy(() -> PosixSlotBackend.open("new\nline")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control character 0xa");
        assertThatThrownBy(() -> PosixSlotBackend.create("n".repeat(256))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("256 bytes");
        assertThat(PosixSegmentFiles.checkName("/shmem_00AB")).isEqualTo("shmem_00AB");
        assertThat(PosixSegmentFiles.checkName("n".repeat(255))).hasSize(255);
    }

    @Test
    void aRingTheLayoutCannotAddressIsRefusedBeforeAnythingIsCreated() {
        String name = NAMES.next();
        int capacity = (1 << 30) - 64;
        assertThatThrownBy(() -> PosixSlotBackend.create(name).slotCount(5).slotCapacity(capacity).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slotCount=5").hasMessageContaining("slotCapacity=" + capacity)
                .hasMessageContaining("4 GiB");
        assertThat(NAMES.path(name)).doesNotExist();
        assertThatThrownBy(() -> InMemorySlotBackend.builder().slotCount(5).slotCapacity(capacity).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 GiB");
        // the largest that fits is still accepted by the check
        SegmentLayout.checkGeometry(3, capacity);
    }

    @Test
    void aMissingSegmentIsReportedByName() {
        String name = NAMES.next();
        assertThatThrownBy(() -> PosixSlotBackend.open(name).build())
                .isInstanceOf(SegmentAccessException.class).hasMessageContaining(name).hasMessageContaining("does not exist");
    }

    @Test
    void aSegmentIsFoundThroughAFlinkFileAsTheReferenceWritesIt(@TempDir Path dir) throws Exception {
        Path flink = dir.resolve("topic.flink");
        try (PosixSlotBackend ring = PosixSlotBackend.create(NAMES.next()).flink(flink).build();
             PosixSlotBackend viaFlink = PosixSlotBackend.openFlink(flink).build()) {
            assertThat(Files.readString(flink)).isEqualTo("/" + ring.name());
            assertThat(viaFlink.path()).isEqualTo(ring.path());
            int slot = ring.reserveSlot(0);
            ring.commitSlot(slot, new byte[] {1, 2, 3});
            assertThat(viaFlink.readSlot(slot).data()).containsExactly(1, 2, 3);
        }
        assertThat(flink).as("deleted with the segment").doesNotExist();
        Files.writeString(flink, "not a name");
        assertThatThrownBy(() -> PosixSlotBackend.openFlink(flink).build())
                .isInstanceOf(SegmentAccessException.class).hasMessageContaining(flink.toString())
                .hasMessageContaining("not a name");
        Files.writeString(flink, "/../../etc/passwd");
        assertThatThrownBy(() -> PosixSlotBackend.openFlink(flink).build()).isInstanceOf(SegmentAccessException.class);
    }

    @Test
    void aReaderProcessMayNotWrite() {
        try (PosixSlotBackend ring = PosixSlotBackend.create(NAMES.next()).build();
             PosixSlotBackend reader = PosixSlotBackend.open(ring.name()).build()) {
            assertThat(reader.isWriter()).isFalse();
            assertThatThrownBy(() -> reader.reserveSlot(0)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("opened for reading");
        }
    }
}
