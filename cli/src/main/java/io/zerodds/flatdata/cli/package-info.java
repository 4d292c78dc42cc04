/**
 * The {@code ./flatdata} command line (picocli): {@link io.zerodds.flatdata.cli.Main} dispatches to
 * one class per command.
 *
 * <ul>
 *   <li>{@code DemoCommand} ({@code demo}): a writer process and two reader processes over POSIX
 *       shared memory, live progress and a summary; its children run the hidden
 *       {@code DemoWorkerCommand}, whose parts are in {@code DemoWorkers} and report
 *       {@code Progress} lines counted by a {@code Meter}.
 *   <li>{@code PubCommand}, {@code SubCommand} ({@code pub}, {@code sub}): publish and read raw
 *       ({@code SampleFormat}, checked by {@code SampleChecker}) or typed ({@code TypeSpec})
 *       samples.
 *   <li>{@code ListCommand}, {@code CleanCommand} ({@code list}, {@code clean}): the segments in
 *       /dev/shm ({@code ShmDirectory}), read with plain file I/O by {@code SegmentHeader}, its
 *       offsets from core's public ring descriptors ({@code SegmentLayout}, {@code SlotDescriptor},
 *       {@code ReaderEntryDescriptor}, {@code WaiterEntryDescriptor}).
 *   <li>{@code InspectCommand} ({@code inspect}): one segment, read through a read-only mapping
 *       and the descriptors' accessors into a {@code SegmentSnapshot}.
 *   <li>{@code ExitCode}, {@code CliFailure}, {@code Errors}: one line per failure, one exit code
 *       per class of failure; {@code Segments} gives each refusal of open and create its class.
 * </ul>
 */
package io.zerodds.flatdata.cli;
