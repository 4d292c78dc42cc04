/**
 * The {@code ./flatdata} command line (picocli): {@link io.zerodds.flatdata.cli.Main} dispatches to
 * one class per command ({@code DemoCommand}: {@code ./flatdata demo}).
 */
package io.zerodds.flatdata.cli;
