package io.zerodds.flatdata.aeron;

import io.zerodds.flatdata.SlotBackend;

/** What a handshake tells about a ring: slot capacity, slot count and type hash ({@code null}: untyped). */
record RingDescription(int slotCapacity, int slotCount, byte[] typeHash) {

    static RingDescription of(SlotBackend backend) {
        return new RingDescription(backend.slotCapacity(), backend.slotCount(),
                backend.typeHash().orElse(null));
    }
}
