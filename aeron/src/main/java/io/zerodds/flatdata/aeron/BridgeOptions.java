package io.zerodds.flatdata.aeron;

import io.aeron.driver.MediaDriver;

import java.util.Objects;
import java.util.function.Consumer;

/** The settings both ends share: channels, streams, reliability, listener and driver. */
final class BridgeOptions {

    static final int DEFAULT_STREAM_ID = 1001;
    static final int DEFAULT_CONTROL_STREAM_ID = 1002;

    String dataChannel;
    String controlChannel;
    int streamId = DEFAULT_STREAM_ID;
    int controlStreamId = DEFAULT_CONTROL_STREAM_ID;
    Reliability reliability = Reliability.RELIABLE;
    BridgeListener listener = new BridgeListener() { };
    String aeronDirectory;
    Consumer<MediaDriver.Context> driverConfig;

    void check() {
        Objects.requireNonNull(dataChannel, "dataChannel");
        Objects.requireNonNull(controlChannel, "controlChannel");
        if (!dataChannel.startsWith("aeron:")) {
            throw new IllegalArgumentException("dataChannel=" + dataChannel + " is not an Aeron channel (aeron:udp?endpoint=host:port)");
        }
        if (!controlChannel.startsWith("aeron:")) {
            throw new IllegalArgumentException("controlChannel=" + controlChannel + " is not an Aeron channel (aeron:udp?endpoint=host:port)");
        }
        if (dataChannel.equals(controlChannel) && streamId == controlStreamId) {
            throw new IllegalArgumentException("data and control share channel " + dataChannel
                    + " and stream " + streamId + ": give the control stream another stream id or channel");
        }
    }

    static String udp(String endpoint) {
        return endpoint.startsWith("aeron:") ? endpoint : "aeron:udp?endpoint=" + endpoint;
    }
}
