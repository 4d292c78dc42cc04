package io.zerodds.flatdata.bench;

import io.aeron.driver.MediaDriver;

/**
 * The far end of the bridge benchmark, a process of its own (in the second network namespace when
 * there is one): {@code BridgePeer aeron|bridge SIZE DATA DATA_CONTROL BACK BACK_CONTROL} echoes
 * every message tagged {@link BridgePath#REPLY} back, whole, and stops at one tagged
 * {@link BridgePath#STOP}. Prints {@code ready} once both directions are connected.
 */
public final class BridgePeer {
    private BridgePeer() {
    }

    public static void main(String[] args) {
        String kind = args[0];
        int size = Integer.parseInt(args[1]);
        BridgePath.Endpoints at = BridgePath.Endpoints.of(args, 2);
        try (MediaDriver driver = BridgePath.driver()) {
            String dir = driver.aeronDirectoryName();
            switch (kind) {
                case "aeron" -> {
                    try (var path = new BridgePath.Plain(dir, BridgePath.udp(at.back()), BridgePath.BACK_STREAM,
                            BridgePath.udp(at.data()), BridgePath.DATA_STREAM, size)) {
                        path.awaitConnected();
                        System.out.println("ready");
                        while (!path.echoOnce()) {
                            // echoing
                        }
                    }
                }
                case "bridge" -> {
                    // receives on data (its bridge listens on dataControl), bridges back to back
                    try (var path = new BridgePath.Bridged(dir, at.back(), at.backControl(), at.data(), at.dataControl(),
                            BridgeBenchmark.slots(size), size)) {
                        path.awaitConnected();
                        System.out.println("ready");
                        while (!path.echoOnce()) {
                            // echoing
                        }
                    }
                }
                default -> throw new IllegalArgumentException("kind=" + kind + " is neither aeron nor bridge");
            }
        }
        System.out.println("stopped");
    }
}
