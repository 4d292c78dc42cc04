package io.zerodds.flatdata.reactor;

import io.zerodds.flatdata.SlotBackend;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Operators;

/**
 * The best-effort send of {@link MonoSend}: requests unbounded, writes what fits, drops and counts
 * the rest. It never waits: each element is written (reserve without waiting, encode in place,
 * commit) on the thread that delivers it, or dropped when the ring is full.
 */
final class BestEffortSend<T> extends MonoSend.SendSubscription<T> {

    // WIP serialises onNext against cancel: whoever takes it last frees the writer
    boolean done;
    volatile int terminated;
    @SuppressWarnings("rawtypes")
    static final AtomicIntegerFieldUpdater<BestEffortSend> TERMINATED =
            AtomicIntegerFieldUpdater.newUpdater(BestEffortSend.class, "terminated");

    BestEffortSend(CoreSubscriber<? super Void> actual, ReactiveFlatWriter writer, SlotEncoder<? super T> encoder) {
        super(actual, writer, encoder);
    }

    @Override
    public void onSubscribe(Subscription s) {
        Objects.requireNonNull(s, "onSubscribe");
        if (Operators.validate(upstream, s)) {
            upstream = s;
            if (cancelled != 0) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }
    }

    @Override
    public void onNext(T t) {
        Objects.requireNonNull(t, "onNext");
        if (done) {
            Operators.onNextDropped(t, actual.currentContext());
            return;
        }
        if (WIP.getAndIncrement(this) != 0) {
            Operators.onDiscard(t, actual.currentContext());
            return;
        }
        Throwable failure = null;
        try {
            writeOrDrop(t);
        } catch (Throwable e) {
            Exceptions.throwIfJvmFatal(e);
            failure = Operators.onOperatorError(upstream, e, t, actual.currentContext());
            done = true;
        }
        if (WIP.decrementAndGet(this) != 0 || failure != null) {
            if (terminate()) {
                Throwable e = failure != null ? failure : cancelled == MonoSend.BAD_REQUEST ? requestError : null;
                if (e != null) {
                    actual.onError(e);
                }
            }
        }
    }

    private void writeOrDrop(T t) {
        int slot = backend.reserveSlotNoWait(); // it drops, never waits: frees need not signal
        if (slot == SlotBackend.NO_FREE_SLOT) {
            writer.countDropped();
            backend.counters().recordRingFull();
            backend.counters().recordDropped();
            Operators.onDiscard(t, actual.currentContext());
            return;
        }
        int length;
        try {
            length = encode(t, slot);
        } catch (RuntimeException | Error e) {
            backend.discardSlot(slot);
            throw e;
        }
        backend.commitInPlace(slot, length);
        writer.countSent();
    }

    @Override
    public void onError(Throwable t) {
        Objects.requireNonNull(t, "onError");
        if (done) {
            Operators.onErrorDropped(t, actual.currentContext());
            return;
        }
        done = true;
        if (WIP.getAndIncrement(this) == 0 && terminate()) {
            actual.onError(t);
        }
    }

    @Override
    public void onComplete() {
        if (done) {
            return;
        }
        done = true;
        if (WIP.getAndIncrement(this) == 0) { // held from here on: no onNext or cancel writes again
            if (writer.endStreamOnComplete) {
                endStreamAndComplete();
            } else if (terminate()) {
                actual.onComplete();
            }
        }
    }

    @Override
    void ended(Throwable failure) {
        if (terminate()) {
            complete(failure);
        }
    }

    @Override
    void afterCancel() {
        if (WIP.getAndIncrement(this) == 0 && terminate() && cancelled == MonoSend.BAD_REQUEST) {
            actual.onError(requestError);
        }
    }

    private boolean terminate() {
        if (TERMINATED.compareAndSet(this, 0, 1)) {
            writer.unclaim();
            return true;
        }
        return false;
    }
}
