package io.zerodds.flatdata;

/**
 * A slot was used in a state that does not allow the call: committing or discarding a slot that
 * is not loaned, committing twice, committing after a discard.
 */
public final class SlotStateException extends IllegalStateException {
    public SlotStateException(String message) {
        super(message);
    }
}
