package io.zerodds.flatdata.reactor;

import io.zerodds.flatdata.InMemorySlotBackend;
import io.zerodds.flatdata.SlotBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Named;

/**
 * The backends every reactive test runs on. The POSIX shared-memory backend joins automatically
 * when it is on the class path (it is built on another branch); once merged, the reflective
 * factory below can become a direct {@code PosixSlotBackend.create(name)...build()} call.
 */
final class Backends {

    /** Makes an empty ring of {@code slots} slots of {@code capacity} bytes. */
    @FunctionalInterface
    interface Factory {
        SlotBackend create(int slots, int capacity);
    }

    static final String POSIX_CLASS = "io.zerodds.flatdata.PosixSlotBackend";
    private static final AtomicInteger NAMES = new AtomicInteger();

    private Backends() {
    }

    static List<Named<Factory>> all() {
        List<Named<Factory>> all = new ArrayList<>();
        all.add(Named.of("in-memory", (slots, capacity) -> InMemorySlotBackend.create(slots, capacity)));
        if (posixPresent()) {
            all.add(Named.of("posix", Backends::createPosix));
        }
        return all;
    }

    static boolean posixPresent() {
        try {
            Class.forName(POSIX_CLASS);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static String uniqueName() {
        return "flatdata-reactor-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
    }

    /** {@code PosixSlotBackend.create(name).slotCount(slots).slotCapacity(capacity).build()}. */
    static SlotBackend createPosix(int slots, int capacity) {
        return createPosix(uniqueName(), slots, capacity);
    }

    static SlotBackend createPosix(String name, int slots, int capacity) {
        try {
            Class<?> posix = Class.forName(POSIX_CLASS);
            Object builder = posix.getMethod("create", String.class).invoke(null, name);
            builder = builder.getClass().getMethod("slotCount", int.class).invoke(builder, slots);
            builder = builder.getClass().getMethod("slotCapacity", int.class).invoke(builder, capacity);
            return (SlotBackend) builder.getClass().getMethod("build").invoke(builder);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create a POSIX ring " + name, e);
        }
    }

    /** {@code PosixSlotBackend.open(name).build()}. */
    static SlotBackend openPosix(String name) {
        try {
            Class<?> posix = Class.forName(POSIX_CLASS);
            Object builder = posix.getMethod("open", String.class).invoke(null, name);
            return (SlotBackend) builder.getClass().getMethod("build").invoke(builder);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot open the POSIX ring " + name, e);
        }
    }
}
