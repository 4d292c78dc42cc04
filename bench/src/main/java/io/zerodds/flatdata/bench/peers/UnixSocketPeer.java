package io.zerodds.flatdata.bench.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Unix domain sockets, what a reactor-netty service on one host would use: one stream socket
 * between the processes ({@link SocketChannel} over a {@link UnixDomainSocketAddress}), blocking.
 * The sender writes the payload into a direct buffer and writes it out; the receiver reads the
 * message whole into its own buffer and reads it there: two copies through the kernel per hop.
 */
final class UnixSocketPeer implements Peer {

    @Override
    public String name() {
        return "Unix domain socket";
    }

    @Override
    public Link open(Side side, String tag, int maxSize) throws IOException {
        Path path = Path.of(System.getProperty("java.io.tmpdir"), tag + ".sock");
        ServerSocketChannel server = null;
        if (side == Side.PING) {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
        }
        return new Socket(server, path, maxSize);
    }

    private static final class Socket implements Link {
        private final ServerSocketChannel server;
        private final Path path;
        private final ByteBuffer out;
        private final ByteBuffer in;
        private SocketChannel channel;

        Socket(ServerSocketChannel server, Path path, int maxSize) {
            this.server = server;
            this.path = path;
            this.out = ByteBuffer.allocateDirect(maxSize).order(ByteOrder.nativeOrder());
            this.in = ByteBuffer.allocateDirect(maxSize).order(ByteOrder.nativeOrder());
        }

        @Override
        public void connect() throws IOException {
            channel = server != null ? server.accept() : SocketChannel.open(UnixDomainSocketAddress.of(path));
        }

        @Override
        public void send(long round, int size, boolean touch) {
            out.clear();
            Payload.write(out, round, size, touch);
            out.limit(size);
            try {
                while (out.hasRemaining()) {
                    channel.write(out);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("write to " + path, e);
            }
        }

        @Override
        public long receive(int size, boolean touch) {
            in.clear().limit(size);
            try {
                while (in.hasRemaining()) {
                    if (channel.read(in) < 0) {
                        throw new IllegalStateException("the other process closed " + path);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("read from " + path, e);
            }
            in.flip();
            return Payload.read(in, size, touch);
        }

        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
            if (server != null) {
                server.close();
                Files.deleteIfExists(path);
            }
        }
    }
}
