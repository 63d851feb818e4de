package dev.strix.detection.data;

import java.util.List;

/** Validation shared by the readers: box geometry against the image, class names against the class list. */
public final class BoxChecks {
    private BoxChecks() {
    }

    /** The problem with {@code box} in a {@code width x height} image, or null when it is valid. */
    public static String problem(Box box, int width, int height) {
        if (!Float.isFinite(box.x1()) || !Float.isFinite(box.y1()) || !Float.isFinite(box.x2()) || !Float.isFinite(box.y2()))
            return "box " + fmt(box) + " has a non-finite coordinate";
        if (box.x1() < 0 || box.y1() < 0) return "box " + fmt(box) + " has a negative coordinate";
        if (box.x2() <= box.x1()) return "box " + fmt(box) + " has x2 <= x1 (empty width)";
        if (box.y2() <= box.y1()) return "box " + fmt(box) + " has y2 <= y1 (empty height)";
        if (box.x2() > width || box.y2() > height)
            return "box " + fmt(box) + " extends outside the " + width + "x" + height + " image";
        return null;
    }

    /** The class index of {@code name}, or -1. */
    public static int classIndex(List<String> classNames, String name) {
        return classNames.indexOf(name);
    }

    /** Message for a name that is not in the class list. */
    public static String unknownClass(String name, List<String> classNames) {
        return "unknown class '" + name + "' (classes: " + String.join(", ", classNames) + ")";
    }

    static String fmt(Box b) {
        return "(" + b.x1() + ", " + b.y1() + ", " + b.x2() + ", " + b.y2() + ")";
    }
}
