package io.zerodds.flatdata.iceoryx2;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.Sample;
import io.zerodds.flatdata.test.Checksummed;
import io.zerodds.flatdata.test.ChildProcess;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Peers killed with SIGKILL: what the survivors keep, notice and recover. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrashTest {

    private static final Iox2Names NAMES = new Iox2Names("crash");
    static final int CAPACITY = 256;

    @Test
    void aKilledPythonPublisherLeavesHeldSamplesValidIsNoticedAndANewPublisherTakesOver() throws Exception {
        String name = NAMES.next();
        try (Iceoryx2SlotBackend backend = Iceoryx2SlotBackend.create(name).prefix(Iox2Names.PREFIX).slotCount(16)
                .slotCapacity(CAPACITY).deadNodeCheck(Duration.ofMillis(100)).build();
             FlatReader reader = FlatReader.attach(backend)) {
            List<Sample> held = new ArrayList<>();
            List<byte[]> copies = new ArrayList<>();
            try (ChildProcess publisher = PythonPeer.start("publish-forever", name, CAPACITY)) {
                for (int i = 0; i < 8; i++) {
                    Sample s = reader.take(Duration.ofSeconds(30));
                    assertThat(s).as("sample %d from the live publisher", i).isNotNull();
                    assertThat(Checksummed.verify(s.segment())).isEqualTo(i);
                    held.add(s);
                    copies.add(s.copy());
                }
                assertThat(backend.writers()).isEqualTo(1);
                publisher.kill();
            }
            for (int i = 0; i < held.size(); i++) {
                assertThat(held.get(i).segment().toArray(ValueLayout.JAVA_BYTE))
                        .as("held sample %d after the publisher died", i).isEqualTo(copies.get(i));
                assertThat(Checksummed.verify(held.get(i).segment())).isEqualTo(i);
            }
            // a waiting reader removes the dead node within its dead-node check
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (backend.writers() != 0 && System.nanoTime() < deadline) {
                Sample late = reader.take(Duration.ofMillis(300));
                if (late != null) {
                    late.release(); // samples the dead publisher sent before it died
                }
            }
            assertThat(backend.writers()).as("the dead publisher was noticed and removed").isZero();
            held.forEach(Sample::release);
            while (true) {
                Sample rest = reader.take(Duration.ofMillis(200));
                if (rest == null) {
                    break;
                }
                rest.release();
            }
            try (ChildProcess next = PythonPeer.start("publish", name, 100, CAPACITY)) {
                for (int i = 0; i < 100; i++) {
                    try (Sample s = reader.take(Duration.ofSeconds(30))) {
                        assertThat(s).as("sample %d from the new publisher", i).isNotNull();
                        assertThat(Checksummed.verify(s.segment())).isEqualTo(i);
                    }
                }
                next.send("");
                assertThat(next.waitFor(Duration.ofSeconds(30))).isZero();
            }
        }
    }

    @Test
    void aKilledJavaReaderProcessDoesNotBlockTheWriterForEver() throws Exception {
        String name = NAMES.next();
        try (Iceoryx2SlotBackend backend = Iceoryx2SlotBackend.create(name).prefix(Iox2Names.PREFIX).slotCount(4)
                .slotCapacity(64).deadNodeCheck(Duration.ofMillis(100)).build();
             FlatWriter writer = FlatWriter.reliable(backend, Duration.ofSeconds(20))) {
            try (ChildProcess child = ChildProcess.java(HoldingReader.class, Iox2Names.PREFIX, name)) {
                assertThat(child.nextLine(Duration.ofSeconds(60))).isEqualTo("ATTACHED");
                for (int i = 0; i < 4; i++) {
                    FlatWriter.Claim claim = writer.loan();
                    claim.segment().set(ValueLayout.JAVA_INT, 0, i);
                    claim.commit(4);
                }
                assertThat(child.nextLine(Duration.ofSeconds(60))).as("the child holds every chunk")
                        .isEqualTo("HOLDING 4");
                assertThat(backend.reserveSlotNoWait()).isEqualTo(io.zerodds.flatdata.SlotBackend.NO_FREE_SLOT);
                child.kill();
                assertThat(child.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
                long t0 = System.nanoTime();
                FlatWriter.Claim claim = writer.loan(); // waits until the dead reader's chunks come back
                claim.segment().set(ValueLayout.JAVA_INT, 0, 99);
                claim.commit(4);
                assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(15));
                assertThat(backend.readerPorts()).isZero();
            }
        }
    }

    /** Child process: attaches a reader, takes every sample and never releases one. */
    public static final class HoldingReader {
        public static void main(String[] args) throws Exception {
            Iceoryx2SlotBackend backend = Iceoryx2SlotBackend.open(args[1]).prefix(args[0]).build();
            FlatReader reader = FlatReader.attach(backend);
            System.out.println("ATTACHED");
            System.out.flush();
            List<Sample> held = new ArrayList<>();
            while (held.size() < backend.slotCount()) {
                Sample s = reader.take(Duration.ofSeconds(30));
                if (s == null) {
                    System.exit(3);
                }
                held.add(s);
            }
            System.out.println("HOLDING " + held.size());
            System.out.flush();
            Thread.sleep(600_000);
        }
    }
}
