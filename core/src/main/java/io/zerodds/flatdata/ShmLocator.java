package io.zerodds.flatdata;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The ZeroDDS discovery locator of a shared-memory segment ({@code PID_SHM_LOCATOR}, 0x8001 in
 * the SEDP sample): what a reader on the same host needs to attach to a writer's segment. The
 * bytes are those of the reference crate's {@code ShmLocator::to_bytes_le}, little-endian:
 *
 * <pre>
 * 0x00 u32 hostname hash (FNV-1a 32 of the host name)
 * 0x04 u32 uid of the writer process
 * 0x08 u32 slot count
 * 0x0C u32 slot size (header + capacity + padding: slotTotalSize)
 * 0x10 u32 length of the segment path + 1, then the UTF-8 path, a 0 byte, 0 bytes to a multiple of 4
 * </pre>
 *
 * @param hostnameHash FNV-1a 32 of the writer's host name ({@link #fnv1a32(byte[])})
 * @param uid          POSIX uid of the writer process
 * @param slotCount    slots in the segment
 * @param slotSize     bytes per slot, header and padding included
 * @param segmentPath  what the reader opens: a flink file path or a segment name, at most 256 bytes
 */
public record ShmLocator(int hostnameHash, int uid, int slotCount, int slotSize, String segmentPath) {

    /** The PID of the locator in a ZeroDDS discovery sample. */
    public static final int PID_SHM_LOCATOR = 0x8001;
    /** The longest segment path, in UTF-8 bytes (the reference's cap against oversized input). */
    public static final int MAX_PATH_BYTES = 256;

    public ShmLocator {
        Objects.requireNonNull(segmentPath, "segmentPath");
        int length = segmentPath.getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_PATH_BYTES) {
            throw new IllegalArgumentException("segment path of " + length + " bytes exceeds " + MAX_PATH_BYTES);
        }
    }

    /** A locator for this host: the hash of {@code hostname}, the given uid and geometry. */
    public static ShmLocator of(String hostname, int uid, int slotCount, int slotSize, String segmentPath) {
        return new ShmLocator(fnv1a32(hostname.getBytes(StandardCharsets.UTF_8)), uid, slotCount, slotSize,
                segmentPath);
    }

    /** The wire bytes, as the reference encodes them. */
    public byte[] encode() {
        byte[] path = segmentPath.getBytes(StandardCharsets.UTF_8);
        int length = 20 + path.length + 1;
        ByteBuffer out = ByteBuffer.allocate((length + 3) & ~3).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(hostnameHash).putInt(uid).putInt(slotCount).putInt(slotSize).putInt(path.length + 1).put(path);
        return out.array();
    }

    /**
     * Decodes the wire bytes, accepting what the reference accepts (a path without its 0 byte,
     * trailing bytes after it) and refusing what it refuses.
     *
     * @throws IllegalArgumentException naming the problem: fewer than 20 bytes, a path length
     *                                  over 257 or beyond the buffer, a path that is not UTF-8
     */
    public static ShmLocator decode(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length < 20) {
            throw new IllegalArgumentException("ShmLocator of " + bytes.length + " bytes: the header needs 20");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int hostnameHash = in.getInt(0);
        int uid = in.getInt(4);
        int slotCount = in.getInt(8);
        int slotSize = in.getInt(12);
        long stringLength = Integer.toUnsignedLong(in.getInt(16));
        if (stringLength > MAX_PATH_BYTES + 1) {
            throw new IllegalArgumentException("ShmLocator path length " + stringLength + " exceeds "
                    + (MAX_PATH_BYTES + 1));
        }
        if (20 + stringLength > bytes.length) {
            throw new IllegalArgumentException("ShmLocator path length " + stringLength + " runs past the "
                    + bytes.length + "-byte buffer");
        }
        int n = (int) stringLength;
        if (n > 0 && bytes[20 + n - 1] == 0) {
            n--;
        }
        String path;
        try {
            path = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 20, n)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("ShmLocator segment path is not UTF-8", e);
        }
        return new ShmLocator(hostnameHash, uid, slotCount, slotSize, path);
    }

    /** FNV-1a, 32 bits, as the reference hashes host names. */
    public static int fnv1a32(byte[] bytes) {
        int h = 0x811c9dc5;
        for (byte b : bytes) {
            h ^= b & 0xFF;
            h *= 0x01000193;
        }
        return h;
    }

    /** True when the locator was made on a host of this name by this uid: the segment can be mapped. */
    public boolean isSameHost(String hostname, int localUid) {
        return fnv1a32(hostname.getBytes(StandardCharsets.UTF_8)) == hostnameHash && localUid == uid;
    }
}
