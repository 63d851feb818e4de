package dev.strix.detection.cli;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The options and positional arguments of one invocation, with typed accessors that report bad values. */
public final class ParsedArgs {
    private final OptionSpec spec;
    private final Map<String, String> values;
    private final List<String> positional;
    private final boolean help;

    ParsedArgs(OptionSpec spec, Map<String, String> values, List<String> positional, boolean help) {
        this.spec = spec;
        this.values = Map.copyOf(values);
        this.positional = List.copyOf(positional);
        this.help = help;
    }

    /** True when {@code --help} was given. */
    public boolean helpRequested() {
        return help;
    }

    /** True when option {@code name} (a flag or a valued option) was given. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The value of {@code name}, or {@code fallback} when absent. */
    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** Positional arguments in order. */
    public List<String> positional() {
        return positional;
    }

    /** The integer value of {@code name} (at least {@code min}), or {@code fallback} when absent. */
    public int intValue(String name, int fallback, int min) {
        String v = values.get(name);
        if (v == null) return fallback;
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw spec.usage("option --" + name + " needs an integer, got '" + v + "'");
        }
        if (n < min) throw spec.usage("option --" + name + " must be >= " + min + ", got " + n);
        return n;
    }

    /** The path given to {@code name}, which must be an existing regular file. */
    public Path existingFile(String name) {
        Path p = path(name);
        if (!Files.exists(p)) throw spec.usage("--" + name + " " + p + ": file not found");
        if (!Files.isRegularFile(p)) throw spec.usage("--" + name + " " + p + ": not a regular file");
        if (!Files.isReadable(p)) throw spec.usage("--" + name + " " + p + ": not readable");
        return p;
    }

    /** The path given to {@code name} (required by the spec or checked by the caller). */
    public Path path(String name) {
        String v = values.get(name);
        if (v == null) throw spec.usage("missing required option --" + name);
        try {
            return Path.of(v);
        } catch (InvalidPathException e) {
            throw spec.usage("--" + name + ": invalid path '" + v + "'");
        }
    }

    /** A usage error (exit 2) of this command, prefixed with the command's name like the parser's own. */
    public UsageException usage(String message) {
        return spec.usage(message);
    }

    /** The value of {@code name}, which must be one of {@code allowed}; {@code fallback} when absent. */
    public String choice(String name, String fallback, List<String> allowed) {
        String v = values.getOrDefault(name, fallback);
        if (!allowed.contains(v))
            throw spec.usage("option --" + name + " must be one of " + String.join("|", allowed) + ", got '" + v + "'");
        return v;
    }
}
