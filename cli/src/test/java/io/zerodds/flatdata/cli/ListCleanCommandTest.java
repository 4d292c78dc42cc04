package io.zerodds.flatdata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.cliftonlabs.json_simple.JsonArray;
import com.github.cliftonlabs.json_simple.JsonObject;
import com.github.cliftonlabs.json_simple.Jsoner;
import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.PosixSlotBackend;
import io.zerodds.flatdata.test.ChildProcess;
import io.zerodds.flatdata.test.ShmNames;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * list and clean over a directory with one of each: a ring whose writer (a child JVM running
 * {@code pub}) was killed with SIGKILL, a ring whose writer (this JVM) is alive and has a reader,
 * a plain reference segment, a damaged segment, and a file that is not a segment.
 */
class ListCleanCommandTest {

    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("cli-list");

    private final String dead = NAMES.prefix() + "dead";
    private final String live = NAMES.prefix() + "live";
    private final String reference = NAMES.prefix() + "reference";
    private final String damaged = NAMES.prefix() + "damaged";
    private final String text = NAMES.prefix() + "text";
    private final String pattern = NAMES.prefix() + "*";
    private long deadPid;
    private PosixSlotBackend liveRing;
    private FlatReader liveReader;

    @BeforeEach
    void setUp() throws Exception {
        try (ChildProcess pub = ChildProcess.java(Main.class, "pub", dead, "--readers", "0", "--rate", "20",
                "--seconds", "120", "--slots", "8", "--size", "32")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(NAMES.path(dead))) {
                assertThat(System.nanoTime()).as(pub + " creates " + dead + "; stderr " + pub.stderrText())
                        .isLessThan(deadline);
                Thread.sleep(10);
            }
            deadPid = pub.pid();
            pub.kill();
        }
        liveRing = PosixSlotBackend.create(live).slotCount(4).slotCapacity(128).build();
        liveReader = FlatReader.attach(liveRing);
        ByteBuffer header = ByteBuffer.allocate(0x20 + 2 * 64).order(ByteOrder.nativeOrder());
        header.putInt(0, SegmentHeader.MAGIC).putInt(4, 2).putInt(8, 64);
        Files.write(NAMES.path(reference), header.array());
        ByteBuffer bad = ByteBuffer.allocate(0x20 + 2 * 64).order(ByteOrder.nativeOrder());
        bad.putInt(0, SegmentHeader.MAGIC).putInt(4, 2).putInt(8, 64).putInt(0x14, 0x12345678);
        Files.write(NAMES.path(damaged), bad.array());
        Files.writeString(NAMES.path(text), "hello, not a segment\n");
    }

    @AfterEach
    void tearDown() {
        liveReader.close();
        liveRing.close();
        NAMES.deleteAll();
    }

    @Test
    void listShowsEverySegmentWithOwnerAliveSizeAndReaders() {
        CliRun run = CliRun.of("list", pattern);
        assertThat(run.code()).as(run.toString()).isZero();
        Map<String, String> lines = run.out().lines().skip(1)
                .collect(Collectors.toMap(l -> l.split(" +")[0], l -> l));
        assertThat(lines).containsOnlyKeys(dead, live, reference, damaged);
        assertThat(lines.get(dead).split(" +")).containsSubsequence(dead, "ring", Long.toString(deadPid), "no", "open");
        assertThat(lines.get(live).split(" +")).containsSubsequence(live, "ring",
                Long.toString(ProcessHandle.current().pid()), "yes", "open", "4", "128", "1", "(1)");
        assertThat(lines.get(reference).split(" +")).containsSubsequence(reference, "reference", "-", "?");
        assertThat(lines.get(damaged)).contains("damaged").contains("extension magic 0x12345678");

        CliRun all = CliRun.of("list", pattern, "--all");
        assertThat(all.out()).containsPattern(text + " +other +not a flatdata segment");
    }

    @Test
    void listJsonIsOneDocumentWithTheFieldsOfEachSegment() throws Exception {
        CliRun run = CliRun.of("list", pattern, "--json", "--all");
        assertThat(run.code()).as(run.toString()).isZero();
        JsonObject doc = (JsonObject) Jsoner.deserialize(run.out());
        assertThat(doc.get("directory")).isEqualTo("/dev/shm");
        Map<String, JsonObject> segments = ((JsonArray) doc.get("segments")).stream().map(o -> (JsonObject) o)
                .collect(Collectors.toMap(o -> (String) o.get("name"), o -> o));
        assertThat(segments).containsOnlyKeys(dead, live, reference, damaged);

        JsonObject d = segments.get(dead);
        assertThat(d.get("kind")).isEqualTo("ring");
        assertThat(d.get("path")).isEqualTo(NAMES.path(dead).toString());
        assertThat(number(d, "ownerPid")).isEqualTo(deadPid);
        assertThat(d.get("ownerAlive")).isEqualTo(false);
        assertThat(d.get("writerState")).isEqualTo("open");
        assertThat(number(d, "slotCount")).isEqualTo(8);
        assertThat(number(d, "slotCapacity")).isEqualTo(32);
        assertThat(number(d, "sizeBytes")).isEqualTo(Files.size(NAMES.path(dead)));
        assertThat(number(d, "layoutVersion")).isEqualTo(4);
        assertThat(number(d, "readersAttached")).isZero();
        assertThat(d.get("typeHash")).isNull();

        JsonObject l = segments.get(live);
        assertThat(number(l, "ownerPid")).isEqualTo(ProcessHandle.current().pid());
        assertThat(l.get("ownerAlive")).isEqualTo(true);
        assertThat(number(l, "readersAttached")).isEqualTo(1);
        assertThat(number(l, "readersAlive")).isEqualTo(1);
        JsonObject reader = (JsonObject) ((JsonArray) l.get("readers")).getFirst();
        assertThat(number(reader, "index")).isEqualTo(liveReader.readerIndex());
        assertThat(number(reader, "pid")).isEqualTo(ProcessHandle.current().pid());
        assertThat(reader.get("alive")).isEqualTo(true);

        JsonObject r = segments.get(reference);
        assertThat(r.get("kind")).isEqualTo("reference");
        assertThat(r.get("ownerPid")).isNull();
        assertThat(number(r, "slotCount")).isEqualTo(2);
        assertThat(number(r, "slotCapacity")).isEqualTo(48);

        assertThat(segments.get(damaged).get("kind")).isEqualTo("damaged");
        List<String> others = ((JsonArray) doc.get("others")).stream().map(o -> (String) ((JsonObject) o).get("name"))
                .toList();
        assertThat(others).containsExactly(text);
    }

    @Test
    void cleanDryRunShowsTheDeadOwnersSegmentAndRemovesNothing() {
        CliRun run = CliRun.of("clean", pattern, "--dry-run");
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out()).containsPattern("would remove +" + dead + " +writer pid " + deadPid + " is dead")
                .contains("would remove 1 segment, kept 4 files");
        for (String name : List.of(dead, live, reference, damaged, text)) {
            assertThat(NAMES.path(name)).exists();
        }
    }

    @Test
    void cleanRemovesOnlyTheSegmentWhoseOwnerIsDead() {
        CliRun run = CliRun.of("clean", pattern);
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out())
                .containsPattern("removed +" + dead + " +writer pid " + deadPid + " is dead")
                .containsPattern("kept +" + live + " +writer pid " + ProcessHandle.current().pid() + " is alive")
                .containsPattern("kept +" + reference + " +plain reference segment")
                .containsPattern("kept +" + damaged + " +damaged")
                .containsPattern("kept +" + text + " +not a flatdata segment")
                .contains("removed 1 segment, kept 4 files");
        assertThat(NAMES.path(dead)).doesNotExist();
        for (String name : List.of(live, reference, damaged, text)) {
            assertThat(NAMES.path(name)).exists();
        }
        assertThat(CliRun.of("clean", pattern).out()).contains("removed 0 segments, kept 4 files");
    }

    @Test
    void aDeadOwnersSegmentWithALiveReaderIsKept() throws Exception {
        try (PosixSlotBackend ring = PosixSlotBackend.open(dead).build(); FlatReader reader = FlatReader.attach(ring)) {
            CliRun run = CliRun.of("clean", dead);
            assertThat(run.out()).containsPattern("kept +" + dead + " +writer pid " + deadPid
                    + " is dead, but 1 live reader is attached");
            assertThat(NAMES.path(dead)).exists();
        }
    }

    @Test
    void cleanNamingAFileThatIsNotASegmentLeavesItAndSaysSo() {
        CliRun run = CliRun.of("clean", text);
        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.NOT_A_SEGMENT.code);
        assertThat(run.out()).containsPattern("kept +" + text + " +not a flatdata segment");
        assertThat(run.errLines()).singleElement().asString().contains(text);
        assertThat(NAMES.path(text)).exists();
        CliRun missing = CliRun.of("list", NAMES.prefix() + "nothing");
        assertThat(missing.code()).isEqualTo(ExitCode.NO_SEGMENT.code);
    }

    private static long number(JsonObject o, String key) {
        return ((BigDecimal) o.get(key)).longValueExact();
    }
}
