package io.zerodds.flatdata.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.TestBackends;
import io.zerodds.flatdata.test.BlockHoundExtension;
import io.zerodds.flatdata.test.ShmNames;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.blockhound.BlockingMethod;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * BlockHound sees the backends' blocking wait. Every other test of the module runs under the same
 * installation and fails on any detection ({@link BlockHoundExtension}).
 */
class BlockHoundIntegrationTest {

    /** Every POSIX ring a test made is gone after its class. */
    @RegisterExtension
    static final ShmNames NAMES = TestBackends.NAMES;

    private SlotBackend backend;

    static List<Named<TestBackends.Factory>> backends() {
        return TestBackends.all();
    }

    @AfterEach
    void close() {
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void theIntegrationIsServiceLoadedAndBlockHoundIsInstalledForEveryTest() {
        assertThat(ServiceLoader.load(BlockHoundIntegration.class).stream().map(ServiceLoader.Provider::type))
                .contains(FlatBlockHoundIntegration.class);
        assertThat(BlockHoundExtension.isInstalled()).isTrue();
    }

    /** The iceoryx2 module's {@code Iceoryx2BlockHoundTest} checks the names of its own classes. */
    private static boolean onThisClassPath(String[] entry) {
        return !entry[0].startsWith(FlatBlockHoundIntegration.ICEORYX2_PACKAGE + ".");
    }

    @Test
    void everyClassAndMethodTheIntegrationNamesExists() throws Exception {
        for (String[] blocking : FlatBlockHoundIntegration.BLOCKING) {
            if (!onThisClassPath(blocking)) {
                continue;
            }
            Class<?> type = Class.forName(blocking[0]);
            assertThat(java.util.Arrays.stream(type.getDeclaredMethods())
                    .filter(m -> m.getName().equals(blocking[1]))
                    .map(m -> java.lang.invoke.MethodType.methodType(m.getReturnType(), m.getParameterTypes())
                            .toMethodDescriptorString()))
                    .as("%s.%s", blocking[0], blocking[1]).contains(blocking[2]);
        }
        for (String[] allowed : FlatBlockHoundIntegration.ALLOWED) {
            if (!onThisClassPath(allowed)) {
                continue;
            }
            Class<?> type = Class.forName(allowed[0]);
            assertThat(java.util.Arrays.stream(type.getDeclaredMethods()).map(java.lang.reflect.Method::getName))
                    .as("%s declares %s", allowed[0], allowed[1]).contains(allowed[1]);
        }
        assertThat(java.util.Arrays.stream(FlatBlockHoundIntegration.BLOCKING).filter(e -> onThisClassPath(e)))
                .hasSize(2);
        assertThat(java.util.Arrays.stream(FlatBlockHoundIntegration.ALLOWED).filter(e -> onThisClassPath(e)))
                .hasSize(3);
        assertThat(FlatBlockHoundIntegration.BLOCKING.length).isEqualTo(4);
        assertThat(FlatBlockHoundIntegration.ALLOWED.length).isEqualTo(4);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void waitingForAChangeOnAParallelThreadIsDetected(TestBackends.Factory factory) {
        backend = factory.create(4, 64);
        SlotBackend b = backend;
        StepVerifier.create(Mono.fromCallable(() -> b.waitForChange(b.notifyGeneration(), 1_000_000L))
                        .subscribeOn(Schedulers.parallel()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BlockingOperationError.class)
                        .hasMessageContaining("waitForChange"))
                .verify(Duration.ofSeconds(10));
        List<BlockingMethod> detected = BlockHoundExtension.takeDetected();
        assertThat(detected).isNotEmpty();
        // our integration marks the backend's method itself, whatever it blocks on inside
        assertThat(detected.get(0).getName()).isEqualTo("waitForChange");
        assertThat(detected.get(0).getClassName()).startsWith("io.zerodds.flatdata.");
    }

    @ParameterizedTest
    @MethodSource("backends")
    void theSameWaitOnABlockingCapableThreadIsAllowed(TestBackends.Factory factory) {
        backend = factory.create(4, 64);
        SlotBackend b = backend;
        StepVerifier.create(Mono.fromCallable(() -> b.waitForChange(b.notifyGeneration(), 1_000_000L))
                        .subscribeOn(Schedulers.boundedElastic()))
                .expectNext(false)
                .verifyComplete();
    }
}
