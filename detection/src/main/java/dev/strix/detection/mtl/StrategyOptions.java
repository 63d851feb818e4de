package dev.strix.detection.mtl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed reading of a strategy's option map, accepting the value forms that come from JSON configs and the command
 * line: numbers or numeric strings, booleans or "true"/"false", lists or comma-separated strings, maps or
 * "task=value,..." strings. Keys read are remembered so that {@link #requireAllUsed} can reject unknown ones.
 */
final class StrategyOptions {
    private final String strategy;
    private final Map<String, Object> values;
    private final Set<String> accepted = new HashSet<>();

    StrategyOptions(String strategy, Map<String, Object> values) {
        this.strategy = strategy;
        this.values = values == null ? Map.of() : values;
    }

    double getDouble(String key, double def) {
        accepted.add(key);
        Object v = values.get(key);
        if (v == null) return def;
        if (v instanceof Number n) return n.doubleValue();
        try {
            return Double.parseDouble(v.toString().trim());
        } catch (NumberFormatException e) {
            throw bad(key, v, "a number");
        }
    }

    long getLong(String key, long def) {
        accepted.add(key);
        Object v = values.get(key);
        if (v == null) return def;
        if (v instanceof Number n) {
            if (n.doubleValue() != Math.rint(n.doubleValue())) throw bad(key, v, "an integer");
            return n.longValue();
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw bad(key, v, "an integer");
        }
    }

    boolean getBoolean(String key, boolean def) {
        accepted.add(key);
        Object v = values.get(key);
        if (v == null) return def;
        if (v instanceof Boolean b) return b;
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        if (s.equals("true")) return true;
        if (s.equals("false")) return false;
        throw bad(key, v, "true or false");
    }

    List<String> getTasks(String key, List<String> def) {
        accepted.add(key);
        Object v = values.get(key);
        if (v == null) return def;
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) for (Object o : l) out.add(String.valueOf(o).trim());
        else for (String s : v.toString().split(",")) out.add(s.trim());
        out.removeIf(String::isEmpty);
        if (out.isEmpty()) throw bad(key, v, "a non-empty list of task names");
        return out;
    }

    /** A task -> weight map, from a map or "cls=1,box=2". */
    Map<String, Double> getWeights(String key) {
        accepted.add(key);
        Object v = values.get(key);
        Map<String, Double> out = new LinkedHashMap<>();
        if (v == null) return out;
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) out.put(String.valueOf(e.getKey()), number(key, e.getValue()));
            return out;
        }
        for (String part : v.toString().split(",")) {
            if (part.isBlank()) continue;
            String[] kv = part.split("=", 2);
            if (kv.length != 2 || kv[0].isBlank()) throw bad(key, v, "task=weight pairs such as cls=1,box=2");
            out.put(kv[0].trim(), number(key, kv[1].trim()));
        }
        return out;
    }

    private double number(String key, Object o) {
        if (o instanceof Number n) return n.doubleValue();
        try {
            return Double.parseDouble(String.valueOf(o));
        } catch (NumberFormatException e) {
            throw bad(key, o, "a number");
        }
    }

    /** Fails when the map holds keys that no getter asked for, listing the accepted ones. */
    void requireAllUsed() {
        TreeSet<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(accepted);
        if (!unknown.isEmpty())
            throw new IllegalArgumentException("strategy '" + strategy + "' has no option" + (unknown.size() > 1 ? "s " : " ")
                    + unknown + "; its options are " + new TreeSet<>(accepted));
    }

    private IllegalArgumentException bad(String key, Object v, String expected) {
        String shown = v instanceof Object[] a ? Arrays.toString(a) : String.valueOf(v);
        return new IllegalArgumentException("strategy '" + strategy + "': option '" + key + "' must be " + expected
                + ", got '" + shown + "'");
    }
}
