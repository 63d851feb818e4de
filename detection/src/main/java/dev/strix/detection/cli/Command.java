package dev.strix.detection.cli;

import java.io.PrintStream;
import java.util.List;

/** One subcommand of {@code strix}. */
interface Command {
    /** The word that selects it, e.g. {@code "forward"}. */
    String name();

    /** One line for the command list. */
    String summary();

    /**
     * Runs the command on the words after its name. Returns the exit code (0 on success); throws
     * {@link CliException} for reported failures.
     */
    int run(List<String> args, PrintStream out, PrintStream err);
}
