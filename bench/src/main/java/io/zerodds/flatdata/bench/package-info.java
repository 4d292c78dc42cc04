/**
 * The benchmarks behind {@code ./flatdata bench NAME}; {@link io.zerodds.flatdata.bench.BenchMain}
 * picks one by name. Each public class is one benchmark with its usage in its javadoc
 * ({@code PosixLatency}, {@code Iceoryx2Latency}, {@code InMemoryThroughput},
 * {@code ReactiveThroughput}); {@code Latencies} holds what the ping-pong benchmarks share,
 * {@code RingFloor} the bare hand-off they compare with, {@code BusyWait} the give-up check of
 * their spin loops. {@code Iceoryx2Latency}'s modes are {@code PingPongSide}s: {@code FlatSide}
 * ({@code FlatWriter}/{@code FlatReader} over a backend), {@code BackendApiSide} (the backend's
 * calls alone), {@code FfmIceoryx2Side} (the native ping-pong's calls as bare downcalls) and
 * {@code NativeIceoryx2Side} (the native ping-pong).
 */
package io.zerodds.flatdata.bench;
