package io.zerodds.flatdata.micrometer;

import io.micrometer.observation.Observation;

/** What a {@code flatdata.receive} observation knows: the ring, its backend and the reader index. */
public final class FlatReceiveContext extends Observation.Context {
    private final String ring;
    private final String backend;
    private final int reader;

    FlatReceiveContext(String ring, String backend, int reader) {
        this.ring = ring;
        this.backend = backend;
        this.reader = reader;
    }

    /** The ring's name. */
    public String ring() {
        return ring;
    }

    /** {@code in-memory}, {@code posix} or {@code iceoryx2}. */
    public String backend() {
        return backend;
    }

    /** The reader index the subscription reads with. */
    public int reader() {
        return reader;
    }
}
