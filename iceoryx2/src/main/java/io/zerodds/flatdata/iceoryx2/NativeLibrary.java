package io.zerodds.flatdata.iceoryx2;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * Finds the bridge's native library: packaged in this module's jar under a per-platform resource
 * path, extracted once to a private temporary file and loaded from there (the way Netty ships its
 * native transports), so a user adds one Maven dependency and nothing else. The system property
 * {@value #OVERRIDE_PROPERTY} points at a library file instead, for a developer's own build.
 */
final class NativeLibrary {

    static final String OVERRIDE_PROPERTY = "flatdata.iceoryx2.library";
    static final String FILE_NAME = "libflatdata_iceoryx2.so";

    private NativeLibrary() {
    }

    /** The resource path of the library for this JVM's platform, e.g. {@code .../linux-x86_64/libflatdata_iceoryx2.so}. */
    static String resourcePath() {
        return "/io/zerodds/flatdata/iceoryx2/native/" + platform() + "/" + FILE_NAME;
    }

    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osName = os.startsWith("linux") ? "linux" : os.replace(' ', '_');
        String archName = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
        return osName + "-" + archName;
    }

    /** Loads the library into the global arena (it stays loaded for the life of the JVM). */
    static SymbolLookup load() {
        String override = System.getProperty(OVERRIDE_PROPERTY);
        if (override != null && !override.isBlank()) {
            Path path = Path.of(override);
            if (!Files.isReadable(path)) {
                throw new IllegalStateException(OVERRIDE_PROPERTY + "=" + override + " is not a readable file");
            }
            return SymbolLookup.libraryLookup(path, Arena.global());
        }
        String resource = resourcePath();
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("flatdata-iceoryx2 carries no native library for platform "
                        + platform() + " (resource " + resource + " is missing from the jar); "
                        + "build the module on that platform or set -D" + OVERRIDE_PROPERTY + "=<path>");
            }
            Path file = Files.createTempFile("flatdata-iceoryx2-", ".so",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                return SymbolLookup.libraryLookup(file, Arena.global());
            } finally {
                // the loader keeps the mapping; the file itself is not needed once loaded
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + resource + " to a temporary file", e);
        }
    }
}
