package io.zerodds.flatdata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.test.ShmNames;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** pub and sub through picocli, in two threads of this JVM, over real segments in /dev/shm. */
class PubSubCommandTest {

    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("cli-pubsub");

    /** Starts pub, which waits for one reader; runs sub; returns both. */
    private static CliRun[] pubThenSub(String[] pubArgs, String[] subArgs) throws Exception {
        CompletableFuture<CliRun> pub = CompletableFuture.supplyAsync(() -> CliRun.of(pubArgs));
        String name = pubArgs[1];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!NAMES.path(name).toFile().exists() && !pub.isDone()) {
            assertThat(System.nanoTime()).as("pub creates " + name).isLessThan(deadline);
            Thread.sleep(5);
        }
        CliRun sub = CliRun.of(subArgs);
        return new CliRun[] {pub.get(60, TimeUnit.SECONDS), sub};
    }

    @Test
    void subChecksEveryRawSampleAndPrintsRateAndLatencyPercentiles() throws Exception {
        String name = NAMES.next();
        CliRun[] runs = pubThenSub(new String[] {"pub", name, "--count", "20000", "--size", "100", "--slots", "16"},
                new String[] {"sub", name});
        CliRun pub = runs[0];
        CliRun sub = runs[1];
        assertThat(pub.code()).as(pub.toString()).isZero();
        assertThat(pub.out()).contains("20,000 samples of 100 bytes");
        assertThat(sub.code()).as(sub.toString()).isZero();
        assertThat(sub.out()).contains("20,000 samples (2,000,000 bytes)").contains("ended by end of stream")
                .contains("in order, sequences 0..19999 without a gap").contains("checksums  all valid")
                .containsPattern("latency    p50 [0-9.]+ .s  p90 .* p99 .* p99\\.9 .* max ");
        assertThat(NAMES.path(name)).doesNotExist();
    }

    @Test
    void subReactiveConsumesThroughTheFlux() throws Exception {
        String name = NAMES.next();
        CliRun[] runs = pubThenSub(new String[] {"pub", name, "--count", "5000"},
                new String[] {"sub", name, "--reactive", "--quiet"});
        assertThat(runs[0].code()).as(runs[0].toString()).isZero();
        assertThat(runs[1].code()).as(runs[1].toString()).isZero();
        assertThat(runs[1].out()).contains("5,000 samples").contains("without a gap").contains("all valid");
    }

    @Test
    void subFollowPrintsTypedFields() throws Exception {
        String name = NAMES.next();
        String type = "Tick{id:i64,price:f64,qty:i32,_:pad4}";
        CliRun[] runs = pubThenSub(new String[] {"pub", name, "--type", type, "--count", "3"},
                new String[] {"sub", name, "--type", type, "--follow"});
        assertThat(runs[0].code()).as(runs[0].toString()).isZero();
        assertThat(runs[1].code()).as(runs[1].toString()).isZero();
        assertThat(runs[1].out().lines().filter(l -> l.startsWith("#")).toList()).containsExactly(
                "#0 24 bytes  Tick{id=0, price=0.0, qty=0}",
                "#1 24 bytes  Tick{id=1, price=0.01, qty=1}",
                "#2 24 bytes  Tick{id=2, price=0.02, qty=2}");
        assertThat(runs[1].out()).contains("not checked (typed samples, type hash "
                + TypeSpec.parse(type).type().typeHashHex() + ")");
    }

    @Test
    void subFollowPrintsRawSamplesInHexAndStopsAtTheCount() throws Exception {
        String name = NAMES.next();
        CliRun[] runs = pubThenSub(new String[] {"pub", name, "--count", "10", "--size", "24", "--rate", "200"},
                new String[] {"sub", name, "--follow", "--reactive", "--count", "3"});
        CliRun sub = runs[1];
        assertThat(sub.code()).as(sub.toString()).isZero();
        assertThat(sub.out().lines().filter(l -> l.startsWith("#")).toList()).hasSize(3)
                .first().asString().startsWith("#0 24 bytes  index 0  00 00 00 00 00 00 00 00 ");
        assertThat(sub.out()).contains("3 samples").contains("ended by count");
        assertThat(runs[0].code()).as(runs[0].toString()).isZero();
    }

    @Test
    void aTypeIsParsedToTheCanonicalTextCoreHashes() {
        TypeSpec spec = TypeSpec.parse("Tick{ id:i64, price:f64, qty:i32, _:pad4 }");
        assertThat(spec.type().canonicalText()).isEqualTo("Tick{id:i64,price:f64,qty:i32,_:pad4}");
        assertThat(spec.type().byteSize()).isEqualTo(24);
        assertThat(spec.fields()).extracting(TypeSpec.Field::offset).containsExactly(0L, 8L, 16L);
    }
}
