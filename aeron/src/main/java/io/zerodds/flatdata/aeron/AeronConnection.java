package io.zerodds.flatdata.aeron;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;

import java.util.function.Consumer;

/**
 * An Aeron client, on a media driver embedded in this process (one shared driver thread, its own
 * random directory, removed on close) or on one already running in a given directory.
 */
final class AeronConnection implements AutoCloseable {

    /** Term length of the embedded driver's publications: a message may be an eighth of it. */
    static final int TERM_LENGTH = 8 * 1024 * 1024;

    private final MediaDriver driver;
    private final Aeron aeron;

    private AeronConnection(MediaDriver driver, Aeron aeron) {
        this.driver = driver;
        this.aeron = aeron;
    }

    static AeronConnection open(String aeronDirectory, Consumer<MediaDriver.Context> driverConfig) {
        MediaDriver driver = null;
        String directory = aeronDirectory;
        if (directory == null) {
            MediaDriver.Context context = new MediaDriver.Context()
                    .aeronDirectoryName(CommonContext.generateRandomDirName())
                    .threadingMode(ThreadingMode.SHARED)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .termBufferSparseFile(true)
                    .publicationTermBufferLength(TERM_LENGTH)
                    .ipcTermBufferLength(64 * 1024);
            if (driverConfig != null) {
                driverConfig.accept(context);
            }
            driver = MediaDriver.launch(context);
            directory = driver.aeronDirectoryName();
        }
        try {
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory));
            return new AeronConnection(driver, aeron);
        } catch (RuntimeException e) {
            CloseHelper.quietClose(driver);
            throw e;
        }
    }

    Aeron aeron() {
        return aeron;
    }

    @Override
    public void close() {
        CloseHelper.closeAll(aeron, driver);
    }
}
