package io.zerodds.flatdata.reactor;

import java.lang.foreign.MemorySegment;

/**
 * Writes one element straight into a loaned slot, with no intermediate copy: the zero-copy form of
 * {@link ReactiveFlatWriter#send(org.reactivestreams.Publisher, SlotEncoder)}.
 *
 * <pre>{@code
 * SlotEncoder<Tick> encoder = (tick, slot) -> {
 *     slot.set(ValueLayout.JAVA_LONG, 0, tick.id());
 *     slot.set(ValueLayout.JAVA_DOUBLE, 8, tick.price());
 *     return 16;
 * };
 * }</pre>
 *
 * @param <T> the element type
 */
@FunctionalInterface
public interface SlotEncoder<T> {

    /**
     * Encodes {@code element} into {@code slot} (writable, {@code slotCapacity} bytes) and returns
     * how many bytes to publish, 1..slotCapacity. Keep no reference to {@code slot}: it is valid
     * only during this call. A thrown exception discards the slot (nothing is published) and fails
     * the send.
     */
    int encode(T element, MemorySegment slot);
}
