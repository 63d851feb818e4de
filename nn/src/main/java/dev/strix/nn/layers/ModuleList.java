package dev.strix.nn.layers;

import dev.strix.nn.Module;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * An indexed list of child modules, as {@code torch.nn.ModuleList}: children are named {@code "0"}, {@code "1"},
 * ... and contribute their parameters and buffers under those prefixes; it has no forward of its own.
 */
public final class ModuleList extends Module implements Iterable<Module> {
    private final List<Module> modules = new ArrayList<>();

    public ModuleList(List<? extends Module> modules) {
        for (Module m : modules) {
            if (m == null) throw new IllegalArgumentException("ModuleList: element " + this.modules.size() + " is null");
            registerModule(Integer.toString(this.modules.size()), m);
            this.modules.add(m);
        }
    }

    /** Element {@code i}, typed as the caller expects. */
    @SuppressWarnings("unchecked")
    public <M extends Module> M get(int i) {
        return (M) modules.get(i);
    }

    public int size() {
        return modules.size();
    }

    @Override
    public Iterator<Module> iterator() {
        return Collections.unmodifiableList(modules).iterator();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ModuleList(");
        for (int i = 0; i < modules.size(); i++) s.append("\n  (").append(i).append("): ").append(modules.get(i));
        return s.append(modules.isEmpty() ? ")" : "\n)").toString();
    }
}
