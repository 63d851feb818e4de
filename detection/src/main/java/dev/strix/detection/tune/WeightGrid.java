package dev.strix.detection.tune;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A grid of loss weights for {@code strix tune}, parsed from {@code "key=v1,v2,...;key=v1,..."}: the points are the
 * Cartesian product of the value lists, the first key varying slowest.
 *
 * <ul>
 *   <li>strategy {@code weighted} (L = sum_t w_t L_t): keys are tasks ({@code cls}, {@code box}, {@code ctr}); a task
 *       left out keeps weight 1. A point becomes the strategy option {@code weights = "cls=0.5,box=2"}.</li>
 *   <li>strategy {@code coupled} (L = L_cls + w L_box + w_ctr L_ctr): keys are {@code box} (the coupling weight w,
 *       option {@code box_weight}) and {@code ctr} ({@code ctr_weight}).</li>
 * </ul>
 *
 * @param strategy weighted or coupled
 * @param keys     the grid's keys in the order given
 * @param points   every combination, each a key -> weight map in key order
 */
public record WeightGrid(String strategy, List<String> keys, List<Map<String, Double>> points) {
    /** The strategies whose weights a grid sets. */
    public static final List<String> STRATEGIES = List.of("weighted", "coupled");
    /** Most points a grid may have (a guard against a typo that multiplies trials). */
    public static final int MAX_POINTS = 1000;

    public WeightGrid {
        keys = List.copyOf(keys);
        points = points.stream().map(p -> java.util.Collections.unmodifiableMap(new LinkedHashMap<>(p))).toList();
    }

    /** The keys a grid of {@code strategy} accepts. */
    public static List<String> keysOf(String strategy) {
        return switch (strategy) {
            case "weighted" -> List.of("cls", "box", "ctr");
            case "coupled" -> List.of("box", "ctr");
            default -> throw new IllegalArgumentException("a weight grid needs strategy " + String.join(" or ", STRATEGIES)
                    + ", got '" + strategy + "'");
        };
    }

    /**
     * Parses {@code spec} for {@code strategy}.
     *
     * @throws IllegalArgumentException naming the entry that is wrong and why
     */
    public static WeightGrid parse(String strategy, String spec) {
        String s = strategy == null ? "" : strategy.trim().toLowerCase(Locale.ROOT);
        List<String> allowed = keysOf(s);
        if (spec == null || spec.isBlank())
            throw new IllegalArgumentException("the grid is empty; expected e.g. " + example(s));
        Map<String, double[]> axes = new LinkedHashMap<>();
        String[] entries = spec.split(";", -1);
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].trim();
            String where = "entry " + (i + 1) + " '" + entry + "'";
            if (entry.isEmpty()) {
                if (i == entries.length - 1 && i > 0) continue; // a trailing ';'
                throw new IllegalArgumentException(where + " is empty; entries are key=v1,v2,... separated by ';', e.g. "
                        + example(s));
            }
            int eq = entry.indexOf('=');
            if (eq < 0)
                throw new IllegalArgumentException(where + " has no '='; expected key=v1,v2,... e.g. " + example(s));
            String key = entry.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (!allowed.contains(key))
                throw new IllegalArgumentException(where + ": unknown key '" + key + "' for strategy " + s + "; keys are "
                        + String.join(", ", allowed) + (s.equals("coupled") ? " (box: the coupling weight w)" : ""));
            if (axes.containsKey(key)) throw new IllegalArgumentException(where + ": key '" + key + "' is given twice");
            String[] values = entry.substring(eq + 1).split(",", -1);
            double[] v = new double[values.length];
            for (int j = 0; j < values.length; j++) {
                String text = values[j].trim();
                if (text.isEmpty())
                    throw new IllegalArgumentException(where + ": value " + (j + 1) + " of '" + key + "' is empty");
                try {
                    v[j] = Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(where + ": '" + text + "' is not a number");
                }
                if (!Double.isFinite(v[j]) || v[j] < 0)
                    throw new IllegalArgumentException(where + ": weight " + text + " must be finite and >= 0");
                for (int k = 0; k < j; k++)
                    if (v[k] == v[j]) throw new IllegalArgumentException(where + ": value " + text + " is repeated");
            }
            axes.put(key, v);
        }
        long count = 1;
        for (double[] v : axes.values()) count *= v.length;
        if (count > MAX_POINTS)
            throw new IllegalArgumentException("the grid has " + count + " points; at most " + MAX_POINTS + " are allowed");
        List<Map<String, Double>> points = new ArrayList<>();
        points.add(new LinkedHashMap<>());
        for (Map.Entry<String, double[]> axis : axes.entrySet()) {
            List<Map<String, Double>> next = new ArrayList<>();
            for (Map<String, Double> p : points)
                for (double v : axis.getValue()) {
                    Map<String, Double> q = new LinkedHashMap<>(p);
                    q.put(axis.getKey(), v);
                    next.add(q);
                }
            points = next;
        }
        return new WeightGrid(s, new ArrayList<>(axes.keySet()), points);
    }

    private static String example(String strategy) {
        return strategy.equals("coupled") ? "\"box=0.5,1,2,5\"" : "\"cls=0.5,1,2;box=1,2,5\"";
    }

    /** The strategy options of point {@code p}, on top of {@code base} (the base config's options). */
    public Map<String, Object> strategyOptions(Map<String, Double> p, Map<String, Object> base) {
        Map<String, Object> o = new LinkedHashMap<>(base);
        if (strategy.equals("weighted")) {
            o.put("weights", label(p, "="));
        } else {
            if (p.containsKey("box")) o.put("box_weight", p.get("box"));
            if (p.containsKey("ctr")) o.put("ctr_weight", p.get("ctr"));
        }
        return o;
    }

    /** {@code "cls=0.5,box=2"} with separator {@code "="}; numbers in their shortest form (1, not 1.0). */
    public static String label(Map<String, Double> p, String separator) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Double> e : p.entrySet()) {
            if (!sb.isEmpty()) sb.append(',');
            sb.append(e.getKey()).append(separator).append(number(e.getValue()));
        }
        return sb.toString();
    }

    /** A folder name for point {@code p}: {@code cls0.5_box2}. */
    public static String folderName(Map<String, Double> p) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Double> e : p.entrySet()) {
            if (!sb.isEmpty()) sb.append('_');
            sb.append(e.getKey()).append(number(e.getValue()));
        }
        return sb.toString();
    }

    /** {@code v} without a trailing {@code .0}. */
    public static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
