package io.zerodds.flatdata.iceoryx2;

import io.zerodds.flatdata.test.ShmNames;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Service names and the iceoryx2 file prefix of one test JVM: every run has its own prefix, so
 * runs never see each other's services, and every ring its own name.
 */
final class Iox2Names {

    /** The prefix of this JVM's iceoryx2 files (services, nodes): {@code fdt<pid>_}, removed when the JVM ends. */
    static final String PREFIX = ShmNames.processPrefix("fdt");

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String base;

    Iox2Names(String base) {
        this.base = base;
    }

    String next() {
        return "flatdata/test/" + base + "/" + COUNTER.incrementAndGet();
    }
}
