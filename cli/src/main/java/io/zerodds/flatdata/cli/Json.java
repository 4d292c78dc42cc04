package io.zerodds.flatdata.cli;

import java.util.List;
import java.util.Map;

/** Just enough JSON output for {@code list --json}: maps, lists, strings, numbers, booleans, null. */
final class Json {
    private Json() {
    }

    static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, 0);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v, int indent) {
        switch (v) {
            case null -> b.append("null");
            case String s -> string(b, s);
            case Boolean x -> b.append(x);
            case Integer x -> b.append(x);
            case Long x -> b.append(x);
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    b.append("{}");
                    return;
                }
                b.append("{\n");
                int i = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    pad(b, indent + 1);
                    string(b, String.valueOf(e.getKey()));
                    b.append(": ");
                    write(b, e.getValue(), indent + 1);
                    b.append(++i < m.size() ? ",\n" : "\n");
                }
                pad(b, indent);
                b.append('}');
            }
            case List<?> l -> {
                if (l.isEmpty()) {
                    b.append("[]");
                    return;
                }
                b.append("[\n");
                for (int i = 0; i < l.size(); i++) {
                    pad(b, indent + 1);
                    write(b, l.get(i), indent + 1);
                    b.append(i + 1 < l.size() ? ",\n" : "\n");
                }
                pad(b, indent);
                b.append(']');
            }
            default -> throw new IllegalArgumentException("no JSON for " + v.getClass());
        }
    }

    private static void pad(StringBuilder b, int indent) {
        b.append("  ".repeat(indent));
    }

    static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7F || Character.isSurrogate(c) && !validSurrogate(s, i)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
