package io.zerodds.flatdata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.PosixSlotBackend;
import io.zerodds.flatdata.test.ShmNames;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every class of failure: one line naming the value, its own exit code, a stack trace only with --verbose. */
class ErrorsTest {

    @RegisterExtension
    static final ShmNames NAMES = new ShmNames("cli-errors");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "demo --size 8          | --size=8",
            "demo --slots 0         | --slots=0",
            "demo --samples 0       | --samples=0",
            "demo --slots -3        | --slots=-3",
            "demo --rate -1         | --rate=-1",
            "demo --seconds 0       | --seconds=0",
            "demo --size abc        | 'abc'",
            "demo --backend tcp     | --backend=tcp",
            "pub x --size 4         | --size=4",
            "pub x --rate -5        | --rate=-5.0",
            "pub x --type Tick{id:i33} | i33",
            "sub x --count 0        | --count=0",
            "nosuch --help          | unknown command 'nosuch'",
            "demo --bogus           | --bogus"})
    void aBadCommandLineIsOneLineNamingTheValueWithExitCode2(String args, String named) {
        CliRun run = CliRun.of(args.trim().split(" +"));
        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.USAGE.code);
        assertThat(run.errLines()).as(run.toString()).hasSize(1);
        assertThat(run.err()).contains(named.trim()).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void verboseAddsTheStackTrace() {
        CliRun run = CliRun.of("demo", "--size", "8", "--verbose");
        assertThat(run.code()).isEqualTo(ExitCode.USAGE.code);
        assertThat(run.err()).contains("--size=8").contains("\tat io.zerodds.flatdata.cli.");
    }

    @Test
    void everyCommandHasHelpWithExamples() {
        for (String command : new String[] {"demo", "pub", "sub", "list", "clean"}) {
            CliRun run = CliRun.of(command, "--help");
            assertThat(run.code()).as(command).isZero();
            assertThat(run.out()).as(command).contains("Usage: flatdata " + command).contains("Examples:")
                    .contains("./flatdata " + command);
        }
        CliRun root = CliRun.of("--help");
        assertThat(root.out()).contains("Exit codes:").contains("130").doesNotContain("demo-worker");
    }

    @Test
    void anUnknownSegmentIsExitCode3() {
        String name = NAMES.next();
        CliRun run = CliRun.of("sub", name);
        assertThat(run.code()).isEqualTo(ExitCode.NO_SEGMENT.code);
        assertThat(run.errLines()).singleElement().asString().contains("'" + name + "'");
    }

    @Test
    void aPlainFileIsNotASegmentExitCode6() throws Exception {
        String name = NAMES.next();
        Files.writeString(NAMES.path(name), "not a ring, just some text of a few dozen bytes........");
        try {
            CliRun run = CliRun.of("sub", name);
            assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.NOT_A_SEGMENT.code);
            assertThat(run.errLines()).singleElement().asString().contains(name).contains("not a flatdata segment");
            CliRun pub = CliRun.of("pub", name, "--readers", "0", "--count", "1");
            assertThat(pub.code()).as(pub.toString()).isEqualTo(ExitCode.NOT_A_SEGMENT.code);
            assertThat(Files.readString(NAMES.path(name))).startsWith("not a ring");
        } finally {
            Files.deleteIfExists(NAMES.path(name));
        }
    }

    @Test
    void anotherTypeAndAnotherLayoutVersionAreIncompatibleExitCode5() throws Exception {
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(4).slotCapacity(64).build()) {
            CliRun typed = CliRun.of("sub", name, "--type", "Tick{id:i64,price:f64}", "--count", "1");
            assertThat(typed.code()).as(typed.toString()).isEqualTo(ExitCode.INCOMPATIBLE.code);
            assertThat(typed.errLines()).singleElement().asString().contains("Tick{id:i64,price:f64}");
        }
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(4).slotCapacity(64).keepOnClose().build()) {
            assertThat(ring.path()).exists();
        }
        try {
            NAMES.map(name, segment -> {
                long ext = Integer.toUnsignedLong(segment.get(java.lang.foreign.ValueLayout.JAVA_INT, 0x18));
                segment.set(java.lang.foreign.ValueLayout.JAVA_INT, ext, 99); // the extension's layout version
            });
            CliRun run = CliRun.of("sub", name);
            assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.INCOMPATIBLE.code);
            assertThat(run.errLines()).singleElement().asString().contains("layout version 99");
        } finally {
            Files.deleteIfExists(NAMES.path(name));
        }
    }

    @Test
    void aSegmentWithALiveWriterIsBusyExitCode7() {
        String name = NAMES.next();
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(4).slotCapacity(64).build()) {
            CliRun run = CliRun.of("pub", name, "--readers", "0", "--count", "1");
            assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.BUSY.code);
            assertThat(run.errLines()).singleElement().asString().contains(name)
                    .contains(Long.toString(ProcessHandle.current().pid()));
        }
    }

    @Test
    void pubDoesNotReplaceAPlainReferenceSegment() throws Exception {
        String name = NAMES.next();
        java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(0x20 + 2 * 64).order(java.nio.ByteOrder.nativeOrder());
        header.putInt(0, SegmentHeader.MAGIC).putInt(4, 2).putInt(8, 64);
        Files.write(NAMES.path(name), header.array());
        try {
            CliRun run = CliRun.of("pub", name, "--readers", "0", "--count", "1");
            assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.BUSY.code);
            assertThat(run.errLines()).singleElement().asString().contains("plain reference segment");
            assertThat(Files.readAllBytes(NAMES.path(name))).isEqualTo(header.array());
        } finally {
            Files.deleteIfExists(NAMES.path(name));
        }
    }

    @Test
    void anotherUsersSegmentIsPermissionDeniedExitCode4() throws Exception {
        String name = NAMES.next();
        Path path = NAMES.path(name);
        try (PosixSlotBackend ring = PosixSlotBackend.create(name).slotCount(4).slotCapacity(64).keepOnClose().build()) {
            assertThat(ring.path()).exists();
        }
        try {
            try {
                Files.setAttribute(path, "unix:uid", 4242);
            } catch (java.io.IOException | UnsupportedOperationException e) {
                Assumptions.abort("cannot give " + path + " to another user here (" + e + ")");
            }
            CliRun run = CliRun.of("sub", name);
            assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.PERMISSION.code);
            assertThat(run.errLines()).singleElement().asString().contains("uid 4242");
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void overIceoryx2MoreSlotsThanAServiceHoldsIsAUsageError() {
        CliRun run = CliRun.of("demo", "--backend", "iceoryx2", "--slots", "70000", "--size", "20");
        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.USAGE.code);
        assertThat(run.errLines()).singleElement().asString()
                .isEqualTo("flatdata demo: --slots=70000 must be in [1, 65536] over iceoryx2 (the chunks of one service)");
        // over posix that many slots pass (this run stops at the 1 GiB limit instead, before it starts anything)
        assertThat(CliRun.of("demo", "--slots", "70000", "--size", "20000").errLines()).singleElement().asString()
                .contains("more than 1 GiB");
    }

    @Test
    void overIceoryx2ASizeTooSmallForTheSampleFormatIsTheSameUsageError() {
        CliRun run = CliRun.of("demo", "--backend", "iceoryx2", "--size", "8");
        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.USAGE.code);
        assertThat(run.errLines()).singleElement().asString().startsWith("flatdata demo: --size=8 must be in [20,");
    }

    /**
     * Where the iceoryx2 native library cannot be loaded (here: a library of one's own build that
     * is not there), the demo says so in one line with its own code, and leaves nothing behind.
     */
    @Test
    void iceoryx2WithoutItsNativeLibraryIsUnavailableWithItsOwnCode() {
        String property = DemoCommand.NATIVE_LIBRARY_PROPERTY;
        String before = System.getProperty(property);
        System.setProperty(property, "/nonexistent/libflatdata_iceoryx2.so");
        try {
            CliRun run = CliRun.of("demo", "--backend", "iceoryx2", "--seconds", "1");
            assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.UNAVAILABLE.code);
            assertThat(run.errLines()).as(run.toString()).singleElement().asString()
                    .startsWith("flatdata demo: --backend=iceoryx2: the iceoryx2 backend cannot be loaded here: ")
                    .contains("/nonexistent/libflatdata_iceoryx2.so");
            assertThat(DemoCommandTest.iceoryx2Files(DemoCommandTest.iceoryx2Prefix(ProcessHandle.current().pid())))
                    .isEmpty();
        } finally {
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
        }
    }

    @Test
    void theReadmeTableListsEveryExitCode() throws Exception {
        String readme = Files.readString(Path.of("").toAbsolutePath().getParent().resolve("README.md"));
        for (ExitCode c : ExitCode.values()) {
            assertThat(readme).as(c.name()).contains("\n| " + c.code + " | ");
        }
        CliRun help = CliRun.of("--help");
        for (ExitCode c : ExitCode.values()) {
            assertThat(help.out()).as(c.name()).containsPattern("(?m)^ +" + c.code + " +" + java.util.regex.Pattern.quote(c.meaning.substring(0, Math.min(7, c.meaning.length()))));
        }
    }
}
