package io.zerodds.flatdata.aeron;

import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.ext.DebugSendChannelEndpoint;
import io.aeron.driver.ext.LossGenerator;
import io.aeron.driver.ext.RandomLossGenerator;
import io.zerodds.flatdata.InMemorySlotBackend;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Aeron's own loss generators drop a share of the frames both ways: data frames arriving at the
 * receiver's driver, status messages and NAKs arriving at the bridge's, and the control stream's
 * frames. Aeron's NAK and retransmission recover them: nothing lost, in order.
 */
class LossInjectionTest {

    /** Aeron's random loss generator, counting what it drops. */
    static LossGenerator counted(double rate, long seed, AtomicLong dropped) {
        RandomLossGenerator random = new RandomLossGenerator(rate, seed);
        return (address, buffer, length) -> {
            boolean drop = random.shouldDropFrame(address, buffer, length);
            if (drop) {
                dropped.incrementAndGet();
            }
            return drop;
        };
    }

    @ParameterizedTest(name = "{0} loss")
    @ValueSource(doubles = {0.01, 0.10})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void nothingIsLostAndOrderHoldsUnderRandomFrameLoss(double rate) throws Exception {
        long count = 20_000;
        AtomicLong dropped = new AtomicLong();
        String data = Ports.loopback();
        String control = Ports.loopback();
        try (var local = InMemorySlotBackend.create(64, 512);
             var remote = InMemorySlotBackend.create(16, 512);
             var bridge = RingBridge.builder(local).dataChannel(data).controlChannel(control)
                     .driver(ctx -> ctx
                             .sendChannelEndpointSupplier((channel, counter, context) -> new DebugSendChannelEndpoint(
                                     channel, counter, context, counted(rate, 11, dropped), counted(rate, 12, dropped)))
                             .receiveChannelEndpointSupplier((channel, dispatcher, counter, context) -> new DebugReceiveChannelEndpoint(
                                     channel, dispatcher, counter, context, counted(rate, 13, dropped), counted(rate, 14, dropped))))
                     .start();
             var receiver = RingReceiver.builder(remote).dataChannel(data).controlChannel(control)
                     .driver(ctx -> ctx
                             .sendChannelEndpointSupplier((channel, counter, context) -> new DebugSendChannelEndpoint(
                                     channel, counter, context, counted(rate, 21, dropped), counted(rate, 22, dropped)))
                             .receiveChannelEndpointSupplier((channel, dispatcher, counter, context) -> new DebugReceiveChannelEndpoint(
                                     channel, dispatcher, counter, context, counted(rate, 23, dropped), counted(rate, 24, dropped))))
                     .start();
             var checker = new RingChecker(remote)) {
            bridge.awaitReceiver(Duration.ofSeconds(30));
            LoopbackBridgeTest.writeAll(local, count, 0);
            checker.awaitEnd(Duration.ofSeconds(60));
            assertThat(checker.count()).as(checker.toString()).isEqualTo(count);
            assertThat(checker.first()).isZero();
            assertThat(checker.last()).isEqualTo(count - 1);
            assertThat(checker.outOfOrder() + checker.skipped()).isZero();
            assertThat(receiver.gapCount()).isZero();
            assertThat(bridge.droppedCount()).isZero();
            assertThat(dropped.get()).as("frames the loss generators dropped").isGreaterThan(count / 1000);
        }
    }
}
