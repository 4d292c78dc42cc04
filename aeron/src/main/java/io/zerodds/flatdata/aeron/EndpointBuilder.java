package io.zerodds.flatdata.aeron;

import io.aeron.driver.MediaDriver;
import io.zerodds.flatdata.SlotBackend;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The settings a bridge and a receiver share: the data channel (where the receiver listens), the
 * control channel (where the bridge listens, for JOIN and acknowledgements), their stream ids,
 * reliability, listener and media driver. Channels are Aeron channels or just {@code host:port}.
 *
 * @param <B> the builder itself
 */
public abstract class EndpointBuilder<B extends EndpointBuilder<B>> {
    final SlotBackend backend;
    final BridgeOptions options = new BridgeOptions();

    EndpointBuilder(SlotBackend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The channel the receiver listens on ({@code aeron:udp?endpoint=receiverHost:port}, or just {@code host:port}). */
    public B dataChannel(String channel) {
        options.dataChannel = BridgeOptions.udp(Objects.requireNonNull(channel, "channel"));
        return self();
    }

    /** The channel the bridge listens on, for the receiver's JOIN and acknowledgements. */
    public B controlChannel(String channel) {
        options.controlChannel = BridgeOptions.udp(Objects.requireNonNull(channel, "channel"));
        return self();
    }

    /** The data stream id (1001). */
    public B streamId(int streamId) {
        options.streamId = streamId;
        return self();
    }

    /** The control stream id (1002). */
    public B controlStreamId(int streamId) {
        options.controlStreamId = streamId;
        return self();
    }

    /** {@link Reliability#RELIABLE} (the default) or best effort. */
    public B reliability(Reliability reliability) {
        options.reliability = Objects.requireNonNull(reliability, "reliability");
        return self();
    }

    /** Told of gaps, joins, losses and failures. */
    public B listener(BridgeListener listener) {
        options.listener = Objects.requireNonNull(listener, "listener");
        return self();
    }

    /** Uses the media driver running in {@code directory} instead of an embedded one. */
    public B aeronDirectory(String directory) {
        options.aeronDirectory = Objects.requireNonNull(directory, "directory");
        return self();
    }

    /** Adjusts the embedded media driver's context before it launches (term length, loss generators, ...). */
    public B driver(Consumer<MediaDriver.Context> config) {
        options.driverConfig = Objects.requireNonNull(config, "config");
        return self();
    }
}
