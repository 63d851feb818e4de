package dev.strix.detection.mtl;

import dev.strix.nn.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a multi-task model's parameters divide between the tasks.
 *
 * <p>Hard sharing (one trunk): {@code shared} holds the parameters every task's loss depends on (backbone, neck),
 * {@code lastSharedLayer} the parameters of the last shared layer (GradNorm measures gradient norms there), and
 * {@code taskParameters} each task's own parameters (its head). Independent sharing (one trunk per task):
 * {@code shared} and {@code lastSharedLayer} are empty and {@code taskParameters} holds each task's whole trunk
 * and head. A parameter may belong to several tasks (e.g. a tower used by the box and centerness outputs) but
 * never to both the shared list and a task list.
 *
 * @param shared          parameters shared by all tasks (any shapes)
 * @param lastSharedLayer the last shared layer's parameters, a subset of {@code shared}
 * @param taskParameters  per task, the parameters that belong to that task only (or to a subset of tasks)
 */
public record SharedParameters(List<Tensor> shared, List<Tensor> lastSharedLayer,
                               Map<String, List<Tensor>> taskParameters) {
    public SharedParameters {
        shared = List.copyOf(shared);
        lastSharedLayer = List.copyOf(lastSharedLayer);
        Map<String, List<Tensor>> copy = new LinkedHashMap<>();
        taskParameters.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        taskParameters = Collections.unmodifiableMap(copy);
        Set<Tensor> sharedSet = identitySet(shared);
        if (sharedSet.size() != shared.size()) throw new IllegalArgumentException("a shared parameter is listed twice");
        for (Tensor t : lastSharedLayer)
            if (!sharedSet.contains(t))
                throw new IllegalArgumentException("last shared layer parameter " + t + " is not among the shared parameters");
        for (Map.Entry<String, List<Tensor>> e : taskParameters.entrySet())
            for (Tensor t : e.getValue())
                if (sharedSet.contains(t))
                    throw new IllegalArgumentException("parameter " + t + " of task '" + e.getKey()
                            + "' is also listed as shared");
    }

    /** Hard sharing: one trunk used by every task. */
    public static SharedParameters hardSharing(List<Tensor> shared, List<Tensor> lastSharedLayer,
                                               Map<String, List<Tensor>> taskParameters) {
        if (shared.isEmpty()) throw new IllegalArgumentException("hard sharing needs at least one shared parameter");
        return new SharedParameters(shared, lastSharedLayer, taskParameters);
    }

    /** Independent sharing: each task has its own trunk; nothing is shared. */
    public static SharedParameters independent(Map<String, List<Tensor>> taskParameters) {
        return new SharedParameters(List.of(), List.of(), taskParameters);
    }

    /**
     * Splits named parameters (e.g. {@code Module.namedParameters()}) by name prefix.
     *
     * @param named           parameters by dotted name, in state-dict order
     * @param sharedPrefixes  a parameter whose name starts with one of these is shared
     * @param lastPrefixes    a shared parameter whose name starts with one of these is in the last shared layer
     * @param taskPrefixes    per task, the name prefixes of its own parameters
     * @throws IllegalArgumentException when a parameter matches no prefix
     */
    public static SharedParameters byPrefix(Map<String, Tensor> named, List<String> sharedPrefixes,
                                            List<String> lastPrefixes, Map<String, List<String>> taskPrefixes) {
        List<Tensor> shared = new ArrayList<>(), last = new ArrayList<>();
        Map<String, List<Tensor>> tasks = new LinkedHashMap<>();
        taskPrefixes.keySet().forEach(k -> tasks.put(k, new ArrayList<>()));
        List<String> unmatched = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : named.entrySet()) {
            String name = e.getKey();
            boolean matched = false;
            if (startsWithAny(name, sharedPrefixes)) {
                shared.add(e.getValue());
                if (startsWithAny(name, lastPrefixes)) last.add(e.getValue());
                matched = true;
            } else {
                for (Map.Entry<String, List<String>> t : taskPrefixes.entrySet())
                    if (startsWithAny(name, t.getValue())) {
                        tasks.get(t.getKey()).add(e.getValue());
                        matched = true;
                    }
            }
            if (!matched) unmatched.add(name);
        }
        if (!unmatched.isEmpty())
            throw new IllegalArgumentException("parameters matching no shared or task prefix: " + unmatched);
        return new SharedParameters(shared, last, tasks);
    }

    private static boolean startsWithAny(String name, List<String> prefixes) {
        for (String p : prefixes) if (name.startsWith(p)) return true;
        return false;
    }

    /** True when no parameter is shared by all tasks (one trunk per task). */
    public boolean isIndependent() {
        return shared.isEmpty();
    }

    /** The parameters of {@code task}; fails with the known task names when there is none. */
    public List<Tensor> parametersOf(String task) {
        List<Tensor> p = taskParameters.get(task);
        if (p == null)
            throw new IllegalArgumentException("no parameters registered for task '" + task + "'; tasks with parameters: "
                    + taskParameters.keySet());
        return p;
    }

    static Set<Tensor> identitySet(List<Tensor> list) {
        Set<Tensor> s = Collections.newSetFromMap(new IdentityHashMap<>());
        s.addAll(list);
        return s;
    }
}
