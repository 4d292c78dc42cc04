package io.zerodds.flatdata.reactor;

import static io.zerodds.flatdata.reactor.TestRings.SAMPLE_SIZE;

import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.TestBackends;
import io.zerodds.flatdata.test.ShmNames;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rings on every backend for a parameterized test, and everything opened on them closed after it. */
abstract class RingTestBase {

    /** Every POSIX ring a test made is gone after its class. */
    @RegisterExtension
    static final ShmNames NAMES = TestBackends.NAMES;

    private final List<AutoCloseable> opened = new ArrayList<>();

    static List<Named<TestBackends.Factory>> backends() {
        return TestBackends.all();
    }

    /** A ring of {@code slots} slots of {@link TestRings#SAMPLE_SIZE} bytes, closed after the test. */
    final SlotBackend ring(TestBackends.Factory factory, int slots) {
        SlotBackend backend = factory.create(slots, SAMPLE_SIZE);
        opened.add(backend);
        return backend;
    }

    /** Closes {@code resource} after the test, before the rings it lives on. */
    final <T extends AutoCloseable> T closeFirst(T resource) {
        opened.add(0, resource);
        return resource;
    }

    @AfterEach
    final void closeOpened() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        opened.clear();
    }
}
