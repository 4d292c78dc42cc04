package io.zerodds.flatdata.cli;

import io.zerodds.flatdata.FlatType;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A {@link FlatType} written as its canonical layout text, {@code Tick{id:i64,price:f64,qty:i32,_:pad4}}:
 * a name, then fields {@code name:kind} of the primitive kinds {@code i8 i16 u16 i32 i64 f32 f64
 * bool} and padding {@code _:padN}, in host byte order and natural alignment (core has no parser
 * of that text; this one accepts the flat structs the command line can fill and print). The
 * {@link FlatType} built from it has exactly this canonical text, so its type hash is the one a
 * program declaring the same layout gets.
 */
final class TypeSpec {

    /** One field: its name, kind and offset. */
    record Field(String name, String kind, ValueLayout layout, long offset) {
    }

    private final FlatType<MemorySegment> type;
    private final List<Field> fields;

    private TypeSpec(FlatType<MemorySegment> type, List<Field> fields) {
        this.type = type;
        this.fields = fields;
    }

    FlatType<MemorySegment> type() {
        return type;
    }

    List<Field> fields() {
        return fields;
    }

    /**
     * Parses {@code text}.
     *
     * @throws CliFailure {@link ExitCode#USAGE} naming what is wrong
     */
    static TypeSpec parse(String text) {
        String t = text.replaceAll("\\s+", "");
        int open = t.indexOf('{');
        if (open <= 0 || !t.endsWith("}")) {
            throw bad(text, "expected Name{field:kind,...}, e.g. Tick{id:i64,price:f64}");
        }
        String name = t.substring(0, open);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
            throw bad(text, "the type name '" + name + "' is not an identifier");
        }
        String body = t.substring(open + 1, t.length() - 1);
        if (body.isEmpty()) {
            throw bad(text, "a type needs at least one field");
        }
        List<MemoryLayout> members = new ArrayList<>();
        List<Field> fields = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        long offset = 0;
        for (String member : body.split(",", -1)) {
            int colon = member.indexOf(':');
            if (colon <= 0 || colon == member.length() - 1) {
                throw bad(text, "field '" + member + "' is not name:kind");
            }
            String field = member.substring(0, colon);
            String kind = member.substring(colon + 1);
            if (field.equals("_")) {
                if (!kind.matches("pad[1-9][0-9]*")) {
                    throw bad(text, "padding '" + member + "' is not _:padN");
                }
                long n = Long.parseLong(kind.substring(3));
                members.add(MemoryLayout.paddingLayout(n));
                offset += n;
                continue;
            }
            if (!field.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw bad(text, "field name '" + field + "' is not an identifier");
            }
            if (!names.add(field)) {
                throw bad(text, "field '" + field + "' appears twice");
            }
            ValueLayout layout = primitive(kind);
            if (layout == null) {
                throw bad(text, "field '" + field + "' has kind '" + kind
                        + "'; kinds are i8 i16 u16 i32 i64 f32 f64 bool (nested types and arrays are not supported here)");
            }
            if (offset % layout.byteSize() != 0) {
                throw bad(text, "field '" + field + "' (" + kind + ") would start at offset " + offset
                        + ", not a multiple of " + layout.byteSize() + "; add padding before it, e.g. _:pad"
                        + (layout.byteSize() - offset % layout.byteSize()));
            }
            members.add(layout.withName(field));
            fields.add(new Field(field, kind, layout, offset));
            offset += layout.byteSize();
        }
        StructLayout struct;
        try {
            struct = MemoryLayout.structLayout(members.toArray(MemoryLayout[]::new));
        } catch (IllegalArgumentException e) {
            throw bad(text, e.getMessage());
        }
        FlatType<MemorySegment> type = FlatType.of(name, struct);
        return new TypeSpec(type, List.copyOf(fields));
    }

    private static ValueLayout primitive(String kind) {
        return switch (kind) {
            case "i8" -> ValueLayout.JAVA_BYTE;
            case "i16" -> ValueLayout.JAVA_SHORT;
            case "u16" -> ValueLayout.JAVA_CHAR;
            case "i32" -> ValueLayout.JAVA_INT;
            case "i64" -> ValueLayout.JAVA_LONG;
            case "f32" -> ValueLayout.JAVA_FLOAT;
            case "f64" -> ValueLayout.JAVA_DOUBLE;
            case "bool" -> ValueLayout.JAVA_BOOLEAN;
            default -> null;
        };
    }

    private static CliFailure bad(String text, String why) {
        return new CliFailure(ExitCode.USAGE, "--type='" + text + "': " + why);
    }

    /**
     * Fills sample {@code index}: integer fields get the index (truncated to their width), floating
     * point fields {@code index / 100}, booleans whether the index is odd.
     */
    void fill(MemorySegment slot, long index) {
        for (Field f : fields) {
            long o = f.offset();
            switch (f.layout()) {
                case ValueLayout.OfByte l -> slot.set(l, o, (byte) index);
                case ValueLayout.OfShort l -> slot.set(l, o, (short) index);
                case ValueLayout.OfChar l -> slot.set(l, o, (char) index);
                case ValueLayout.OfInt l -> slot.set(l, o, (int) index);
                case ValueLayout.OfLong l -> slot.set(l, o, index);
                case ValueLayout.OfFloat l -> slot.set(l, o, index / 100f);
                case ValueLayout.OfDouble l -> slot.set(l, o, index / 100.0);
                case ValueLayout.OfBoolean l -> slot.set(l, o, (index & 1) == 1);
                default -> throw new IllegalStateException(f.toString());
            }
        }
    }

    /** {@code Tick{id=42, price=0.42}}. */
    String format(MemorySegment sample) {
        StringBuilder b = new StringBuilder(type.name()).append('{');
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            if (i > 0) {
                b.append(", ");
            }
            b.append(f.name()).append('=');
            long o = f.offset();
            switch (f.layout()) {
                case ValueLayout.OfByte l -> b.append(sample.get(l, o));
                case ValueLayout.OfShort l -> b.append(sample.get(l, o));
                case ValueLayout.OfChar l -> b.append((int) sample.get(l, o));
                case ValueLayout.OfInt l -> b.append(sample.get(l, o));
                case ValueLayout.OfLong l -> b.append(sample.get(l, o));
                case ValueLayout.OfFloat l -> b.append(String.format(Locale.ROOT, "%s", sample.get(l, o)));
                case ValueLayout.OfDouble l -> b.append(String.format(Locale.ROOT, "%s", sample.get(l, o)));
                case ValueLayout.OfBoolean l -> b.append(sample.get(l, o));
                default -> throw new IllegalStateException(f.toString());
            }
        }
        return b.append('}').toString();
    }
}
