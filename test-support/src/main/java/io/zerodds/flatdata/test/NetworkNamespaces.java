package io.zerodds.flatdata.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A second "host" on this machine: a network namespace joined to this one by a veth pair, with
 * addresses 10.213.N.1 (here) and 10.213.N.2 (there), names unique per run. Needs root and
 * {@code ip}; {@link #create()} returns {@code null} with the reason in {@link #whyNot} otherwise.
 * The aeron module's two-host tests and the bridge benchmark use it.
 */
public final class NetworkNamespaces implements AutoCloseable {
    /** Why the last {@link #create()} returned {@code null}. */
    public static volatile String whyNot;

    public final String namespace;
    public final String hostLink;
    public final String peerLink;
    public final String hostAddress;
    public final String peerAddress;

    private NetworkNamespaces(String tag, int subnet) {
        this.namespace = "flatdata-" + tag;
        this.hostLink = "fdh" + tag;
        this.peerLink = "fdp" + tag;
        this.hostAddress = "10.213." + subnet + ".1";
        this.peerAddress = "10.213." + subnet + ".2";
    }

    public static NetworkNamespaces create() {
        String tag = Long.toString(ProcessHandle.current().pid() % 100_000, 36)
                + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
        NetworkNamespaces ns = new NetworkNamespaces(tag, ThreadLocalRandom.current().nextInt(1, 255));
        String failure = ns.run("ip", "netns", "add", ns.namespace);
        if (failure != null) {
            whyNot = "cannot create a network namespace (needs root and ip from iproute2): " + failure;
            return null;
        }
        try {
            ns.check(ns.run("ip", "link", "add", ns.hostLink, "type", "veth", "peer", "name", ns.peerLink));
            ns.check(ns.run("ip", "link", "set", ns.peerLink, "netns", ns.namespace));
            ns.check(ns.run("ip", "addr", "add", ns.hostAddress + "/30", "dev", ns.hostLink));
            ns.check(ns.run("ip", "link", "set", ns.hostLink, "up"));
            ns.check(ns.run("ip", "netns", "exec", ns.namespace, "ip", "addr", "add", ns.peerAddress + "/30", "dev", ns.peerLink));
            ns.check(ns.run("ip", "netns", "exec", ns.namespace, "ip", "link", "set", ns.peerLink, "up"));
            ns.check(ns.run("ip", "netns", "exec", ns.namespace, "ip", "link", "set", "lo", "up"));
            return ns;
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    /** {@code command} run inside the namespace. */
    public List<String> inside(List<String> command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        all.addAll(command);
        return all;
    }

    private void check(String failure) {
        if (failure != null) {
            throw new IllegalStateException("setting up namespace " + namespace + ": " + failure);
        }
    }

    /** Runs a command; {@code null} when it exits 0, else its command line, exit code and output. */
    private String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + ": no exit within 10 s";
            }
            return p.exitValue() == 0 ? null : String.join(" ", command) + ": exit " + p.exitValue() + ": " + out;
        } catch (IOException e) {
            return String.join(" ", command) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Removes the namespace (and with it the peer end) and the host end of the link. */
    @Override
    public void close() {
        run("ip", "netns", "del", namespace);
        run("ip", "link", "del", hostLink);
    }
}
