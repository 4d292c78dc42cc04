package io.zerodds.flatdata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {

    @Test
    void theDemoMovesEverySampleAndReportsCountBytesAndRate() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true));
        int code;
        try {
            code = Main.run("demo", "--samples", "20000", "--size", "64", "--slots", "8");
        } finally {
            System.setOut(old);
        }
        String text = out.toString();
        assertThat(code).isZero();
        assertThat(text).contains("20,000 of 64 bytes").contains("bytes     1,280,000").contains("samples/s");
    }

    @Test
    void aTooSmallSampleSizeIsRefusedWithTheValue() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cl = new CommandLine(new Main());
        cl.setErr(new java.io.PrintWriter(err, true));
        int code = cl.execute("demo", "--size", "8");
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("--size=8");
    }
}
