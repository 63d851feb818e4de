package dev.strix.detection.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code strix} command line: {@code strix <command> [options]}.
 *
 * <p>Exit codes: 0 success, 1 a failure while running (the message says what failed), 2 a wrong invocation
 * (unknown command or option, missing or bad value, missing input file). Errors are one line on stderr;
 * {@code --debug} anywhere on the command line adds the stack trace.
 */
public final class Main {
    private static final List<Command> COMMANDS = List.of(
            new ForwardCommand(), new BenchCommand(), new InfoCommand(),
            new DetectCommand(),
            new EvalCommand(),
            new TrainCommand(),
            new TuneCommand(), new CompareCommand(),
            new DemoCommand(), new SynthCommand());

    private Main() {}

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /**
     * Runs one command line and returns its exit code instead of exiting.
     *
     * @param args the words after {@code strix}
     * @param out  normal output
     * @param err  errors and notes
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> words = new ArrayList<>(List.of(args));
        boolean debug = words.remove("--debug");
        while (words.remove("--debug")) { /* accept it more than once */ }
        try {
            return dispatch(words, out, err);
        } catch (CliException e) {
            err.println(e.getMessage());
            if (debug) e.printStackTrace(err);
            return e.exitCode();
        } catch (LinkageError e) {
            err.println("strix: error: " + describe(e) + (e.getMessage() != null && e.getMessage().contains("jdk/incubator")
                    ? " (start Java with --add-modules jdk.incubator.vector)" : ""));
            if (debug) e.printStackTrace(err);
            return CliException.RUNTIME;
        } catch (OutOfMemoryError e) {
            err.println("strix: error: out of memory (raise the heap with -Xmx, e.g. STRIX_JAVA_OPTS=-Xmx8g ./strix ...)");
            if (debug) e.printStackTrace(err);
            return CliException.RUNTIME;
        } catch (RuntimeException e) {
            err.println("strix: error: " + describe(e) + (debug ? "" : " (run with --debug for details)"));
            if (debug) e.printStackTrace(err);
            return CliException.RUNTIME;
        }
    }

    private static int dispatch(List<String> words, PrintStream out, PrintStream err) {
        if (words.isEmpty()) {
            err.print(overview());
            return CliException.USAGE;
        }
        String first = words.getFirst();
        List<String> rest = words.subList(1, words.size());
        switch (first) {
            case "help", "--help", "-h" -> {
                if (rest.isEmpty()) {
                    out.print(overview());
                    return 0;
                }
                if (rest.getFirst().equals("version") || rest.getFirst().equals("help")) {
                    out.print(overview());
                    return 0;
                }
                return command(rest.getFirst()).run(List.of("--help"), out, err);
            }
            case "version", "--version" -> {
                if (!rest.isEmpty() && !rest.equals(List.of("--help")))
                    throw new UsageException("strix version: unexpected argument '" + rest.getFirst() + "'");
                out.println(Version.string() + " (Java " + System.getProperty("java.version") + ", "
                        + System.getProperty("java.vendor") + ")");
                return 0;
            }
            default -> {
                return command(first).run(rest, out, err);
            }
        }
    }

    private static Command command(String name) {
        for (Command c : COMMANDS) if (c.name().equals(name)) return c;
        List<String> names = new ArrayList<>();
        for (Command c : COMMANDS) names.add(c.name());
        names.add("version");
        names.add("help");
        throw new UsageException("strix: unknown command '" + name + "' (commands: " + String.join(", ", names)
                + "; see 'strix help')");
    }

    /** The list of commands. */
    static String overview() {
        StringBuilder sb = new StringBuilder("usage: strix <command> [options]   (strix <command> --help for its options)\n\n")
                .append("commands:\n");
        for (Command c : COMMANDS) sb.append(String.format("  %-9s %s%n", c.name(), c.summary()));
        sb.append(String.format("  %-9s %s%n", "version", "print the version"));
        sb.append(String.format("  %-9s %s%n", "help", "show this list, or 'strix help <command>'"));
        sb.append("\nglobal options:\n  --debug   print stack traces of errors\n");
        return sb.toString();
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
