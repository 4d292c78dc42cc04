package io.zerodds.flatdata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.PosixSlotBackend;
import io.zerodds.flatdata.Sample;
import io.zerodds.flatdata.test.ShmNames;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code inspect} on real segments: what it prints is what the test put into the ring. */
class InspectCommandTest {

    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("inspect");

    private static final long PID = ProcessHandle.current().pid();

    @Test
    void jsonShowsTheGeometryTheWriterEverySlotAndHowFarEachReaderIsBehind() {
        String name = NAMES.next();
        byte[] hash = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(4).slotCapacity(64).typeHash(hash).build();
             FlatReader fast = FlatReader.attach(ring);
             FlatReader slow = FlatReader.attach(ring);
             FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(1))) {
            for (int i = 0; i < 3; i++) {
                writer.write(new byte[] {(byte) i, 1, 2, 3, 4});
            }
            for (int i = 0; i < 2; i++) {
                try (Sample s = fast.take()) {
                    assertThat(s).isNotNull();
                }
            }

            CliRun run = CliRun.of("inspect", name, "--json");

            assertThat(run.code()).as("stderr: %s", run.err()).isZero();
            JsonObject doc = JsonParser.parseString(run.out()).getAsJsonObject();
            assertThat(doc.get("name").getAsString()).isEqualTo(name);
            assertThat(doc.get("reference").getAsBoolean()).isFalse();
            assertThat(doc.get("layoutVersion").getAsInt()).isEqualTo(io.zerodds.flatdata.SegmentLayout.LAYOUT_VERSION);
            assertThat(doc.get("slotCount").getAsInt()).isEqualTo(4);
            assertThat(doc.get("capacity").getAsInt()).isEqualTo(64);
            assertThat(doc.get("typeHash").getAsString()).isEqualTo("00112233445566778899aabbccddeeff");
            assertThat(doc.get("nextSequence").getAsLong()).isEqualTo(3);
            assertThat(doc.get("activeMask").getAsInt())
                    .isEqualTo((1 << fast.readerIndex()) | (1 << slow.readerIndex()));
            JsonObject w = doc.getAsJsonObject("writer");
            assertThat(w.get("pid").getAsLong()).isEqualTo(PID);
            assertThat(w.get("alive").getAsBoolean()).isTrue();
            assertThat(w.get("open").getAsBoolean()).isTrue();

            List<JsonObject> slots = objects(doc.getAsJsonArray("slots"));
            assertThat(slots).hasSize(4);
            assertThat(slots.stream().filter(s -> s.get("state").getAsString().equals("committed")))
                    .extracting(s -> s.get("sequence").getAsLong()).containsExactlyInAnyOrder(0L, 1L, 2L);
            assertThat(slots.stream().filter(s -> s.get("state").getAsString().equals("committed")))
                    .allSatisfy(s -> assertThat(s.get("size").getAsInt()).isEqualTo(5));
            assertThat(slots.stream().filter(s -> s.get("state").getAsString().equals("loaned")).count())
                    .as("the writer's loan ahead").isEqualTo(1);

            List<JsonObject> readers = objects(doc.getAsJsonArray("readers"));
            assertThat(readers).extracting(r -> r.get("index").getAsInt())
                    .containsExactly(fast.readerIndex(), slow.readerIndex());
            assertThat(readers).allSatisfy(r -> {
                assertThat(r.get("pid").getAsLong()).isEqualTo(PID);
                assertThat(r.get("alive").getAsBoolean()).isTrue();
                assertThat(r.get("state").getAsString()).isEqualTo("attached");
            });
            assertThat(readers.get(0).get("unread").getAsInt()).as("the fast reader took two of three").isEqualTo(1);
            assertThat(readers.get(1).get("unread").getAsInt()).isEqualTo(3);
        }
    }

    @Test
    void inspectingASegmentChangesNoByteOfIt() {
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(4).slotCapacity(32).keepOnClose().build();
             FlatReader reader = FlatReader.attach(ring);
             FlatWriter writer = FlatWriter.reliable(ring, Duration.ofSeconds(1))) {
            writer.write(new byte[] {1, 2, 3});
        }
        // closed: no heartbeat thread writes to it any more, every byte stays as it is unless inspect writes
        byte[] before = readAll(name);
        assertThat(CliRun.of("inspect", name).code()).isZero();
        assertThat(CliRun.of("inspect", name, "--json").code()).isZero();
        assertThat(readAll(name)).isEqualTo(before);
        assertThat(NAMES.path(name).toFile().delete()).isTrue();
    }

    @Test
    void textNamesTheWriterEverySlotAndEveryReader() {
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(2).slotCapacity(16).build();
             FlatReader reader = FlatReader.attach(ring);
             FlatWriter writer = FlatWriter.builder(ring).loanAhead(false).build()) {
            writer.write(new byte[] {7});
            CliRun run = CliRun.of("inspect", name);
            assertThat(run.code()).as("stderr: %s", run.err()).isZero();
            assertThat(run.out()).contains("slots 2 x 16 bytes, type untyped")
                    .contains("writer pid " + PID + " alive, open")
                    .containsPattern("(?m)^0 +committed +0 +1 0x00000000$")
                    .containsPattern("(?m)^1 +free +- +0 0x00000000$")
                    .containsPattern("(?m)^" + reader.readerIndex() + " +attached +" + PID + " yes .* 0 +1$")
                    .contains("loans: 0");
        }
    }

    @Test
    void watchRefreshesInPlaceAsOftenAsAsked() {
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(2).slotCapacity(16).build()) {
            CliRun run = CliRun.of("inspect", name, "--watch", "--interval", "10ms", "--count", "3");
            assertThat(run.code()).as("stderr: %s", run.err()).isZero();
            assertThat(run.out().split("\u001b\\[H\u001b\\[2J", -1)).as("three screens, each after a clear").hasSize(4);
            assertThat(ring.slotCount()).isEqualTo(2);
        }
    }

    @Test
    void aMissingSegmentAndAFileThatIsNotOneAreOneLineErrorsWithTheirName() throws Exception {
        String missing = NAMES.next();
        CliRun gone = CliRun.of("inspect", missing);
        assertThat(gone.code()).isEqualTo(ExitCode.NO_SEGMENT.code);
        assertThat(gone.err().strip()).contains(missing).contains("does not exist").doesNotContain("\tat ");

        String junk = NAMES.next();
        Files.write(NAMES.path(junk), new byte[64]);
        try {
            CliRun bad = CliRun.of("inspect", junk);
            assertThat(bad.code()).isEqualTo(ExitCode.NOT_A_SEGMENT.code);
            assertThat(bad.err().strip()).contains(junk).contains("is not a flatdata segment").doesNotContain("\tat ");
        } finally {
            Files.deleteIfExists(NAMES.path(junk));
        }
    }

    private static byte[] readAll(String name) {
        try {
            return Files.readAllBytes(NAMES.path(name));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<JsonObject> objects(JsonArray array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonElement::getAsJsonObject).toList();
    }
}
