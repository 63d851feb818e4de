package dev.strix.detection.data;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/** The standard class lists and the rule that picks a dataset's class list when none is given. */
public final class ClassLists {
    /** The 20 Pascal VOC classes in the devkit's order. */
    public static final List<String> VOC = List.of("aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car",
            "cat", "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep",
            "sofa", "train", "tvmonitor");

    private ClassLists() {
    }

    /**
     * {@code explicit} when given; otherwise {@code standard} when it contains every name found, else the found names
     * sorted.
     */
    public static List<String> resolve(List<String> explicit, List<String> standard, Collection<String> found) {
        if (explicit != null) {
            if (explicit.isEmpty()) throw new DatasetException("the explicit class list is empty");
            if (new TreeSet<>(explicit).size() != explicit.size())
                throw new DatasetException("the explicit class list has duplicate names: " + explicit);
            return List.copyOf(explicit);
        }
        if (standard != null && standard.containsAll(found)) return standard;
        return List.copyOf(new TreeSet<>(found));
    }
}
