package io.zerodds.flatdata.test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Emits one token {@code count} times on the requesting thread, then completes, allocating nothing
 * per element: the upstream of the allocation test and the throughput benchmark of the reactive
 * writer, where a boxed element per sample would be what gets measured.
 */
public final class CountingPublisher implements Publisher<Object> {

    /** The element emitted every time. */
    public static final Object TOKEN = new Object();

    private final long count;

    public CountingPublisher(long count) {
        this.count = count;
    }

    public long count() {
        return count;
    }

    @Override
    public void subscribe(Subscriber<? super Object> s) {
        s.onSubscribe(new Subscription() {
            final AtomicLong requested = new AtomicLong();
            final AtomicInteger wip = new AtomicInteger();
            long emitted;
            volatile boolean cancelled;

            @Override
            public void request(long n) {
                requested.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
                if (wip.getAndIncrement() != 0) {
                    return;
                }
                int missed = 1;
                do {
                    long r = requested.get();
                    long e = 0;
                    while (e != r && emitted < count && !cancelled) {
                        s.onNext(TOKEN);
                        emitted++;
                        e++;
                    }
                    requested.addAndGet(-e);
                    if (emitted == count && !cancelled) {
                        cancelled = true;
                        s.onComplete();
                    }
                    missed = wip.addAndGet(-missed);
                } while (missed != 0);
            }

            @Override
            public void cancel() {
                cancelled = true;
            }
        });
    }
}
