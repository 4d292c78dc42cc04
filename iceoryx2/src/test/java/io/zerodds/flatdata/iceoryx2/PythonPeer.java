package io.zerodds.flatdata.iceoryx2;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.test.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Foreign iceoryx2 programs in child processes: {@code src/test/python/*.py} on the iceoryx2
 * Python wheel, in the virtual environment the build made, under this JVM's iceoryx2 prefix.
 */
final class PythonPeer {

    private PythonPeer() {
    }

    /** Starts {@code flatdata_peer.py PREFIX mode args...}. */
    static ChildProcess start(String mode, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = mode;
        System.arraycopy(args, 0, all, 1, args.length);
        return run("flatdata_peer.py", all);
    }

    /** Starts the Python program {@code script} (in {@code src/test/python}) with {@code PREFIX args...}. */
    static ChildProcess run(String script, Object... args) {
        String python = System.getProperty("flatdata.iceoryx2.python");
        String peers = System.getProperty("flatdata.iceoryx2.peers");
        assertThat(python).as("system property flatdata.iceoryx2.python (set by the Maven build)").isNotNull();
        assertThat(Files.isExecutable(Path.of(python))).as("python at %s (made by scripts/iceoryx2-python.sh)", python)
                .isTrue();
        List<String> command = new ArrayList<>(List.of(python, Path.of(peers, script).toString(), Iox2Names.PREFIX));
        for (Object arg : args) {
            command.add(String.valueOf(arg));
        }
        return ChildProcess.start("python " + script, command);
    }
}
