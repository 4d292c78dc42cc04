package io.zerodds.flatdata.reactor;

import io.zerodds.flatdata.BackendClosedException;
import io.zerodds.flatdata.SlotBackend;
import java.lang.foreign.MemorySegment;
import java.util.Queue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.concurrent.Queues;

/**
 * The {@code Flux<SampleView>} of one {@link ReactiveFlatReader}: unicast (one subscriber at a
 * time; a subscriber that arrives while the previous one terminates is queued behind it and
 * resumes exactly where it stopped), demand-driven, and driven by the backend's change events on a
 * thread of its own.
 */
final class FluxSlotSource extends Flux<SampleView> {

    /** Longest single wait: a safety net only, every relevant event wakes the source at once. */
    static final long WAIT_SLICE_NANOS = 5_000_000_000L;

    /** Returned by the wait when the stream ended and everything before its end was delivered. */
    static final int END_OF_STREAM = -2;

    /** Thread.yield() calls between the spin and the blocking wait (none when spinning is off). */
    static final int YIELDS = 4;

    final ReactiveFlatReader reader;

    FluxSlotSource(ReactiveFlatReader reader) {
        this.reader = reader;
    }

    @Override
    public void subscribe(CoreSubscriber<? super SampleView> actual) {
        ReaderLease lease = reader.lease;
        if (lease.isClosed() || lease.backend.isClosed() || !lease.acquire()) {
            Operators.error(actual, new BackendClosedException("reactive reader " + lease.index + " on "
                    + lease.backend));
            return;
        }
        SlotSubscription subscription = new SlotSubscription(actual, reader);
        subscription.thread = reader.threadFactory.newThread(subscription);
        for (;;) {
            SlotSubscription current = reader.current();
            if (current == null) {
                subscription.startGate = 1; // our onSubscribe
                if (reader.claim(subscription)) {
                    try {
                        signalOnSubscribe(subscription);
                    } finally {
                        // also after onSubscribe threw: the thread sees the cancel and frees the reader
                        subscription.arrive();
                    }
                    return;
                }
                continue;
            }
            if (current.cancelled != 0) {
                // the previous subscriber is leaving: queue behind it; the thread starts once it is
                // done and our onSubscribe returned (no signal may overtake onSubscribe, rule 1.9)
                subscription.startGate = 2; // our onSubscribe and the predecessor's end
                if (SlotSubscription.SUCCESSOR.compareAndSet(current, null, subscription)) {
                    try {
                        signalOnSubscribe(subscription);
                    } finally {
                        subscription.arrive();
                    }
                    return;
                }
                if (current.successor == SlotSubscription.FINISHED) {
                    Thread.onSpinWait(); // it is handing over right now: a few instructions
                    continue;
                }
            }
            lease.release();
            Operators.error(actual, new IllegalStateException("reader " + lease.index + " on " + lease.backend
                    + " already has a subscriber: its Flux is unicast (use one reader per subscriber, or "
                    + "ReactiveFlatReader.Builder.flux() for a reader per subscription)"));
            return;
        }
    }

    private static void signalOnSubscribe(SlotSubscription subscription) {
        try {
            subscription.actual.onSubscribe(subscription);
        } catch (Throwable t) {
            // a subscriber that throws from onSubscribe breaks rule 2.13: end at once when started
            subscription.cancelled = 1;
            throw t;
        }
    }

    static final class SlotSubscription implements Subscription, Runnable {

        final CoreSubscriber<? super SampleView> actual;
        final ReactiveFlatReader owner;
        final ReaderLease lease;
        final SlotBackend backend;
        final int index;
        final boolean releaseOnRequest;
        final int spinMax;
        final SampleView[] pool;
        /** ON_REQUEST only: delivered views whose source reference the next request releases. */
        final Queue<SampleView> held;

        Thread thread;

        /**
         * Parties still to arrive before the thread starts: our onSubscribe having returned, and
         * (for a subscriber queued behind another) the predecessor having finished.
         */
        volatile int startGate;
        static final AtomicIntegerFieldUpdater<SlotSubscription> START_GATE =
                AtomicIntegerFieldUpdater.newUpdater(SlotSubscription.class, "startGate");

        /** The next subscriber, queued while this one terminates; FINISHED once handed over. */
        volatile Object successor;
        static final AtomicReferenceFieldUpdater<SlotSubscription, Object> SUCCESSOR =
                AtomicReferenceFieldUpdater.newUpdater(SlotSubscription.class, Object.class, "successor");
        static final Object FINISHED = new Object();

        volatile long requested;
        static final AtomicLongFieldUpdater<SlotSubscription> REQUESTED =
                AtomicLongFieldUpdater.newUpdater(SlotSubscription.class, "requested");

        volatile int cancelled;
        volatile long badRequest;
        /** 1 while the source thread parks for demand: request() must unpark it. */
        volatile int parked;
        /** 1 while the source thread may block in waitForChange: cancel() must wake the backend. */
        volatile int waiting;

        // ON_REQUEST bookkeeping
        /** Sequence after the last view whose onNext started. */
        volatile long deliveredMark;
        /** Views with a sequence below this are released by the release drain. */
        volatile long releaseMark;
        static final AtomicLongFieldUpdater<SlotSubscription> RELEASE_MARK =
                AtomicLongFieldUpdater.newUpdater(SlotSubscription.class, "releaseMark");
        volatile int releaseWip;
        static final AtomicIntegerFieldUpdater<SlotSubscription> RELEASE_WIP =
                AtomicIntegerFieldUpdater.newUpdater(SlotSubscription.class, "releaseWip");
        /** Set by the source thread once it delivers nothing more. */
        volatile int done;
        boolean holdDropped; // guarded by RELEASE_WIP

        // source-thread state
        long expected;
        int poolIndex;

        SlotSubscription(CoreSubscriber<? super SampleView> actual, ReactiveFlatReader owner) {
            this.actual = actual;
            this.owner = owner;
            this.lease = owner.lease;
            this.backend = lease.backend;
            this.index = lease.index;
            this.releaseOnRequest = owner.releaseMode == ReleaseMode.ON_REQUEST;
            this.spinMax = owner.spinIterations;
            this.pool = new SampleView[owner.viewPoolSize];
            this.held = releaseOnRequest ? Queues.<SampleView>get(owner.viewPoolSize).get() : null;
        }

        /** One party of the start gate arrived; the last one starts the source thread. */
        void arrive() {
            if (START_GATE.decrementAndGet(this) == 0) {
                thread.start();
            }
        }

        // ------------------------------------------------------------------ Subscription

        @Override
        public void request(long n) {
            if (n <= 0) {
                badRequest = n == 0 ? -1 : n;
                wake();
                return;
            }
            if (releaseOnRequest) {
                raiseReleaseMark(deliveredMark);
                drainReleases();
            }
            Operators.addCap(REQUESTED, this, n);
            if (parked != 0) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public void cancel() {
            if (cancelled != 0) {
                return;
            }
            cancelled = 1;
            wake();
        }

        /** Wakes the source thread wherever it waits: parked for demand or blocked on the backend. */
        void wake() {
            LockSupport.unpark(thread);
            if (waiting != 0) {
                backend.wakeAll();
            }
        }

        // ------------------------------------------------------------------ source thread

        @Override
        public void run() {
            expected = owner.nextSequence;
            Throwable failure = null;
            boolean completed = false;
            long emitted = 0;
            int spins = 0;
            int spinBudget = spinMax;
            try {
                for (;;) {
                    if (cancelled != 0) {
                        break;
                    }
                    long bad = badRequest;
                    if (bad != 0) {
                        failure = Exceptions.nullOrNegativeRequestException(bad == -1 ? 0 : bad);
                        break;
                    }
                    if (lease.isClosed()) {
                        failure = new BackendClosedException("reactive reader " + index + " on " + backend);
                        break;
                    }
                    long r = requested;
                    if (emitted == r) {
                        r = REQUESTED.addAndGet(this, -emitted);
                        emitted = 0;
                        if (r == 0 || (releaseOnRequest && held.size() >= pool.length)) {
                            if (expected >= backend.endOfStreamSequence()) {
                                completed = true; // the end needs no demand
                                break;
                            }
                            parkForDemand();
                            continue;
                        }
                    }
                    int slot = backend.nextUnreadSlot(index, expected);
                    if (slot == SlotBackend.NO_SLOT) {
                        // idle strategy: spin, then yield, then block on the backend
                        if (spins < spinBudget) {
                            spins++;
                            Thread.onSpinWait();
                            continue;
                        }
                        if (spins < spinBudget + YIELDS && spinBudget > 0) {
                            spins++;
                            Thread.yield();
                            continue;
                        }
                        slot = waitForSample();
                        if (slot == END_OF_STREAM) {
                            completed = true;
                            break;
                        }
                        if (slot == SlotBackend.NO_SLOT) {
                            // adaptive: a spin that ended in a wait is worth less next time
                            spinBudget = Math.max(spinMax >> 2, spinBudget >> 1);
                            spins = 0;
                            continue;
                        }
                    } else if (spins > 0 && spinBudget < spinMax) {
                        // a spin that found a sample is worth more
                        spinBudget = Math.min(spinMax, spinBudget * 2 + 1);
                    }
                    spins = 0;
                    if (cancelled != 0) {
                        break; // the sample stays unread: the next subscriber gets it
                    }
                    if (releaseOnRequest && held.size() >= pool.length) {
                        continue;
                    }
                    MemorySegment area = backend.slotReadArea(slot);
                    SampleView view = nextView();
                    view.open(slot, expected, area, backend.slotReadSize(slot));
                    expected++;
                    if (releaseOnRequest) {
                        view.pending = 1;
                        held.offer(view);
                        deliveredMark = expected;
                    }
                    emitted++;
                    try {
                        actual.onNext(view);
                    } catch (Throwable t) {
                        if (!releaseOnRequest) {
                            view.releaseFromSource();
                        }
                        failure = Operators.onOperatorError(this, t, view, actual.currentContext());
                        cancelled = 1;
                        break;
                    }
                    if (!releaseOnRequest) {
                        view.releaseFromSource();
                    }
                    if (view.isDetached()) {
                        // retained: out of the pool for good, so that a leaked one can be collected
                        // (and reported, its slot recovered) in either release mode
                        pool[poolIndex == 0 ? pool.length - 1 : poolIndex - 1] = null;
                    }
                }
            } catch (Throwable t) {
                Exceptions.throwIfJvmFatal(t);
                // a close racing a backend call surfaces as "disconnected": report the close
                failure = lease.isClosed() && !(t instanceof BackendClosedException)
                        ? new BackendClosedException("reactive reader " + index + " on " + backend) : t;
            }
            finish(failure, completed);
        }

        private void parkForDemand() {
            parked = 1;
            if (requested == 0 || (releaseOnRequest && held.size() >= pool.length)) {
                if (cancelled == 0 && badRequest == 0 && !lease.isClosed()) {
                    LockSupport.park(this);
                }
            }
            parked = 0;
        }

        /**
         * Blocks event-driven until a sample for us is committed, or a wake-up; NO_SLOT when none,
         * END_OF_STREAM when the writer ended the stream and every sample before the end was delivered.
         */
        private int waitForSample() {
            long generation = backend.notifyGeneration();
            waiting = 1;
            try {
                if (cancelled != 0 || badRequest != 0 || lease.isClosed()) {
                    return SlotBackend.NO_SLOT;
                }
                int slot = backend.nextUnreadSlot(index, expected);
                if (slot == SlotBackend.NO_SLOT) {
                    // every sample before the end was committed before the end was marked
                    if (expected >= backend.endOfStreamSequence()) {
                        return END_OF_STREAM;
                    }
                    backend.waitForChange(generation, WAIT_SLICE_NANOS);
                }
                return slot;
            } finally {
                waiting = 0;
            }
        }

        /** The next pooled view in FIFO order; a fresh one where the old one is still in use. */
        private SampleView nextView() {
            int i = poolIndex;
            poolIndex = i + 1 == pool.length ? 0 : i + 1;
            SampleView view = pool[i];
            if (view == null || !view.isReusable()) {
                view = new SampleView(lease);
                pool[i] = view;
            }
            return view;
        }

        private void finish(Throwable failure, boolean completed) {
            owner.nextSequence = expected;
            cancelled = 1; // from here on a new subscriber queues behind this one
            if (releaseOnRequest) {
                done = 1;
                raiseReleaseMark(Long.MAX_VALUE);
                drainReleases();
            } else {
                lease.release();
            }
            Object next = SUCCESSOR.getAndSet(this, FINISHED);
            if (next instanceof SlotSubscription successor) {
                owner.handOver(this, successor);
                successor.arrive();
            } else {
                owner.unclaim(this);
            }
            if (failure != null) {
                actual.onError(failure);
            } else if (completed) {
                actual.onComplete();
            }
        }

        // ------------------------------------------------------------------ ON_REQUEST releases

        private void raiseReleaseMark(long mark) {
            for (;;) {
                long current = releaseMark;
                if (mark <= current || RELEASE_MARK.compareAndSet(this, current, mark)) {
                    return;
                }
            }
        }

        /** Releases the source's reference of every held view below the release mark; any thread. */
        void drainReleases() {
            if (RELEASE_WIP.getAndIncrement(this) != 0) {
                return;
            }
            int missed = 1;
            for (;;) {
                long mark = releaseMark;
                SampleView view;
                while ((view = held.peek()) != null && view.sequenceForSource() < mark) {
                    held.poll();
                    view.releaseFromSource();
                    view.pending = 0;
                }
                if (done != 0 && !holdDropped && held.isEmpty()) {
                    holdDropped = true;
                    lease.release();
                }
                missed = RELEASE_WIP.addAndGet(this, -missed);
                if (missed == 0) {
                    return;
                }
            }
        }
    }
}
