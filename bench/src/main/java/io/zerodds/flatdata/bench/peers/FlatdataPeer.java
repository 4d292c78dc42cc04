package io.zerodds.flatdata.bench.peers;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import io.zerodds.flatdata.Sample;
import io.zerodds.flatdata.SlotBackend;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;

/**
 * Flatdata's plain path: a {@link FlatWriter} loans a slot, the payload is written in place and
 * committed; a {@link FlatReader} takes the sample and reads it in place, busy-spinning on
 * {@code take()} or blocking in the backend's event-driven wait ({@code take(timeout)}). Each
 * process writes to a ring of its own and reads the other's.
 */
final class FlatdataPeer implements Peer {
    private static final Duration PATIENCE = Duration.ofNanos(Spin.PATIENCE_NANOS);

    private final String name;
    private final String key;
    private final Rings rings;
    private final boolean block;

    FlatdataPeer(String name, String key, Rings rings, boolean block) {
        this.name = name;
        this.key = key;
        this.rings = rings;
        this.block = block;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean flatdata() {
        return true;
    }

    @Override
    public Link open(Side side, String tag, int maxSize) {
        String base = tag + "-" + key + "-";
        SlotBackend out = rings.create(base + side.tag(), Rings.SLOTS, maxSize);
        return new Ring(out, rings, base + side.other().tag(), block);
    }

    @Override
    public AutoCloseable idleSubscriber(String tag, ThreadFactory threads) {
        if (!block) {
            return null; // busy-spinning costs a core by design
        }
        SlotBackend ring = rings.create(tag + "-" + key + "-idle", Rings.SLOTS, Sizes.SMALLEST);
        FlatReader reader = FlatReader.attach(ring);
        Thread t = threads.newThread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                Sample s = reader.take(Duration.ofSeconds(1));
                if (s != null) {
                    s.release();
                }
            }
        });
        t.start();
        return () -> {
            t.interrupt();
            t.join();
            reader.close();
            ring.close();
        };
    }

    private static final class Ring implements Link {
        private final SlotBackend out;
        private final FlatWriter writer;
        private final Rings rings;
        private final String inName;
        private final String waitingFor;
        private final boolean block;
        private SlotBackend in;
        private FlatReader reader;

        Ring(SlotBackend out, Rings rings, String inName, boolean block) {
            this.out = out;
            this.writer = FlatWriter.reliable(out, PATIENCE);
            this.rings = rings;
            this.inName = inName;
            this.waitingFor = "sample on " + inName;
            this.block = block;
        }

        @Override
        public void connect() {
            in = rings.open(inName);
            reader = FlatReader.attach(in);
        }

        @Override
        public void send(long round, int size, boolean touch) {
            FlatWriter.Claim claim = writer.loan();
            Payload.write(claim.segment(), 0, round, size, touch);
            claim.commit(size);
        }

        @Override
        public long receive(int size, boolean touch) {
            Sample s = block ? reader.take(PATIENCE) : spin();
            if (s == null) {
                throw new IllegalStateException("no sample within " + PATIENCE + " on " + inName);
            }
            long round = Payload.read(s.segment(), 0, size, touch);
            s.release();
            return round;
        }

        private Sample spin() {
            Sample s;
            long n = 0;
            long start = 0;
            while ((s = reader.take()) == null) {
                start = Spin.idle(n++, start, waitingFor);
            }
            return s;
        }

        @Override
        public void close() {
            if (reader != null) {
                reader.close();
                in.close();
            }
            writer.close();
            out.close();
        }
    }
}
