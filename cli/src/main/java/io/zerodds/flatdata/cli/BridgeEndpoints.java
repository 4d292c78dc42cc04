package io.zerodds.flatdata.cli;

import java.util.regex.Pattern;

/** The bridge commands' CHANNEL and --control values, checked before anything is opened. */
final class BridgeEndpoints {
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[^:\\s\\[\\]]+):(\\d{1,5})");

    private BridgeEndpoints() {
    }

    /**
     * {@code value} if it is {@code host:port} (port 1 to 65535) or a full Aeron channel
     * ({@code aeron:udp?endpoint=...}); else a usage failure naming {@code what} and the value.
     */
    static String check(String what, String value) {
        if (value.startsWith("aeron:udp?")) {
            return value;
        }
        var m = HOST_PORT.matcher(value);
        if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
            throw new CliFailure(ExitCode.USAGE, what + "=" + value
                    + " is not host:port (a port from 1 to 65535) or an aeron:udp?endpoint=... channel");
        }
        return value;
    }
}
