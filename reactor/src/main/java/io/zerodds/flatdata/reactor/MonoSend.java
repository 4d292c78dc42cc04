package io.zerodds.flatdata.reactor;

import io.zerodds.flatdata.BackendClosedException;
import io.zerodds.flatdata.SampleChecks;
import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.WriterWaitEvent;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.concurrent.locks.LockSupport;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;
import reactor.util.context.Context;

/**
 * The {@code Mono<Void>} of {@link ReactiveFlatWriter#send}: claims the writer, subscribes upstream
 * with the reliable send ({@link ReliableSend}, here: loans, demand as free slots, the wait for a
 * freed slot) or the best-effort one ({@link BestEffortSend}, a file of its own: writes what fits,
 * drops the rest); both share {@link SendSubscription}.
 */
final class MonoSend<T> extends Mono<Void> {

    /** How a send was cancelled: by its subscriber, or by a request(n <= 0) that fails it. */
    static final int CANCELLED = 1;
    static final int BAD_REQUEST = 2;

    /** Longest single wait for a free slot: reserveSlot re-checks for dead readers this often. */
    static final long WAIT_SLICE_NANOS = 100_000_000L;

    final ReactiveFlatWriter writer;
    final Publisher<T> source;
    final SlotEncoder<? super T> encoder;

    MonoSend(ReactiveFlatWriter writer, Publisher<T> source, SlotEncoder<? super T> encoder) {
        this.writer = writer;
        this.source = source;
        this.encoder = encoder;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
        if (!writer.claim()) {
            Operators.error(actual, new IllegalStateException(writer + " is busy with another send: a ring has "
                    + "one writer, so sends run one at a time (concat them)"));
            return;
        }
        if (writer.backend.isClosed()) {
            writer.unclaim();
            Operators.error(actual, new BackendClosedException(writer.backend.toString()));
            return;
        }
        SendSubscription<T> send = writer.reliable ? new ReliableSend<>(actual, writer, encoder)
                : new BestEffortSend<>(actual, writer, encoder);
        try {
            actual.onSubscribe(send);
        } catch (Throwable t) {
            // the subscriber broke rule 2.13; free the writer for the next send, then report it
            send.cancel();
            throw t;
        }
        try {
            source.subscribe(send);
        } catch (Throwable t) {
            // a publisher that throws from subscribe: fail this send, free the writer
            Exceptions.throwIfJvmFatal(t);
            send.onError(Operators.onOperatorError(t, actual.currentContext()));
        }
    }

    /**
     * What both sends share: the subscriber downstream, the writer and its ring, the subscription
     * upstream, a work-in-progress counter, and cancellation, which a request(n <= 0) also causes
     * (it then fails the send, rule 3.9; after a cancel it is a no-op, rule 3.6).
     */
    abstract static class SendSubscription<T> implements CoreSubscriber<T>, Subscription {

        final CoreSubscriber<? super Void> actual;
        final ReactiveFlatWriter writer;
        final SlotBackend backend;
        final SlotEncoder<? super T> encoder;
        final int capacity;

        volatile Subscription upstream;

        volatile int wip;
        @SuppressWarnings("rawtypes")
        static final AtomicIntegerFieldUpdater<SendSubscription> WIP =
                AtomicIntegerFieldUpdater.newUpdater(SendSubscription.class, "wip");

        /** 0, or how the send was cancelled: {@link #CANCELLED} or {@link #BAD_REQUEST}; set once. */
        volatile int cancelled;
        @SuppressWarnings("rawtypes")
        static final AtomicIntegerFieldUpdater<SendSubscription> CANCEL =
                AtomicIntegerFieldUpdater.newUpdater(SendSubscription.class, "cancelled");
        /** Why a request(n <= 0) failed the send; read once cancelled is BAD_REQUEST. */
        volatile Throwable requestError;
        @SuppressWarnings("rawtypes")
        static final AtomicReferenceFieldUpdater<SendSubscription, Throwable> REQUEST_ERROR =
                AtomicReferenceFieldUpdater.newUpdater(SendSubscription.class, Throwable.class, "requestError");

        SendSubscription(CoreSubscriber<? super Void> actual, ReactiveFlatWriter writer,
                SlotEncoder<? super T> encoder) {
            this.actual = actual;
            this.writer = writer;
            this.backend = writer.backend;
            this.encoder = encoder;
            this.capacity = backend.slotCapacity();
        }

        @Override
        public final Context currentContext() {
            return actual.currentContext();
        }

        /** Mono<Void>: there is nothing to deliver but a terminal signal. */
        @Override
        public final void request(long n) {
            if (n <= 0) {
                REQUEST_ERROR.compareAndSet(this, null, Exceptions.nullOrNegativeRequestException(n));
                cancel(BAD_REQUEST);
            }
        }

        @Override
        public final void cancel() {
            cancel(CANCELLED);
        }

        private void cancel(int how) {
            if (!CANCEL.compareAndSet(this, 0, how)) {
                return;
            }
            Subscription s = upstream;
            if (s != null) {
                s.cancel();
            }
            afterCancel();
        }

        /** After the cancel (or bad request) took effect: stop, free the writer, signal a bad request. */
        abstract void afterCancel();

        /** Lets the encoder write {@code t} into the loaned slot; the sample length it returns, checked. */
        final int encode(T t, int slot) {
            return SampleChecks.checkLength(encoder.encode(t, backend.slotDataPtr(slot)), capacity);
        }

        /**
         * Ends the ring's stream, then {@link #ended} with why that failed, or {@code null}. The end
         * marker may wait for a chunk (the iceoryx2 backend's, while readers hold every chunk), so
         * on one of Reactor's threads that must not block this runs on
         * {@code Schedulers.boundedElastic()} instead. The caller has stopped every other use of the
         * backend by this send.
         */
        final void endStreamAndComplete() {
            if (Schedulers.isInNonBlockingThread()) {
                try {
                    Schedulers.boundedElastic().schedule(this::sendEndOfStream);
                    return;
                } catch (RejectedExecutionException disposed) {
                    // no worker to hand it to: end the stream on this thread
                }
            }
            sendEndOfStream();
        }

        private void sendEndOfStream() {
            Throwable failure = null;
            try {
                backend.markEndOfStream();
            } catch (Throwable e) {
                Exceptions.throwIfJvmFatal(e);
                failure = e;
            }
            ended(failure);
        }

        /** After {@link #endStreamAndComplete()}: free the writer, then {@link #complete} with {@code failure}. */
        abstract void ended(Throwable failure);

        /** Completes downstream, or fails it with {@code failure} when there is one. */
        final void complete(Throwable failure) {
            if (failure != null) {
                actual.onError(failure);
            } else {
                actual.onComplete();
            }
        }
    }

    /**
     * Reliable: loans free slots, then requests exactly that many elements. Every backend writer
     * call happens inside the drain loop, which the work-in-progress counter serialises, so the
     * ring sees one writer thread at a time whichever thread delivers elements or frees slots.
     */
    static final class ReliableSend<T> extends SendSubscription<T> implements Runnable {

        final int[] loans;
        final Queue<T> queue;

        // loans in FIFO order, so samples fill slots in the order the writer reserved them (the
        // order readers' in-order fast path expects); guarded by WIP
        int loanCount;
        int loanHead;
        boolean terminated; // guarded by WIP
        /**
         * When the current stall began (the ring full and no loan left: upstream can get no demand
         * until a reader frees a slot), else 0; with its JFR event, null unless a recording wants
         * it. Guarded by WIP, so a stall may begin on one thread and end on another.
         */
        long stallStart;
        WriterWaitEvent stall;

        /** Requested from upstream and not delivered yet. */
        volatile long requested;
        @SuppressWarnings("rawtypes")
        static final AtomicLongFieldUpdater<ReliableSend> REQUESTED =
                AtomicLongFieldUpdater.newUpdater(ReliableSend.class, "requested");

        volatile int done;
        Throwable error;

        // An element is encoded before the onNext that delivered it returns, also when another
        // thread holds the drain loop then (the waiter thread, topping up after the ring was full):
        // a SampleView is valid only until its onNext returns, and an encoder may read it.
        /** Elements delivered so far; written by onNext only (serial by the Reactive Streams rules). */
        long received;
        /** Elements taken off the queue so far (encoded, or failed); Long.MAX_VALUE once nothing more will be. */
        volatile long consumed;
        @SuppressWarnings("rawtypes")
        static final AtomicLongFieldUpdater<ReliableSend> CONSUMED =
                AtomicLongFieldUpdater.newUpdater(ReliableSend.class, "consumed");
        /** The thread inside the drain loop, else null; only ever compared with the current thread. */
        Thread drainer;
        static final int SPINS_BEFORE_YIELD = 1_000;

        // the waiter thread, started the first time the ring is full
        volatile Thread waiter;
        volatile int needWait;
        @SuppressWarnings("rawtypes")
        static final AtomicIntegerFieldUpdater<ReliableSend> NEED_WAIT =
                AtomicIntegerFieldUpdater.newUpdater(ReliableSend.class, "needWait");
        volatile long waitGeneration;
        volatile int waiterBlocked;
        volatile int waiterStop;

        ReliableSend(CoreSubscriber<? super Void> actual, ReactiveFlatWriter writer, SlotEncoder<? super T> encoder) {
            super(actual, writer, encoder);
            this.loans = new int[writer.maxInFlight];
            this.queue = Queues.<T>get(writer.maxInFlight).get();
        }

        // ------------------------------------------------------------------ from upstream

        @Override
        public void onSubscribe(Subscription s) {
            Objects.requireNonNull(s, "onSubscribe");
            if (Operators.validate(upstream, s)) {
                upstream = s;
                if (cancelled != 0) {
                    s.cancel();
                }
                drain();
            }
        }

        @Override
        public void onNext(T t) {
            Objects.requireNonNull(t, "onNext");
            if (done != 0) {
                Operators.onNextDropped(t, actual.currentContext());
                return;
            }
            if (REQUESTED.decrementAndGet(this) < 0 || !queue.offer(t)) {
                Operators.onDiscard(t, actual.currentContext());
                error = Exceptions.failWithOverflow("upstream emitted more elements than requested: demand is "
                        + "the free slots of " + backend + "; use a backpressure-aware source, or "
                        + "onBackpressureBuffer/Drop before send");
                done = 1;
                Subscription s = upstream;
                if (s != null) {
                    s.cancel();
                }
                drain();
                return;
            }
            long mine = ++received;
            drain();
            if (consumed < mine && drainer != Thread.currentThread()) {
                awaitConsumed(mine);
            }
        }

        /**
         * Another thread holds the drain loop: it goes round once more for the element just queued
         * (a loan waits for it, since demand is the loans), so wait the few steps until it is encoded.
         */
        private void awaitConsumed(long mine) {
            // a hand-over, not a blocking wait: the drain loop's steps are a few non-blocking calls;
            // yielding after a short spin lets a preempted drain thread run on a busy machine
            for (int spins = 0; consumed < mine; spins++) {
                if (spins < SPINS_BEFORE_YIELD) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            Objects.requireNonNull(t, "onError");
            if (done != 0) {
                Operators.onErrorDropped(t, actual.currentContext());
                return;
            }
            error = t;
            done = 1;
            drain();
        }

        @Override
        public void onComplete() {
            if (done != 0) {
                return;
            }
            done = 1;
            drain();
        }

        // ------------------------------------------------------------------ from downstream

        @Override
        void afterCancel() {
            drain();
        }

        // ------------------------------------------------------------------ drain

        void drain() {
            if (WIP.getAndIncrement(this) != 0) {
                return;
            }
            int missed = 1;
            drainer = Thread.currentThread();
            for (;;) {
                if (terminated) {
                    Operators.onDiscardQueueWithClear(queue, actual.currentContext(), null);
                } else if (cancelled != 0) {
                    cleanup();
                    if (cancelled == BAD_REQUEST) {
                        actual.onError(requestError);
                    }
                } else {
                    try {
                        step();
                    } catch (Throwable t) {
                        Exceptions.throwIfJvmFatal(t);
                        Subscription s = upstream;
                        if (s != null) {
                            s.cancel();
                        }
                        cleanup();
                        actual.onError(t);
                    }
                }
                drainer = null; // before the loop may be left: whoever takes it next sets its own
                missed = WIP.addAndGet(this, -missed);
                if (missed == 0) {
                    return;
                }
                drainer = Thread.currentThread();
            }
        }

        private void step() {
            Subscription s = upstream;
            if (s == null && done == 0) {
                return; // not subscribed yet (a source that threw from subscribe is done: go on)
            }
            // read before polling: every element that arrived before the terminal signal is queued
            // by then, so an error never discards an element received before it
            boolean terminal = done != 0;
            T t;
            while (loanCount > 0 && (t = queue.poll()) != null) {
                int slot = loans[loanHead];
                loanHead = loanHead + 1 == loans.length ? 0 : loanHead + 1;
                loanCount--;
                int length;
                try {
                    length = encode(t, slot);
                } catch (Throwable e) {
                    Exceptions.throwIfJvmFatal(e);
                    backend.discardSlot(slot);
                    Throwable failure = Operators.onOperatorError(s, e, t, actual.currentContext());
                    cleanup();
                    actual.onError(failure);
                    return;
                }
                CONSUMED.lazySet(this, consumed + 1); // only the drain loop writes it
                backend.commitInPlace(slot, length);
                writer.countSent();
            }
            if (terminal && queue.isEmpty()) {
                Throwable e = error;
                if (e != null) {
                    cleanup();
                    actual.onError(e);
                } else {
                    if (writer.endStreamOnComplete) {
                        // returns every loan (the end needs them); the writer stays claimed until the end is out
                        cleanup(false);
                        endStreamAndComplete();
                    } else {
                        cleanup();
                        actual.onComplete();
                    }
                }
                return;
            }
            // top up: demand is exactly the slots we could loan
            long generation = backend.notifyGeneration();
            int k = 0;
            boolean ringFull = false;
            while (loanCount < loans.length) {
                int slot = backend.reserveSlot();
                if (slot == SlotBackend.NO_FREE_SLOT) {
                    ringFull = true;
                    break;
                }
                int tail = loanHead + loanCount;
                loans[tail >= loans.length ? tail - loans.length : tail] = slot;
                loanCount++;
                k++;
            }
            if (k > 0 && stallStart != 0) {
                endStall(true); // a slot came free: the stall is over
            }
            if (k > 0 && !terminal) {
                REQUESTED.addAndGet(this, k);
                s.request(k);
            }
            if (k > 0 && !queue.isEmpty()) {
                WIP.getAndIncrement(this); // queued elements (after a terminal signal) fill the new loans: go round again
            }
            if (ringFull && loanCount == 0 && stallStart == 0) {
                // stalled: not one slot for the next element (with loans left, the send is not held
                // back, it merely watches for more), counted and recorded as one wait until a slot comes
                backend.counters().recordRingFull();
                stallStart = System.nanoTime();
                stall = WriterWaitEvent.beginWait(backend, 0);
            }
            if (ringFull && (!terminal || loanCount == 0)) {
                // Watch for the next freed slot whenever the ring stopped the top-up, also after
                // loaning some: a reader that frees slots one at a time while upstream delivers
                // nothing would otherwise raise demand for its first free slot only.
                awaitFreeSlot(generation);
            }
        }

        /**
         * Ends the stall: counts its wait when a slot ended it, and commits its JFR event;
         * {@code slotObtained}: a slot, not the end of the send, ended it.
         */
        private void endStall(boolean slotObtained) {
            if (slotObtained) {
                backend.counters().recordWait(System.nanoTime() - stallStart);
            }
            stallStart = 0;
            WriterWaitEvent event = stall;
            stall = null;
            if (event != null) {
                event.endWait(backend, slotObtained);
            }
        }

        @Override
        void ended(Throwable failure) {
            writer.unclaim();
            complete(failure);
        }

        /** Discards every loan and queued element, stops the waiter, frees the writer. */
        private void cleanup() {
            cleanup(true);
        }

        /** {@link #cleanup()}, freeing the writer only with {@code unclaim}. */
        private void cleanup(boolean unclaim) {
            terminated = true;
            if (stallStart != 0) {
                endStall(false);
            }
            consumed = Long.MAX_VALUE; // an onNext waiting for its element stops: it was discarded
            discardLoans();
            Operators.onDiscardQueueWithClear(queue, actual.currentContext(), null);
            waiterStop = 1;
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
                if (waiterBlocked != 0) {
                    backend.wakeAll();
                }
            }
            if (unclaim) {
                writer.unclaim();
            }
        }

        private void discardLoans() {
            for (int i = 0; i < loanCount; i++) {
                int at = loanHead + i;
                try {
                    backend.discardSlot(loans[at >= loans.length ? at - loans.length : at]);
                } catch (IllegalStateException closed) {
                    // BackendClosedException: the loans died with the ring
                }
            }
            loanCount = 0;
            loanHead = 0;
        }

        // ------------------------------------------------------------------ waiting for slots

        private void awaitFreeSlot(long generation) {
            waitGeneration = generation;
            needWait = 1;
            Thread w = waiter;
            if (w == null) {
                w = writer.waiterThreads.newThread(this);
                waiter = w;
                w.start();
            } else {
                LockSupport.unpark(w);
            }
        }

        /** The waiter thread: blocks on the backend while the ring is full, then drains. */
        @Override
        public void run() {
            while (waiterStop == 0) {
                // consume the request before acting on it: a request made meanwhile is never lost
                if (NEED_WAIT.getAndSet(this, 0) == 0) {
                    LockSupport.park(this);
                    continue;
                }
                long generation = waitGeneration;
                waiterBlocked = 1;
                try {
                    if (waiterStop == 0) {
                        backend.waitForChange(generation, WAIT_SLICE_NANOS);
                    }
                } catch (RuntimeException closed) {
                    // a closed backend: the drain's next reserve reports it as onError
                } finally {
                    waiterBlocked = 0;
                }
                drain();
            }
        }
    }
}
