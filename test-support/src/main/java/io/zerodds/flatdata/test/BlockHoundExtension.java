package io.zerodds.flatdata.test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingMethod;
import reactor.blockhound.BlockingOperationError;

/**
 * Installs BlockHound once for the whole test JVM of a module that service-loads this extension
 * (JUnit's auto-detection; the reactor and iceoryx2 modules do) with every service-loaded
 * integration, flatdata's included, and fails any test during which a blocking call was detected on a
 * non-blocking thread, wherever that detection ended up (an operator may turn the error into a
 * dropped signal). A test that provokes a detection on purpose takes it with {@link #takeDetected()}.
 */
public final class BlockHoundExtension implements BeforeAllCallback, AfterEachCallback {

    private static final List<BlockingMethod> DETECTED = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    /** Installs BlockHound unless it is installed already. */
    public static synchronized void install() {
        if (!installed) {
            BlockHound.builder()
                    .loadIntegrations() // service-loaded: Reactor's (its non-blocking threads) and ours
                    .blockingMethodCallback(method -> {
                        DETECTED.add(method);
                        throw new BlockingOperationError(method);
                    })
                    .install();
            installed = true;
        }
    }

    /** Whether {@link #install()} ran in this JVM. */
    public static boolean isInstalled() {
        return installed;
    }

    /** The detections so far, cleared. */
    public static List<BlockingMethod> takeDetected() {
        List<BlockingMethod> copy = List.copyOf(DETECTED);
        DETECTED.clear();
        return copy;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<BlockingMethod> detected = takeDetected();
        if (!detected.isEmpty()) {
            throw new AssertionError("blocking calls on non-blocking threads during "
                    + context.getDisplayName() + ": " + detected);
        }
    }
}
