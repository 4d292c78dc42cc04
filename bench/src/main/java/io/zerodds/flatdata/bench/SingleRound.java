package io.zerodds.flatdata.bench;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.bench.peers.NativeIceoryx2Pair;
import io.zerodds.flatdata.iceoryx2.Iceoryx2SlotBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The single-threaded round over iceoryx2 in its four layers, each over a service of its own that
 * one thread writes and reads back: a round is loan, write, commit, take, read and release. The
 * layers are {@code FlatWriter}/{@code FlatReader} ({@link FlatSide}), the backend's calls alone
 * ({@link BackendApiSide}), the native ping-pong's calls made from Java one downcall each
 * ({@link FfmIceoryx2Side}) and the native crate itself ({@link NativeIceoryx2Side}). The
 * differences between them are the Java side's own cost without a second process in the way.
 * The native library is the one named by {@link Iceoryx2Latency#LIBRARY_PROPERTY}.
 */
final class SingleRound implements AutoCloseable {

    /** The layers, outermost first, as {@link #side(int)} numbers them. */
    static final List<String> LAYERS = List.of("flat", "backend", "ffm", "native");

    private final List<AutoCloseable> owned = new ArrayList<>();
    private final PingPongSide[] sides = new PingPongSide[LAYERS.size()];

    /** Opens the four layers' services, named after {@code tag}, with {@code slots} slots of {@code sample} bytes. */
    SingleRound(String tag, int slots, int sample) {
        String base = "flatdata/bench/" + tag + "/single/";
        String prefix = NativeIceoryx2Pair.prefix(tag);
        try {
            Iceoryx2SlotBackend out = own(Iceoryx2SlotBackend.create(base + "flat").prefix(prefix).slotCount(slots)
                    .slotCapacity(sample).maxReaders(Iceoryx2Latency.MAX_READERS).build());
            Iceoryx2SlotBackend in = own(Iceoryx2SlotBackend.open(base + "flat").prefix(prefix).build());
            sides[0] = own(new FlatSide(FlatReader.attach(in), FlatWriter.reliable(out, BusyWait.PATIENCE), sample));
            Iceoryx2SlotBackend apiOut = own(Iceoryx2SlotBackend.create(base + "api").prefix(prefix).slotCount(slots)
                    .slotCapacity(sample).maxReaders(Iceoryx2Latency.MAX_READERS).build());
            Iceoryx2SlotBackend apiIn = own(Iceoryx2SlotBackend.open(base + "api").prefix(prefix).build());
            sides[1] = own(new BackendApiSide(apiIn, apiOut, sample));
            sides[2] = own(new FfmIceoryx2Side(prefix, base + "ffm", base + "ffm", sample));
            sides[3] = own(new NativeIceoryx2Side(Path.of(System.getProperty(Iceoryx2Latency.LIBRARY_PROPERTY)), prefix,
                    base + "native", base + "native", sample));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    /** The side of layer {@code layer} (an index into {@link #LAYERS}). */
    PingPongSide side(int layer) {
        return sides[layer];
    }

    /** Closes the sides, then the backends under them, the last opened first. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing the single-threaded round's " + owned.get(i), e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        owned.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
