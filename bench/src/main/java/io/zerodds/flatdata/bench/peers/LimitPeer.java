package io.zerodds.flatdata.bench.peers;

import java.io.IOException;

/**
 * A limit to measure against rather than a system: one page of a mapped {@code /dev/shm} file
 * that the PING process creates and both processes share, carrying one word per direction; so it
 * runs at the smallest size only and neither streams (a word holds one message) nor paces.
 */
abstract class LimitPeer implements Peer {
    /** The shared file's size: one page. */
    static final long SIZE = 4096;

    private final String name;
    private final String suffix;

    LimitPeer(String name, String suffix) {
        this.name = name;
        this.suffix = suffix;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final boolean carries(int size) {
        return size <= Sizes.SMALLEST;
    }

    @Override
    public final boolean streams() {
        return false;
    }

    @Override
    public final Link open(Side side, String tag, int maxSize) throws IOException {
        String file = tag + "-" + suffix;
        return link(side, side == Side.PING ? MappedFile.create(file, SIZE) : null, file);
    }

    /** This side's end over the shared {@code file}, which {@code created} is when this side made it. */
    abstract Link link(Side side, MappedFile created, String file);

    /** The shared file: the one this side created, else the other side's, mapped now. */
    static MappedFile map(MappedFile created, String file) throws IOException {
        return created != null ? created : MappedFile.open(file, SIZE);
    }
}
