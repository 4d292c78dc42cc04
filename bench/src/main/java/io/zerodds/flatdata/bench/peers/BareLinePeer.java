package io.zerodds.flatdata.bench.peers;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The limit of busy-spinning: one cache line of a mapped {@code /dev/shm} file bounced between
 * the processes, each side's word in it a release store of the round (plus one) and the other
 * side's acquire loads; no payload, so it runs at the smallest size only and neither streams
 * (a word can hold one message) nor paces.
 */
final class BareLinePeer extends LimitPeer {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    BareLinePeer() {
        super("bare cache line (limit)", "line");
    }

    @Override
    Link link(Side side, MappedFile created, String file) {
        return new Line(created, file, side);
    }

    private static final class Line implements Link {
        private final MappedFile created;
        private final String name;
        private final long mine;
        private final long theirs;
        private MappedFile mapped;
        private MemorySegment line;
        private long seen;
        private final Patience patience;

        Line(MappedFile created, String name, Side side) {
            this.created = created;
            this.name = name;
            this.mine = side == Side.PING ? 0 : 8;
            this.theirs = 8 - mine;
            this.patience = new Patience("bare cache line (" + side.tag() + ")");
        }

        @Override
        public void connect() throws Exception {
            mapped = map(created, name);
            line = mapped.segment();
        }

        @Override
        public void send(long round, int size, boolean touch) {
            LONG.setRelease(line, mine, round + 1);
        }

        @Override
        public long receive(int size, boolean touch) {
            long v;
            long n = 0;
            while ((v = (long) LONG.getAcquire(line, theirs)) == seen) {
                n = patience.idle(n, "word on the bare line");
            }
            seen = v;
            return v - 1;
        }

        @Override
        public void close() throws Exception {
            mapped.close();
        }
    }
}
