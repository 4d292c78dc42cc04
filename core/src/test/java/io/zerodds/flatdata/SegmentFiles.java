package io.zerodds.flatdata;

import io.zerodds.flatdata.test.ShmNames;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.ObjLongConsumer;

/** Edits of a POSIX ring's file as another (or a crashed) process would leave it. */
final class SegmentFiles {

    private SegmentFiles() {
    }

    /** Maps the object {@code name} and hands {@code edit} the mapping and its extension offset. */
    static void edit(ShmNames names, String name, ObjLongConsumer<MemorySegment> edit) throws IOException {
        names.map(name, s -> edit.accept(s,
                Integer.toUnsignedLong(s.get(ValueLayout.JAVA_INT, SegmentLayout.EXT_OFFSET_OFFSET))));
    }
}
