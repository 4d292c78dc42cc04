package io.zerodds.flatdata.bench;

import io.zerodds.flatdata.FlatReader;
import io.zerodds.flatdata.FlatWriter;
import java.lang.foreign.ValueLayout;
import org.HdrHistogram.Histogram;

/**
 * A ping-pong side through {@code FlatWriter}/{@code FlatReader} over any backend: the rounds of
 * {@link Latencies#pingEcho} and {@link Latencies#echo}, busy-spinning or (the {@code blocking}
 * variants) waiting event-driven in the backend.
 */
final class FlatSide implements PingPongSide {
    private final FlatReader reader;
    private final FlatWriter writer;
    private final int size;

    /** Takes over {@code reader} and {@code writer}: {@link #close()} closes both. */
    FlatSide(FlatReader reader, FlatWriter writer, int size) {
        this.reader = reader;
        this.writer = writer;
        this.size = size;
    }

    @Override
    public void ping(long first, int rounds, Histogram histogram) {
        Latencies.pingEcho(writer, reader, size, first, first + rounds, histogram, false);
    }

    /** {@link #ping}, each echo awaited in the backend's event-driven wait. */
    void pingBlocking(long first, long rounds, Histogram histogram) {
        Latencies.pingEcho(writer, reader, size, first, first + rounds, histogram, true);
    }

    @Override
    public void pong(long rounds) {
        for (long i = 0; i < rounds; i++) {
            Latencies.echo(reader, writer, size, false);
        }
    }

    /** {@link #pong}, each ping awaited in the backend's event-driven wait. */
    void pongBlocking(long rounds) {
        for (long i = 0; i < rounds; i++) {
            Latencies.echo(reader, writer, size, true);
        }
    }

    @Override
    public long local(long rounds) {
        long t0 = System.nanoTime();
        for (long i = 0; i < rounds; i++) {
            FlatWriter.Claim claim = writer.loan();
            claim.segment().set(ValueLayout.JAVA_LONG, 0, i);
            claim.commit(size);
            Latencies.spin(reader).release();
        }
        return (System.nanoTime() - t0) / Math.max(1, rounds);
    }

    @Override
    public void close() {
        reader.close();
        writer.close();
    }
}
