package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One writer and four reader threads race over a small ring: every reader gets every sample
 * exactly once, in order, with an intact checksum; a reader that leaves midway does not stall
 * the writer or the others.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WriterReaderStressTest {

    static final int SAMPLES = 1_000_000;
    static final int SIZE = 64;

    static void fill(MemorySegment out, long seq) {
        out.set(ValueLayout.JAVA_LONG, 0, seq);
        long sum = seq;
        for (int i = 16; i < SIZE; i += 8) {
            long v = seq * 0x9E3779B97F4A7C15L + i;
            out.set(ValueLayout.JAVA_LONG, i, v);
            sum ^= v;
        }
        out.set(ValueLayout.JAVA_LONG, 8, sum);
    }

    static boolean intact(MemorySegment in, long seq) {
        if (in.byteSize() != SIZE || in.get(ValueLayout.JAVA_LONG, 0) != seq) {
            return false;
        }
        long sum = seq;
        for (int i = 16; i < SIZE; i += 8) {
            sum ^= in.get(ValueLayout.JAVA_LONG, i);
        }
        return sum == in.get(ValueLayout.JAVA_LONG, 8);
    }

    /** Reads until {@code stopAfter} samples, checking order and checksums; returns the count. */
    static Thread reader(FlatReader reader, long stopAfter, long[] count, AtomicReference<Throwable> failure,
                         CountDownLatch done) {
        return Thread.ofPlatform().name("reader-" + reader.readerIndex()).start(() -> {
            try {
                long expected = reader.nextSequence();
                long first = expected;
                while (expected - first < stopAfter) {
                    try (Sample s = reader.take(Duration.ofSeconds(30))) {
                        if (s == null) {
                            throw new AssertionError("reader " + reader.readerIndex() + " starved at " + expected);
                        }
                        if (s.sequence() != expected || !intact(s.segment(), s.sequence() - first)) {
                            throw new AssertionError("reader " + reader.readerIndex() + " expected " + expected
                                    + " got " + s.sequence() + (intact(s.segment(), s.sequence() - first) ? "" : " (corrupt)"));
                        }
                    }
                    expected++;
                }
                count[0] = expected - first;
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                done.countDown();
            }
        });
    }

    private void run(boolean oneLeavesMidway) throws Exception {
        try (InMemorySlotBackend backend = InMemorySlotBackend.create(16, SIZE)) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<FlatReader> readers = new ArrayList<>();
            long[][] counts = new long[4][1];
            CountDownLatch done = new CountDownLatch(4);
            for (int i = 0; i < 4; i++) {
                readers.add(FlatReader.attach(backend));
            }
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                long stopAfter = oneLeavesMidway && i == 0 ? SAMPLES / 2 : SAMPLES;
                threads.add(reader(readers.get(i), stopAfter, counts[i], failure, done));
            }
            Thread leaver = null;
            if (oneLeavesMidway) {
                // the leaver detaches right after its half: the writer must not wait for it
                leaver = Thread.ofPlatform().start(() -> {
                    try {
                        threads.getFirst().join();
                        readers.getFirst().close();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            try (FlatWriter writer = FlatWriter.reliable(backend, Duration.ofSeconds(30))) {
                for (long seq = 0; seq < SAMPLES && failure.get() == null; seq++) {
                    try (FlatWriter.Claim claim = writer.loan()) {
                        fill(claim.segment(), seq);
                        claim.commit(SIZE);
                    }
                }
            }
            assertThat(done.await(2, TimeUnit.MINUTES)).as("readers finished").isTrue();
            assertThat(failure.get()).isNull();
            for (int i = 0; i < 4; i++) {
                long expected = oneLeavesMidway && i == 0 ? SAMPLES / 2 : SAMPLES;
                assertThat(counts[i][0]).as("reader %d", i).isEqualTo(expected);
            }
            if (leaver != null) {
                // it closes reader 0: done before this thread closes the readers and the backend
                assertThat(leaver.join(Duration.ofSeconds(10))).as("leaver finished").isTrue();
            }
            readers.forEach(FlatReader::close);
        }
    }

    @Test
    void fourReadersEachGetAMillionSamplesOnceInOrder() throws Exception {
        run(false);
    }

    @Test
    void aReaderThatLeavesMidwayDoesNotStallTheWriterOrTheOthers() throws Exception {
        run(true);
    }

    @Test
    void aReaderMarkedDisconnectedMidwayIsToldAndTheOthersGetEverything() throws Exception {
        try (InMemorySlotBackend backend = InMemorySlotBackend.create(8, SIZE)) {
            FlatReader stalled = FlatReader.attach(backend);
            FlatReader live = FlatReader.attach(backend);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            long[] count = new long[1];
            reader(live, 100_000, count, failure, done);
            try (FlatWriter writer = FlatWriter.reliable(backend, Duration.ofSeconds(30));
                 FlatWriter probe = FlatWriter.reliable(backend, Duration.ofMillis(200))) {
                for (long seq = 0; seq < 100_000; seq++) {
                    if (seq == 8) {
                        // the stalled reader read nothing: the ring is full and stays full
                        org.assertj.core.api.Assertions.assertThatThrownBy(() -> probe.write(new byte[SIZE]))
                                .isInstanceOf(SlotTimeoutException.class).hasMessageContaining("no free slot");
                        backend.markReaderDisconnected(stalled.readerIndex());
                    }
                    try (FlatWriter.Claim claim = writer.loan()) {
                        fill(claim.segment(), seq);
                        claim.commit(SIZE);
                    }
                }
            }
            assertThat(done.await(1, TimeUnit.MINUTES)).isTrue();
            assertThat(failure.get()).isNull();
            assertThat(count[0]).isEqualTo(100_000);
            org.assertj.core.api.Assertions.assertThatThrownBy(stalled::take)
                    .isInstanceOf(ReaderDisconnectedException.class);
        }
    }
}
