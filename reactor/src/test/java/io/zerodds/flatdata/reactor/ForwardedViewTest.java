package io.zerodds.flatdata.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.InMemorySlotBackend;
import io.zerodds.flatdata.Sample;
import io.zerodds.flatdata.SlotBackend;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A view forwarded into {@code send} is read by the encoder before its {@code onNext} returns,
 * also when the writer's waiter thread holds the drain loop at that moment: a relay from one ring
 * into another with tiny rings, so that the second is full all the time and the waiter thread
 * tops up while views arrive.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForwardedViewTest {
    private static final int SAMPLES = 200_000;

    @Test
    void aRelayThatReadsEveryForwardedViewInItsEncoderSeesEverySampleWhole() throws Exception {
        try (SlotBackend in = InMemorySlotBackend.create(2, 16);
             SlotBackend out = InMemorySlotBackend.create(2, 16);
             FlatReader sink = FlatReader.attach(out);
             ReactiveFlatReader relay = ReactiveFlatReader.attach(in)) {
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread source = new Thread(() -> {
                try (FlatWriter writer = FlatWriter.reliable(in, Duration.ofSeconds(30))) {
                    for (long i = 0; i < SAMPLES; i++) {
                        FlatWriter.Claim c = writer.loan();
                        c.segment().set(ValueLayout.JAVA_LONG, 0, i);
                        c.segment().set(ValueLayout.JAVA_LONG, 8, ~i);
                        c.commit(16);
                    }
                } catch (Throwable t) {
                    failed.set(t);
                }
            }, "relay-test-source");
            source.start();
            ReactiveFlatWriter writer = ReactiveFlatWriter.reliable(out);
            var done = writer.send(relay.flux().take(SAMPLES), (SampleView view, java.lang.foreign.MemorySegment slot) -> {
                long value = view.getLong(0);
                long check = view.getLong(8);
                slot.set(ValueLayout.JAVA_LONG, 0, value);
                slot.set(ValueLayout.JAVA_LONG, 8, check);
                return 16;
            }).toFuture();
            for (long i = 0; i < SAMPLES; i++) {
                Sample s = sink.take(Duration.ofSeconds(30));
                assertThat(s).as("sample %d", i).isNotNull();
                long value = s.segment().get(ValueLayout.JAVA_LONG, 0);
                long check = s.segment().get(ValueLayout.JAVA_LONG, 8);
                s.release();
                assertThat(value).isEqualTo(i);
                assertThat(check).isEqualTo(~i);
                if ((i & 63) == 0) {
                    Thread.onSpinWait(); // a consumer that is slower now and then keeps the relay's ring full
                }
            }
            done.get(30, TimeUnit.SECONDS);
            assertThat(source.join(Duration.ofSeconds(30))).as("source thread finished").isTrue();
            assertThat(failed.get()).isNull();
            assertThat(writer.sentCount()).isEqualTo(SAMPLES);
        }
    }
}
