package io.zerodds.flatdata.aeron;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The wire format of a bridge, one place. Every message starts with a 16-byte header, little
 * endian: {@code i64 sequence, i32 length, i32 flags} (the layout of iceoryx2's
 * {@code FlatdataHeader}); {@code length} counts the bytes after the header, the low byte of
 * {@code flags} is the message kind.
 *
 * <pre>
 * data stream, bridge to receiver
 *   HELLO   sequence = the first sequence the bridge sends next (its resume point)
 *           payload  i32 version, i32 slotCapacity, i32 slotCount, i32 hasType, u8[16] typeHash,
 *                    i64 receiverInstance (the JOIN it answers)
 *   DATA    sequence = the sample's sequence in the bridged ring, payload = the sample
 *   END     sequence = the end-of-stream sequence: no sample at or past it follows
 *   REJECT  payload  i64 receiverInstance, UTF-8 reason
 * control stream, receiver to bridge
 *   JOIN    sequence = the next sequence this receiver expects, -1 when it has no expectation
 *           payload  i32 version, i32 slotCapacity, i32 slotCount, i32 hasType, u8[16] typeHash,
 *                    i64 receiverInstance (random per receiver start)
 *   ACK     sequence = every sample below it is committed into the receiver's ring
 *           payload  i64 receiverInstance
 *   REJECT  payload  i64 receiverInstance, UTF-8 reason
 * </pre>
 */
final class BridgeProtocol {

    static final int VERSION = 1;
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    static final int HEADER = 16;
    static final int SEQUENCE_OFFSET = 0;
    static final int LENGTH_OFFSET = 8;
    static final int FLAGS_OFFSET = 12;

    static final int HELLO = 1;
    static final int DATA = 2;
    static final int END = 3;
    static final int REJECT = 4;
    static final int JOIN = 5;
    static final int ACK = 6;

    /** Payload of HELLO and JOIN: version, capacity, count, hasType, hash, instance. */
    static final int DESCRIPTION = 4 + 4 + 4 + 4 + 16 + 8;
    static final int D_VERSION = HEADER;
    static final int D_CAPACITY = HEADER + 4;
    static final int D_COUNT = HEADER + 8;
    static final int D_HAS_TYPE = HEADER + 12;
    static final int D_HASH = HEADER + 16;
    static final int D_INSTANCE = HEADER + 32;

    /** The largest REJECT reason sent, in bytes. */
    static final int MAX_REASON = 512;

    private BridgeProtocol() {
    }

    static void putHeader(MutableDirectBuffer buffer, long sequence, int length, int kind) {
        buffer.putLong(SEQUENCE_OFFSET, sequence, ORDER);
        buffer.putInt(LENGTH_OFFSET, length, ORDER);
        buffer.putInt(FLAGS_OFFSET, kind, ORDER);
    }

    static long sequence(DirectBuffer buffer, int offset) {
        return buffer.getLong(offset + SEQUENCE_OFFSET, ORDER);
    }

    static int length(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset + LENGTH_OFFSET, ORDER);
    }

    static int kind(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset + FLAGS_OFFSET, ORDER) & 0xFF;
    }

    /** Writes a HELLO or JOIN; returns its total length. */
    static int putDescription(MutableDirectBuffer buffer, int kind, long sequence, RingDescription ring,
                              long instance) {
        putHeader(buffer, sequence, DESCRIPTION, kind);
        buffer.putInt(D_VERSION, VERSION, ORDER);
        buffer.putInt(D_CAPACITY, ring.slotCapacity(), ORDER);
        buffer.putInt(D_COUNT, ring.slotCount(), ORDER);
        buffer.putInt(D_HAS_TYPE, ring.typeHash() == null ? 0 : 1, ORDER);
        byte[] hash = ring.typeHash() == null ? new byte[16] : ring.typeHash();
        buffer.putBytes(D_HASH, hash, 0, 16);
        buffer.putLong(D_INSTANCE, instance, ORDER);
        return HEADER + DESCRIPTION;
    }

    /** Reads the ring description of a HELLO or JOIN; checks version and length. */
    static RingDescription description(DirectBuffer buffer, int offset, int length, String what) {
        if (length < HEADER + DESCRIPTION) {
            throw new BridgeProtocolException(what + " of " + length + " bytes is shorter than "
                    + (HEADER + DESCRIPTION));
        }
        int version = buffer.getInt(offset + D_VERSION, ORDER);
        if (version != VERSION) {
            throw new BridgeProtocolException(what + " has protocol version " + version + ", expected " + VERSION);
        }
        byte[] hash = null;
        if (buffer.getInt(offset + D_HAS_TYPE, ORDER) != 0) {
            hash = new byte[16];
            buffer.getBytes(offset + D_HASH, hash);
        }
        return new RingDescription(buffer.getInt(offset + D_CAPACITY, ORDER),
                buffer.getInt(offset + D_COUNT, ORDER), hash);
    }

    static long instance(DirectBuffer buffer, int offset) {
        return buffer.getLong(offset + D_INSTANCE, ORDER);
    }

    /** Writes a REJECT; returns its total length. */
    static int putReject(MutableDirectBuffer buffer, long instance, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, MAX_REASON);
        putHeader(buffer, -1, 8 + n, REJECT);
        buffer.putLong(HEADER, instance, ORDER);
        buffer.putBytes(HEADER + 8, text, 0, n);
        return HEADER + 8 + n;
    }

    static String rejectReason(DirectBuffer buffer, int offset, int length) {
        int n = Math.max(0, length - HEADER - 8);
        byte[] text = new byte[n];
        buffer.getBytes(offset + HEADER + 8, text);
        return new String(text, StandardCharsets.UTF_8);
    }

    static long rejectInstance(DirectBuffer buffer, int offset) {
        return buffer.getLong(offset + HEADER, ORDER);
    }

    /**
     * Why a receiver's ring cannot take the bridged ring's samples, or {@code null} when it can:
     * the type hashes must be equal (or both absent) and the receiver's slots at least as large.
     */
    static String mismatch(RingDescription bridged, RingDescription receiving) {
        if (!Arrays.equals(bridged.typeHash(), receiving.typeHash())) {
            return "type hash mismatch: the bridged ring carries " + hex(bridged.typeHash())
                    + ", the receiving ring " + hex(receiving.typeHash());
        }
        if (receiving.slotCapacity() < bridged.slotCapacity()) {
            return "slot capacity mismatch: the bridged ring has slots of " + bridged.slotCapacity()
                    + " bytes, the receiving ring of only " + receiving.slotCapacity() + " bytes";
        }
        return null;
    }

    static String hex(byte[] hash) {
        return hash == null ? "no type" : HexFormat.of().formatHex(hash);
    }
}
