package io.zerodds.flatdata;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.UnionLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A fixed-layout sample type (the seed's {@code FlatStruct}): an FFM {@link StructLayout} with a
 * name, a 16-byte type hash, typed field accessors that read and write straight in a slot, and an
 * optional codec between a Java value and the slot bytes.
 *
 * <p>The type hash is the first 16 bytes of SHA-256 over the canonical text of the layout, e.g.
 * {@code Tick{id:i64,price:f64,qty:i32,_:pad4}}. Writers and readers of different types refuse
 * each other.
 *
 * <pre>{@code
 * StructLayout layout = MemoryLayout.structLayout(
 *         ValueLayout.JAVA_LONG.withName("id"), ValueLayout.JAVA_DOUBLE.withName("price"));
 * FlatType<MemorySegment> tick = FlatType.of("Tick", layout);
 * FlatType.LongField id = tick.longField("id");
 * id.set(claim.segment(), 42L);          // in place, in the slot
 * long v = id.get(sample.segment());     // in place, from the slot
 * }</pre>
 *
 * @param <T> the Java value a {@link Codec} converts to and from the slot bytes
 */
public final class FlatType<T> {

    /** Converts a value to and from its fixed layout in a slot. */
    public interface Codec<T> {
        /** Writes {@code value} into {@code slot} (at least {@link FlatType#byteSize()} bytes). */
        void encode(T value, MemorySegment slot);

        /** Reads a value from {@code sample}. */
        T decode(MemorySegment sample);
    }

    private final String name;
    private final StructLayout layout;
    private final Codec<T> codec;
    private final String canonical;
    private final byte[] hash;

    private FlatType(String name, StructLayout layout, Codec<T> codec) {
        this.name = name;
        this.layout = layout;
        this.codec = codec;
        this.canonical = name + canonicalGroup(layout, name);
        this.hash = sha256Prefix(canonical);
    }

    /** A type whose values are the slot bytes themselves: decode returns the view, encode copies. */
    public static FlatType<MemorySegment> of(String name, StructLayout layout) {
        checkName(name);
        Objects.requireNonNull(layout, "layout");
        long size = layout.byteSize();
        return new FlatType<>(name, layout, new Codec<>() {
            @Override
            public void encode(MemorySegment value, MemorySegment slot) {
                if (value.byteSize() != size) {
                    throw new IllegalArgumentException("value size=" + value.byteSize() + " differs from "
                            + name + " size=" + size);
                }
                MemorySegment.copy(value, 0, slot, 0, size);
            }

            @Override
            public MemorySegment decode(MemorySegment sample) {
                return sample;
            }
        });
    }

    /** A type with a codec between Java values of {@code T} and the layout. */
    public static <T> FlatType<T> of(String name, StructLayout layout, Codec<T> codec) {
        checkName(name);
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(codec, "codec");
        return new FlatType<>(name, layout, codec);
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty() || !name.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
            throw new IllegalArgumentException("type name='" + name + "' must be an identifier ([A-Za-z_][A-Za-z0-9_.]*)");
        }
    }

    public String name() {
        return name;
    }

    public StructLayout layout() {
        return layout;
    }

    /** Bytes of one sample of this type. */
    public long byteSize() {
        return layout.byteSize();
    }

    /** The canonical text the hash is computed over. */
    public String canonicalText() {
        return canonical;
    }

    /** The 16-byte type hash (a copy). */
    public byte[] typeHash() {
        return hash.clone();
    }

    /** The type hash as 32 lowercase hex digits. */
    public String typeHashHex() {
        return HexFormat.of().formatHex(hash);
    }

    boolean sameHash(byte[] other) {
        return Arrays.equals(hash, other);
    }

    public void encode(T value, MemorySegment slot) {
        codec.encode(value, slot);
    }

    public T decode(MemorySegment sample) {
        if (sample.byteSize() < layout.byteSize()) {
            throw new IllegalArgumentException("sample size=" + sample.byteSize() + " is smaller than "
                    + name + " size=" + layout.byteSize());
        }
        return codec.decode(sample);
    }

    @Override
    public String toString() {
        return canonical + " hash=" + typeHashHex();
    }

    // ---------------------------------------------------------------- fields

    private VarHandle handle(String field, Class<?> carrier) {
        MemoryLayout member;
        try {
            member = layout.select(MemoryLayout.PathElement.groupElement(field));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("type " + name + " has no field '" + field + "'", e);
        }
        if (!(member instanceof ValueLayout value) || value.carrier() != carrier) {
            throw new IllegalArgumentException("field '" + field + "' of " + name + " is " + member
                    + ", not " + carrier.getSimpleName());
        }
        return layout.varHandle(MemoryLayout.PathElement.groupElement(field));
    }

    public ByteField byteField(String field) {
        return new ByteField(handle(field, byte.class));
    }

    public ShortField shortField(String field) {
        return new ShortField(handle(field, short.class));
    }

    public IntField intField(String field) {
        return new IntField(handle(field, int.class));
    }

    public LongField longField(String field) {
        return new LongField(handle(field, long.class));
    }

    public FloatField floatField(String field) {
        return new FloatField(handle(field, float.class));
    }

    public DoubleField doubleField(String field) {
        return new DoubleField(handle(field, double.class));
    }

    /** A {@code byte} field, read and written in place. */
    public static final class ByteField {
        private final VarHandle handle;

        private ByteField(VarHandle handle) {
            this.handle = handle;
        }

        public byte get(MemorySegment sample) {
            return (byte) handle.get(sample, 0L);
        }

        public void set(MemorySegment slot, byte value) {
            handle.set(slot, 0L, value);
        }
    }

    /** A {@code short} field, read and written in place. */
    public static final class ShortField {
        private final VarHandle handle;

        private ShortField(VarHandle handle) {
            this.handle = handle;
        }

        public short get(MemorySegment sample) {
            return (short) handle.get(sample, 0L);
        }

        public void set(MemorySegment slot, short value) {
            handle.set(slot, 0L, value);
        }
    }

    /** An {@code int} field, read and written in place. */
    public static final class IntField {
        private final VarHandle handle;

        private IntField(VarHandle handle) {
            this.handle = handle;
        }

        public int get(MemorySegment sample) {
            return (int) handle.get(sample, 0L);
        }

        public void set(MemorySegment slot, int value) {
            handle.set(slot, 0L, value);
        }
    }

    /** A {@code long} field, read and written in place. */
    public static final class LongField {
        private final VarHandle handle;

        private LongField(VarHandle handle) {
            this.handle = handle;
        }

        public long get(MemorySegment sample) {
            return (long) handle.get(sample, 0L);
        }

        public void set(MemorySegment slot, long value) {
            handle.set(slot, 0L, value);
        }
    }

    /** A {@code float} field, read and written in place. */
    public static final class FloatField {
        private final VarHandle handle;

        private FloatField(VarHandle handle) {
            this.handle = handle;
        }

        public float get(MemorySegment sample) {
            return (float) handle.get(sample, 0L);
        }

        public void set(MemorySegment slot, float value) {
            handle.set(slot, 0L, value);
        }
    }

    /** A {@code double} field, read and written in place. */
    public static final class DoubleField {
        private final VarHandle handle;

        private DoubleField(VarHandle handle) {
            this.handle = handle;
        }

        public double get(MemorySegment sample) {
            return (double) handle.get(sample, 0L);
        }

        public void set(MemorySegment slot, double value) {
            handle.set(slot, 0L, value);
        }
    }

    // ---------------------------------------------------------------- canonical text

    private static String canonicalGroup(GroupLayout group, String where) {
        StringBuilder text = new StringBuilder(group instanceof UnionLayout ? "union{" : "{");
        boolean first = true;
        for (MemoryLayout member : group.memberLayouts()) {
            if (!first) {
                text.append(',');
            }
            first = false;
            if (member instanceof PaddingLayout) {
                text.append("_:pad").append(member.byteSize());
                continue;
            }
            String field = member.name().orElseThrow(() -> new IllegalArgumentException(
                    "a member of " + where + " has no name: " + member + " (use withName)"));
            text.append(field).append(':').append(canonicalMember(member, where + "." + field));
        }
        text.append('}');
        if (group.byteAlignment() != naturalAlignment(group)) {
            text.append("@align").append(group.byteAlignment());
        }
        return text.toString();
    }

    private static long naturalAlignment(GroupLayout group) {
        return group.memberLayouts().stream().mapToLong(MemoryLayout::byteAlignment).max().orElse(1);
    }

    private static String canonicalMember(MemoryLayout member, String where) {
        return switch (member) {
            case AddressLayout a -> throw new IllegalArgumentException(
                    "field " + where + " is an address: pointers mean nothing in another process");
            case ValueLayout v -> primitive(v) + (v.order() == ByteOrder.nativeOrder() ? "" : ":"
                    + (v.order() == ByteOrder.BIG_ENDIAN ? "be" : "le"))
                    + (v.byteAlignment() == v.byteSize() ? "" : "@align" + v.byteAlignment());
            case SequenceLayout s -> "[" + s.elementCount() + "]" + canonicalMember(s.elementLayout(), where + "[]");
            case GroupLayout g -> g.name().orElse("") + canonicalGroup(g, where);
            default -> throw new IllegalArgumentException("field " + where + " has an unsupported layout " + member);
        };
    }

    private static String primitive(ValueLayout v) {
        Class<?> c = v.carrier();
        if (c == byte.class) return "i8";
        if (c == short.class) return "i16";
        if (c == char.class) return "u16";
        if (c == int.class) return "i32";
        if (c == long.class) return "i64";
        if (c == float.class) return "f32";
        if (c == double.class) return "f64";
        if (c == boolean.class) return "bool";
        throw new IllegalArgumentException("unsupported carrier " + c);
    }

    private static byte[] sha256Prefix(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(digest, SegmentLayout.TYPE_HASH_LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
