package io.zerodds.flatdata.test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs a program's {@code main} in this JVM with {@link System#out} captured, then prints what it
 * printed (so that the test's log still shows it) and returns it.
 */
public final class CapturedOutput {
    private CapturedOutput() {
    }

    /** What runs with the output captured. */
    @FunctionalInterface
    public interface Program {
        void run() throws Exception;
    }

    /** Runs {@code program} with standard output captured; returns what it printed. */
    public static String of(Program program) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            program.run();
        } finally {
            System.setOut(saved);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        saved.print(printed);
        return printed;
    }
}
