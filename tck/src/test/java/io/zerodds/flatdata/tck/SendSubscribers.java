package io.zerodds.flatdata.tck;

import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.reactor.ReactiveFlatWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Subscriber;

/**
 * Reaches the subscriber behind {@link ReactiveFlatWriter#send}: the send subscribes to the
 * publisher it is given, so a publisher that hands its subscriber out captures it. Every ring is
 * closed when the verification's test method ends.
 */
final class SendSubscribers implements AutoCloseable {

    /** The two subscribers a send can run: each writer mode has its own. */
    enum Mode {
        /** Demand is the ring's free slots ({@link ReactiveFlatWriter#reliable}). */
        RELIABLE {
            @Override
            ReactiveFlatWriter writer(SlotBackend ring) {
                return ReactiveFlatWriter.reliable(ring);
            }
        },
        /** Unbounded demand, drops what does not fit ({@link ReactiveFlatWriter#bestEffort}). */
        BEST_EFFORT {
            @Override
            ReactiveFlatWriter writer(SlotBackend ring) {
                return ReactiveFlatWriter.bestEffort(ring);
            }
        };

        abstract ReactiveFlatWriter writer(SlotBackend ring);
    }

    private final List<SlotBackend> rings = new ArrayList<>();

    /** A fresh ring with no reader attached (a keep-last ring: the writer always finds a slot). */
    @SuppressWarnings("unchecked")
    Subscriber<byte[]> create(Rings backend, Mode mode) {
        SlotBackend ring = backend.create();
        synchronized (rings) {
            rings.add(ring);
        }
        AtomicReference<Subscriber<? super Object>> captured = new AtomicReference<>();
        mode.writer(ring).send(captured::set).subscribe(null, failed -> { });
        Subscriber<? super Object> subscriber = captured.get();
        if (subscriber == null) {
            throw new IllegalStateException("send did not subscribe to its publisher");
        }
        return (Subscriber<byte[]>) (Subscriber<?>) subscriber;
    }

    /** The TCK's element {@code n} as the 4 little-endian bytes the send copies into a slot. */
    static byte[] element(int n) {
        return new byte[] {(byte) n, (byte) (n >>> 8), (byte) (n >>> 16), (byte) (n >>> 24)};
    }

    @Override
    public void close() {
        synchronized (rings) {
            rings.forEach(SlotBackend::close);
            rings.clear();
        }
    }
}
