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
 * process writes to rings of its own (one per size, slots sized for it) and reads the other's.
 *
 * <p>Busy-spinning, the writer spins on a full ring too (a best-effort loan, retried, so nothing
 * is dropped); with the futex wait it is a reliable writer, blocking in the backend's wait. A
 * received sample is held until this side's next send or receive and released then, after the
 * reply is committed, as the API allows: marking a slot read is an atomic on a line the other
 * side's writer owns, and a reply need not wait for it.
 */
final class FlatdataPeer implements Peer {
    private static final Duration PATIENCE = Patience.LIMIT;

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
        return new Ring(rings, base + side.tag(), base + side.other().tag(), block,
                new Patience(name + " (" + side.tag() + ")"));
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

    /** One ring per size each way, slots sized for the sample as a user would size them. */
    private static final class Ring implements Link {
        private final SlotBackend[] out;
        private final FlatWriter[] writers;
        private final Rings rings;
        private final String inName;
        private final String waitingFor;
        private final String waitingForSlot;
        private final boolean block;
        private final Patience patience;
        private final SlotBackend[] in = new SlotBackend[Sizes.ALL.length];
        private final FlatReader[] readers = new FlatReader[Sizes.ALL.length];
        /** The sample received last, released after the next send or at the next receive. */
        private Sample held;

        Ring(Rings rings, String outName, String inName, boolean block, Patience patience) {
            this.out = new SlotBackend[Sizes.ALL.length];
            this.writers = new FlatWriter[Sizes.ALL.length];
            for (int i = 0; i < Sizes.ALL.length; i++) {
                int size = Sizes.ALL[i];
                out[i] = rings.create(outName + "-" + size, Rings.slots(size), size);
                writers[i] = block ? FlatWriter.reliable(out[i], PATIENCE) : FlatWriter.bestEffort(out[i]);
            }
            this.rings = rings;
            this.inName = inName;
            this.waitingFor = "sample on " + inName;
            this.waitingForSlot = "free slot on " + outName;
            this.block = block;
            this.patience = patience;
        }

        @Override
        public void connect() {
            for (int i = 0; i < Sizes.ALL.length; i++) {
                in[i] = rings.open(inName + "-" + Sizes.ALL[i]);
                readers[i] = FlatReader.attach(in[i]);
            }
        }

        @Override
        public void send(long round, int size, boolean touch) {
            FlatWriter writer = writers[Sizes.index(size)];
            FlatWriter.Claim claim = writer.loan();
            if (claim == null) {
                claim = spinLoan(writer);
            }
            Payload.write(claim.segment(), 0, round, size, touch);
            claim.commit(size);
            releaseHeld();
        }

        private FlatWriter.Claim spinLoan(FlatWriter writer) {
            FlatWriter.Claim claim;
            long n = 0;
            while ((claim = writer.loan()) == null) {
                n = patience.idle(n, waitingForSlot);
            }
            return claim;
        }

        private void releaseHeld() {
            Sample s = held;
            if (s != null) {
                held = null;
                s.release();
            }
        }

        @Override
        public long receive(int size, boolean touch) {
            releaseHeld();
            FlatReader reader = readers[Sizes.index(size)];
            Sample s = block ? reader.take(PATIENCE) : spin(reader);
            if (s == null) {
                throw new IllegalStateException("no sample within " + PATIENCE + " on " + inName + "-" + size);
            }
            long round = Payload.read(s.segment(), 0, size, touch);
            held = s;
            return round;
        }

        private Sample spin(FlatReader reader) {
            Sample s;
            long n = 0;
            while ((s = reader.take()) == null) {
                n = patience.idle(n, waitingFor);
            }
            return s;
        }

        @Override
        public void close() {
            releaseHeld();
            for (int i = 0; i < Sizes.ALL.length; i++) {
                if (readers[i] != null) {
                    readers[i].close();
                    in[i].close();
                }
                writers[i].close();
                out[i].close();
            }
        }
    }
}
