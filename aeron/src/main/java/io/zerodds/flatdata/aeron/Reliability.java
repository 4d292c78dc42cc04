package io.zerodds.flatdata.aeron;

/** How a bridge treats a sample it cannot pass on at once. */
public enum Reliability {
    /**
     * Nothing is dropped: the bridge retries back-pressured offers and keeps its local reader
     * (and every sample not yet acknowledged) where it is; the receiver reads from Aeron only
     * while its ring has a free slot. A full remote ring so slows the local writer, if that writer
     * is reliable.
     */
    RELIABLE,
    /**
     * The bridge offers each sample once and drops (and counts) one Aeron does not take; a
     * receiver drops (and counts) a sample its full ring has no slot for. Receivers report the
     * resulting sequence gaps.
     */
    BEST_EFFORT
}
