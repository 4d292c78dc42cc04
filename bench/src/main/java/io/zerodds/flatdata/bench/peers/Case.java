package io.zerodds.flatdata.bench.peers;

import java.util.ArrayList;
import java.util.List;

/** One latency measurement's message: its size, and whether sender and receiver touch every byte. */
record Case(int size, boolean touch) {

    /** Every size touched, then the largest untouched (what zero copy saves). */
    static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        for (int size : Sizes.ALL) {
            cases.add(new Case(size, true));
        }
        cases.add(new Case(Sizes.LARGEST, false));
        return cases;
    }

    /** {@code 64 B}, {@code 1 MiB untouched}. */
    String label() {
        return Sizes.label(size) + (touch ? "" : " untouched");
    }
}
