package io.zerodds.flatdata.iceoryx2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zerodds.flatdata.FlatType;
import io.zerodds.flatdata.TypeMismatchException;
import io.zerodds.flatdata.reactor.ReactiveFlatReader;
import io.zerodds.flatdata.reactor.ReactiveFlatWriter;
import io.zerodds.flatdata.reactor.SampleView;
import io.zerodds.flatdata.test.Checksummed;
import io.zerodds.flatdata.test.ChildProcess;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;

/**
 * Against real iceoryx2 0.10.0 programs no one here wrote the transport of: the iceoryx2 Python
 * wheel, in a child process, on the same service.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PythonInteropTest {

    static final int SAMPLES = 100_000;
    static final int CAPACITY = 256;
    static final Duration PATIENCE = Duration.ofSeconds(150);

    private static final Iox2Names NAMES = new Iox2Names("python");

    static Iceoryx2SlotBackend.Builder ring(String name) {
        return Iceoryx2SlotBackend.create(name).prefix(Iox2Names.PREFIX).slotCount(16).slotCapacity(CAPACITY);
    }

    @Test
    void aPythonPublisherSends100000SamplesAndAJavaFluxReceivesEveryOneInOrder() throws Exception {
        String name = NAMES.next();
        try (Iceoryx2SlotBackend backend = ring(name).build();
             ReactiveFlatReader reader = ReactiveFlatReader.attach(backend)) {
            AtomicLong expected = new AtomicLong();
            AtomicLong sizes = new AtomicLong();
            // the peer says hello and waits until the readers connected before it sends: iceoryx2
            // connects a subscriber to a new publisher only when it next receives, and until then
            // a blocking send gives up on a full queue (docs/iceoryx2.md, "Connecting")
            java.util.concurrent.CompletableFuture<Long> received = reader.flux()
                    .take(SAMPLES)
                    .doOnNext(view -> {
                        long index = view.read(Checksummed::verify);
                        assertThat(index).as("index of sample %d", expected.get()).isEqualTo(expected.getAndIncrement());
                        assertThat(view.size()).isEqualTo(Checksummed.sizeOf(index, CAPACITY));
                        sizes.addAndGet(view.size());
                        view.release();
                    })
                    .count()
                    .toFuture();
            ChildProcess publisher = PythonPeer.start("publish", name, SAMPLES, CAPACITY);
            long count;
            try {
                count = received.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            } finally {
                publisher.send("");
                if (!received.isDone() || received.isCompletedExceptionally()) {
                    publisher.close(); // it may be blocked sending to a reader that stopped
                }
            }
            assertThat(count).isEqualTo(SAMPLES);
            assertThat(sizes.get()).as("sizes varied").isGreaterThan(12L * SAMPLES);
            assertThat(publisher.waitFor(Duration.ofSeconds(30))).as("publisher %s", publisher.output()).isZero();
            assertThat(publisher.output()).anyMatch(l -> l.contains("\"sent\": " + SAMPLES) && l.contains("\"unreached\": 0")
                    && l.contains("\"connected\": true"));
            publisher.close();
        }
    }

    /** The README's iceoryx2 snippets, Java and Python, talking to each other. */
    @Test
    void theReadmeSnippetsTalkToEachOther() throws Exception {
        String name = NAMES.next();
        List<String> got = new java.util.ArrayList<>();
        try (Iceoryx2SlotBackend ring = Iceoryx2SlotBackend.openOrCreate(name).prefix(Iox2Names.PREFIX)
                .slotCount(16).slotCapacity(256).build();
             ReactiveFlatReader reader = ReactiveFlatReader.attach(ring)) {
            java.util.concurrent.CompletableFuture<SampleView> done = reader.flux()
                    .take(100)
                    .doOnNext(view -> { got.add(view.sequence() + ": " + new String(view.copy())); view.release(); })
                    .last()
                    .toFuture();
            try (ChildProcess peer = PythonPeer.run("readme_peer.py", name)) {
                done.get(60, TimeUnit.SECONDS);
                peer.send("");
                assertThat(peer.waitFor(Duration.ofSeconds(30))).isZero();
            }
        }
        assertThat(got).hasSize(100).startsWith("0: sample 0", "1: sample 1").endsWith("99: sample 99");
    }

    @Test
    void aJavaSendPublishes100000SamplesAndAPythonSubscriberChecksThemAll() throws Exception {
        String name = NAMES.next();
        try (Iceoryx2SlotBackend backend = ring(name).build();
             ChildProcess subscriber = PythonPeer.start("subscribe", name, SAMPLES)) {
            assertThat(subscriber.nextLine(Duration.ofSeconds(30))).contains("\"ready\": true");
            ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
            writer.send(Flux.range(0, SAMPLES), (i, slot) -> Checksummed.write(i, slot, CAPACITY)).block(PATIENCE);
            assertThat(writer.sentCount()).isEqualTo(SAMPLES);
            assertThat(subscriber.waitFor(PATIENCE)).as("subscriber %s", subscriber.output()).isZero();
            assertThat(subscriber.output()).anyMatch(l -> l.contains("\"received\": " + SAMPLES)
                    && l.contains("\"violations\": []"));
        }
    }

    @Test
    void aReliableSendToASlowPythonSubscriberRequestsOnlyWhatFitsAndLosesNothing() throws Exception {
        int samples = 3_000;
        String name = NAMES.next();
        try (Iceoryx2SlotBackend backend = ring(name).build();
             ChildProcess subscriber = PythonPeer.start("subscribe", name, samples, 300)) {
            assertThat(subscriber.nextLine(Duration.ofSeconds(30))).contains("\"ready\": true");
            ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(backend);
            AtomicLong requested = new AtomicLong();
            AtomicLong emitted = new AtomicLong();
            AtomicLong maxAhead = new AtomicLong();
            Flux<Integer> upstream = Flux.range(0, samples)
                    .doOnRequest(n -> requested.addAndGet(n))
                    .doOnNext(i -> maxAhead.accumulateAndGet(requested.get() - emitted.incrementAndGet(), Math::max));
            writer.send(upstream, (i, slot) -> Checksummed.write(i, slot, CAPACITY)).block(PATIENCE);
            assertThat(writer.sentCount()).isEqualTo(samples);
            assertThat(writer.droppedCount()).isZero();
            assertThat(requested.get()).as("never an unbounded request").isLessThan(Long.MAX_VALUE / 2);
            assertThat(maxAhead.get()).as("demand beyond what was emitted").isLessThanOrEqualTo(backend.slotCount());
            assertThat(subscriber.waitFor(PATIENCE)).as("subscriber %s", subscriber.output()).isZero();
            assertThat(subscriber.output()).anyMatch(l -> l.contains("\"received\": " + samples)
                    && l.contains("\"violations\": []"));
        }
    }

    @Test
    void aBestEffortSendToASlowPythonSubscriberDropsAndCountsAndWhatItSentArrives() throws Exception {
        int samples = 3_000;
        String name = NAMES.next();
        try (Iceoryx2SlotBackend backend = ring(name).build();
             ChildProcess subscriber = PythonPeer.start("subscribe", name, samples, 300, "gaps-ok")) {
            assertThat(subscriber.nextLine(Duration.ofSeconds(30))).contains("\"ready\": true");
            ReactiveFlatWriter writer = ReactiveFlatWriter.builder(backend).bestEffort().endStreamOnComplete().build();
            writer.send(Flux.range(0, samples), (i, slot) -> Checksummed.write(i, slot, CAPACITY)).block(PATIENCE);
            assertThat(writer.droppedCount()).as("dropped while the subscriber lagged").isPositive();
            assertThat(writer.sentCount() + writer.droppedCount()).isEqualTo(samples);
            assertThat(subscriber.waitFor(PATIENCE)).as("subscriber %s", subscriber.output()).isEqualTo(2);
            // exit 2: it counted fewer than `samples`; every one it did get was valid and in order
            assertThat(subscriber.output()).anyMatch(l -> l.contains("\"received\": " + writer.sentCount())
                    && l.contains("\"ended\": true") && l.contains("\"violations\": []"));
        }
    }

    @Test
    void aServiceAPythonPeerCreatedWithAnotherHeaderTypeIsRefusedClearly() throws Exception {
        String name = NAMES.next();
        try (ChildProcess creator = PythonPeer.start("create-other-header", name)) {
            assertThat(creator.nextLine(Duration.ofSeconds(30))).contains("\"created\": true");
            assertThatThrownBy(() -> Iceoryx2SlotBackend.openOrCreate(name).prefix(Iox2Names.PREFIX).build())
                    .isInstanceOf(TypeMismatchException.class)
                    .hasMessageContaining(name).hasMessageContaining("IncompatibleTypes");
            creator.send("");
            assertThat(creator.waitFor(Duration.ofSeconds(30))).isZero();
        }
    }

    @Test
    void aServiceAPythonPeerCreatedWithAnotherPayloadTypeIsRefusedClearly() throws Exception {
        String name = NAMES.next();
        try (ChildProcess creator = PythonPeer.start("create-other-payload", name)) {
            assertThat(creator.nextLine(Duration.ofSeconds(30))).contains("\"created\": true");
            assertThatThrownBy(() -> Iceoryx2SlotBackend.open(name).prefix(Iox2Names.PREFIX).build())
                    .isInstanceOf(TypeMismatchException.class).hasMessageContaining("IncompatibleTypes");
            creator.send("");
        }
    }

    @Test
    void aPythonServiceWithIceoryx2DefaultsIsRefusedForItsOverflowBehaviourAndSaysSo() throws Exception {
        String name = NAMES.next();
        try (ChildProcess creator = PythonPeer.start("create-default", name)) {
            assertThat(creator.nextLine(Duration.ofSeconds(30))).contains("\"created\": true");
            assertThatThrownBy(() -> ring(name).build())
                    .isInstanceOf(Iceoryx2Exception.class).hasMessageContaining("AlreadyExists");
            assertThatThrownBy(() -> Iceoryx2SlotBackend.openOrCreate(name).prefix(Iox2Names.PREFIX).slotCount(16)
                    .slotCapacity(CAPACITY).build())
                    .isInstanceOf(Iceoryx2Exception.class)
                    .hasMessageMatching("(?s).*(IncompatibleOverflowBehavior|DoesNotSupportRequestedMinBufferSize).*")
                    .satisfies(e -> assertThat(((Iceoryx2Exception) e).reason())
                            .isEqualTo(Iceoryx2Exception.Reason.SETTINGS));
            creator.send("");
        }
    }

    @Test
    void aPythonPeerRequiringAnotherTypeHashIsRefusedByIceoryx2() throws Exception {
        FlatType<java.lang.foreign.MemorySegment> tick = FlatType.of("Tick", MemoryLayout.structLayout(
                ValueLayout.JAVA_LONG.withName("id"), ValueLayout.JAVA_DOUBLE.withName("price")));
        String name = NAMES.next();
        try (Iceoryx2SlotBackend backend = Iceoryx2SlotBackend.create(name).prefix(Iox2Names.PREFIX).type(tick).build()) {
            assertThat(backend.typeHash()).hasValueSatisfying(h -> assertThat(h).isEqualTo(tick.typeHash()));
            byte[] other = tick.typeHash().clone();
            other[0] ^= 1;
            try (ChildProcess wrong = PythonPeer.start("open-typed", name, HexFormat.of().formatHex(other))) {
                assertThat(wrong.waitFor(Duration.ofSeconds(30))).isEqualTo(3);
                assertThat(wrong.output()).anyMatch(l -> l.contains("IncompatibleAttributes"));
            }
            try (ChildProcess right = PythonPeer.start("open-typed", name, tick.typeHashHex())) {
                assertThat(right.waitFor(Duration.ofSeconds(30))).as("%s", right.output()).isZero();
            }
        }
    }
}
