package io.zerodds.flatdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Model-based test: random sequences of ring operations run against the in-memory backend and a
 * plain model of the ring, checking after every step that no slot is loaned twice, no sample an
 * active reader has not read is overwritten, every reader sees its samples in order and none twice.
 */
class RingModelTest {

    enum Kind { RESERVE, COMMIT, DISCARD, READ, READ_EXPECTED, MARK_AGAIN, ATTACH, DETACH, DISCONNECT }

    record Op(Kind kind, int pick) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Kind> kinds = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just(Kind.RESERVE)),
                net.jqwik.api.Tuple.of(6, Arbitraries.just(Kind.COMMIT)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.DISCARD)),
                net.jqwik.api.Tuple.of(5, Arbitraries.just(Kind.READ)),
                net.jqwik.api.Tuple.of(4, Arbitraries.just(Kind.READ_EXPECTED)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.MARK_AGAIN)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.ATTACH)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.DETACH)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.DISCONNECT)));
        return Combinators.combine(kinds, Arbitraries.integers().between(0, 1000)).as(Op::new).list().ofMaxSize(80);
    }

    /** What the model knows of one slot. */
    static final class ModelSlot {
        boolean loaned;
        long sequence = -1; // -1 = no sample
        byte[] data;
        final Set<Integer> readBy = new HashSet<>();
    }

    static final class ModelReader {
        final long start;
        long nextExpected;
        boolean disconnected;
        long lastDelivered = -1;
        int lastSlot = -1;

        ModelReader(long start) {
            this.start = start;
            this.nextExpected = start;
        }
    }

    @Property(tries = 400)
    void theRingBehavesLikeItsModel(@ForAll("ops") List<Op> ops,
                                    @ForAll @IntRange(min = 1, max = 5) int slots,
                                    @ForAll boolean nearWrap) {
        long initial = nearWrap ? 0xFFFF_FFFFL - 3 : 0;
        try (SlotBackend b = InMemorySlotBackend.builder().slotCount(slots).slotCapacity(16)
                .initialSequence(initial).build()) {
            ModelSlot[] model = new ModelSlot[slots];
            for (int i = 0; i < slots; i++) {
                model[i] = new ModelSlot();
            }
            Map<Integer, ModelReader> readers = new TreeMap<>();
            Map<Long, Set<Integer>> delivered = new HashMap<>();
            long[] next = {initial};
            for (Op op : ops) {
                step(b, op, model, readers, delivered, next);
            }
        }
    }

    private static int activeMask(Map<Integer, ModelReader> readers) {
        int mask = 0;
        for (var e : readers.entrySet()) {
            if (!e.getValue().disconnected) {
                mask |= 1 << e.getKey();
            }
        }
        return mask;
    }

    private static boolean reusable(ModelSlot s, Map<Integer, ModelReader> readers) {
        if (s.loaned) {
            return false;
        }
        if (s.sequence < 0) {
            return true;
        }
        for (var e : readers.entrySet()) {
            ModelReader r = e.getValue();
            if (!r.disconnected && s.sequence >= r.start && !s.readBy.contains(e.getKey())) {
                return false;
            }
        }
        return true;
    }

    private static int lowestUnread(ModelSlot[] model, int reader, ModelReader r) {
        int best = -1;
        for (int i = 0; i < model.length; i++) {
            ModelSlot s = model[i];
            if (!s.loaned && s.sequence >= r.start && !s.readBy.contains(reader)
                    && (best < 0 || s.sequence < model[best].sequence)) {
                best = i;
            }
        }
        return best;
    }

    private static void step(SlotBackend b, Op op, ModelSlot[] model, Map<Integer, ModelReader> readers,
                             Map<Long, Set<Integer>> delivered, long[] next) {
        List<Integer> loaned = new ArrayList<>();
        for (int i = 0; i < model.length; i++) {
            if (model[i].loaned) {
                loaned.add(i);
            }
        }
        List<Integer> attached = new ArrayList<>(readers.keySet());
        switch (op.kind()) {
            case RESERVE -> {
                int slot = b.reserveSlot(b.activeReaders());
                assertThat(b.activeReaders()).isEqualTo(activeMask(readers));
                boolean anyFree = Arrays.stream(model).anyMatch(s -> reusable(s, readers));
                if (slot == SlotBackend.NO_FREE_SLOT) {
                    assertThat(anyFree).as("backend says full, model has a reusable slot").isFalse();
                } else {
                    assertThat(model[slot].loaned).as("slot %d loaned twice", slot).isFalse();
                    assertThat(reusable(model[slot], readers))
                            .as("slot %d holds sample %d unread by an active reader", slot, model[slot].sequence)
                            .isTrue();
                    model[slot].loaned = true;
                    model[slot].sequence = -1;
                    model[slot].readBy.clear();
                }
            }
            case COMMIT -> {
                if (loaned.isEmpty()) {
                    return;
                }
                int slot = loaned.get(op.pick() % loaned.size());
                byte[] data = new byte[1 + op.pick() % 16];
                Arrays.fill(data, (byte) next[0]);
                data[0] = (byte) slot;
                long seq = b.commitSlot(slot, data);
                assertThat(seq).isEqualTo(next[0]);
                next[0]++;
                ModelSlot s = model[slot];
                s.loaned = false;
                s.sequence = seq;
                s.data = data;
                s.readBy.clear();
                // a reader that was disconnected (but not detached) has its bit set by disconnect only
                // on slots present at that moment; it is not active, so it never matters
            }
            case DISCARD -> {
                if (loaned.isEmpty()) {
                    return;
                }
                int slot = loaned.get(op.pick() % loaned.size());
                b.discardSlot(slot);
                model[slot].loaned = false;
                model[slot].sequence = -1;
            }
            case READ, READ_EXPECTED -> {
                if (attached.isEmpty()) {
                    return;
                }
                int reader = attached.get(op.pick() % attached.size());
                ModelReader r = readers.get(reader);
                if (r.disconnected) {
                    assertThatThrownBy(() -> b.nextUnreadSlot(reader)).isInstanceOf(ReaderDisconnectedException.class);
                    return;
                }
                int expectedSlot = lowestUnread(model, reader, r);
                int slot = op.kind() == Kind.READ ? b.nextUnreadSlot(reader) : b.nextUnreadSlot(reader, r.nextExpected);
                if (expectedSlot < 0) {
                    assertThat(slot).isEqualTo(SlotBackend.NO_SLOT);
                    return;
                }
                assertThat(slot).as("lowest unread sequence for reader %d", reader).isEqualTo(expectedSlot);
                ModelSlot s = model[slot];
                assertThat(s.sequence).as("in order, no gap").isEqualTo(r.nextExpected);
                assertThat(s.sequence).isGreaterThan(r.lastDelivered);
                assertThat(b.slotReadPtr(slot).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(s.data);
                assertThat(b.slotSequence(slot)).isEqualTo(s.sequence);
                assertThat(delivered.computeIfAbsent(s.sequence, k -> new HashSet<>()).add(reader))
                        .as("sample %d delivered twice to reader %d", s.sequence, reader).isTrue();
                b.markRead(slot, reader);
                s.readBy.add(reader);
                r.lastDelivered = s.sequence;
                r.nextExpected = s.sequence + 1;
                r.lastSlot = slot;
            }
            case MARK_AGAIN -> {
                for (var e : readers.entrySet()) {
                    ModelReader r = e.getValue();
                    if (r.lastSlot >= 0 && !r.disconnected && model[r.lastSlot].sequence == r.lastDelivered) {
                        int mask = b.readSlot(r.lastSlot).readerMask();
                        b.markRead(r.lastSlot, e.getKey());
                        assertThat(b.readSlot(r.lastSlot).readerMask()).isEqualTo(mask);
                        return;
                    }
                }
            }
            case ATTACH -> {
                if (readers.size() >= 4 && op.pick() % 8 != 0) {
                    return;
                }
                if (readers.size() == SlotBackend.MAX_READERS) {
                    assertThatThrownBy(b::attachReader).isInstanceOf(ReaderLimitException.class);
                    return;
                }
                int expectedIndex = 0;
                while (readers.containsKey(expectedIndex)) {
                    expectedIndex++;
                }
                int reader = b.attachReader();
                assertThat(reader).isEqualTo(expectedIndex);
                assertThat(b.readerStartSequence(reader)).isEqualTo(next[0]);
                readers.put(reader, new ModelReader(next[0]));
            }
            case DETACH -> {
                if (attached.isEmpty()) {
                    return;
                }
                int reader = attached.get(op.pick() % attached.size());
                b.detachReader(reader);
                readers.remove(reader);
                for (ModelSlot s : model) {
                    s.readBy.add(reader);
                }
            }
            case DISCONNECT -> {
                if (attached.isEmpty()) {
                    return;
                }
                int reader = attached.get(op.pick() % attached.size());
                b.markReaderDisconnected(reader);
                readers.get(reader).disconnected = true;
                for (ModelSlot s : model) {
                    s.readBy.add(reader);
                }
            }
        }
    }
}
