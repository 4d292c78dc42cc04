package io.zerodds.flatdata.bench;

import io.zerodds.flatdata.SlotBackend;
import java.lang.foreign.ValueLayout;
import org.HdrHistogram.Histogram;

/**
 * A ping-pong side on the {@link SlotBackend} calls alone, without {@code FlatWriter} and
 * {@code FlatReader}: reserve (one slot ahead, as {@code FlatWriter} loans), write in place,
 * commit in place; take the next sequence, read in place, mark read. Between the backend's
 * blocks through {@code FlatWriter}/{@code FlatReader} and the FFM calls alone
 * ({@link FfmIceoryx2Side}), it shows which layer a hop's cost is in.
 */
final class BackendApiSide implements PingPongSide {
    private final SlotBackend in;
    private final SlotBackend out;
    private final int size;
    private final int reader;
    private long expected;
    private int ahead = SlotBackend.NO_FREE_SLOT;

    BackendApiSide(SlotBackend in, SlotBackend out, int size) {
        this.in = in;
        this.out = out;
        this.size = size;
        this.reader = in.attachReader();
        this.expected = in.readerStartSequence(reader);
    }

    private void send(long value) {
        int slot = ahead;
        long n = 0;
        while (slot == SlotBackend.NO_FREE_SLOT) {
            slot = out.reserveSlotNoWait();
            n = BusyWait.idle(n, "free slot");
        }
        out.slotDataPtr(slot).set(ValueLayout.JAVA_LONG, 0, value);
        out.commitInPlace(slot, size);
        ahead = out.reserveSlotNoWait();
    }

    private int take() {
        int slot;
        long n = 0;
        while ((slot = in.nextUnreadSlot(reader, expected)) == SlotBackend.NO_SLOT) {
            n = BusyWait.idle(n, "sample");
        }
        expected++;
        return slot;
    }

    @Override
    public void ping(long first, int rounds, Histogram histogram) {
        for (long round = first; round < first + rounds; round++) {
            long t0 = System.nanoTime();
            send(round);
            int slot = take();
            long echoed = in.slotReadPtr(slot).get(ValueLayout.JAVA_LONG, 0);
            long t1 = System.nanoTime();
            in.markRead(slot, reader);
            histogram.recordValue((t1 - t0) / 2);
            if (echoed != round) {
                throw new IllegalStateException("round " + round + " echoed " + echoed);
            }
        }
    }

    @Override
    public void pong(long rounds) {
        for (long i = 0; i < rounds; i++) {
            int slot = take();
            send(in.slotReadPtr(slot).get(ValueLayout.JAVA_LONG, 0));
            in.markRead(slot, reader);
        }
    }

    @Override
    public long local(long rounds) {
        long t0 = System.nanoTime();
        for (long round = 0; round < rounds; round++) {
            send(round);
            int slot = take();
            long back = in.slotReadPtr(slot).get(ValueLayout.JAVA_LONG, 0);
            in.markRead(slot, reader);
            if (back != round) {
                throw new IllegalStateException("round " + round + " came back as " + back);
            }
        }
        return (System.nanoTime() - t0) / Math.max(1, rounds);
    }

    @Override
    public void close() {
        if (ahead != SlotBackend.NO_FREE_SLOT) {
            out.discardSlot(ahead);
            ahead = SlotBackend.NO_FREE_SLOT;
        }
        in.detachReader(reader);
    }
}
