package dev.strix.detection.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options one command accepts, and their parser. Two forms are understood: {@code --name value} (also
 * {@code --name=value}) for options that take a value and {@code --flag} for switches. {@code --help} is
 * always accepted. Anything else that starts with {@code --} is rejected with a {@link UsageException};
 * bare words are positional arguments, allowed up to {@link #positionals}.
 */
public final class OptionSpec {
    /** One option: its name without dashes, the placeholder of its value (null for a flag) and its help. */
    public record Option(String name, String valueName, String help, boolean required) {
        boolean isFlag() {
            return valueName == null;
        }
    }

    private final String command;
    private final Map<String, Option> options = new LinkedHashMap<>();
    private final List<String> positionalNames = new ArrayList<>();

    /** @param command the command as typed, e.g. {@code "forward"} or {@code "bench gemm"} */
    public OptionSpec(String command) {
        this.command = command;
    }

    /** An option that takes a value and must be given. */
    public OptionSpec required(String name, String valueName, String help) {
        return add(new Option(name, valueName, help, true));
    }

    /** An option that takes a value and may be left out. */
    public OptionSpec optional(String name, String valueName, String help) {
        return add(new Option(name, valueName, help, false));
    }

    /** A switch without a value. */
    public OptionSpec flag(String name, String help) {
        return add(new Option(name, null, help, false));
    }

    /** A positional argument, described in the usage line by {@code name}. */
    public OptionSpec positional(String name) {
        positionalNames.add(name);
        return this;
    }

    private OptionSpec add(Option o) {
        if (options.putIfAbsent(o.name(), o) != null) throw new IllegalArgumentException("duplicate option " + o.name());
        return this;
    }

    /** The options, in the order they were added (for commands that accept another command's options). */
    public List<Option> options() {
        return List.copyOf(options.values());
    }

    public String command() {
        return command;
    }

    /** Maximum number of positional arguments. */
    public int positionals() {
        return positionalNames.size();
    }

    /**
     * Parses {@code args} (the words after the command name).
     *
     * @throws UsageException for an unknown option, a missing value, a repeated option, too many positional
     *                        arguments or a missing required option (unless {@code --help} was given)
     */
    public ParsedArgs parse(List<String> args) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        boolean help = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || a.equals("--")) {
                if (positional.size() >= positionalNames.size())
                    throw usage("unexpected argument '" + a + "'");
                positional.add(a);
                continue;
            }
            String name = a.substring(2), value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (name.equals("help")) {
                help = true;
                continue;
            }
            Option o = options.get(name);
            if (o == null) throw usage("unknown option --" + name);
            if (o.isFlag()) {
                if (value != null) throw usage("option --" + name + " takes no value");
                value = "true";
            } else if (value == null) {
                if (i + 1 >= args.size() || args.get(i + 1).startsWith("--"))
                    throw usage("option --" + name + " needs a value (" + o.valueName() + ")");
                value = args.get(++i);
            }
            if (values.put(name, value) != null) throw usage("option --" + name + " is given twice");
        }
        if (!help)
            for (Option o : options.values())
                if (o.required() && !values.containsKey(o.name()))
                    throw usage("missing required option --" + o.name() + " " + o.valueName());
        return new ParsedArgs(this, values, positional, help);
    }

    /** A usage error that points at this command's help. */
    public UsageException usage(String message) {
        return new UsageException("strix " + command + ": " + message + " (see 'strix " + command + " --help')");
    }

    /** Multi-line help: the synopsis, then one line per option. */
    public String help(String description) {
        StringBuilder sb = new StringBuilder("usage: strix ").append(command);
        for (String p : positionalNames) sb.append(' ').append(p);
        for (Option o : options.values()) {
            String form = "--" + o.name() + (o.isFlag() ? "" : " " + o.valueName());
            sb.append(' ').append(o.required() ? form : "[" + form + "]");
        }
        sb.append("\n\n").append(description).append("\n\noptions:\n");
        int width = "--help".length();
        for (Option o : options.values()) width = Math.max(width, label(o).length());
        for (Option o : options.values())
            sb.append("  ").append(String.format("%-" + width + "s", label(o))).append("  ").append(o.help()).append('\n');
        sb.append("  ").append(String.format("%-" + width + "s", "--help")).append("  show this help\n");
        return sb.toString();
    }

    private static String label(Option o) {
        return "--" + o.name() + (o.isFlag() ? "" : " " + o.valueName());
    }
}
