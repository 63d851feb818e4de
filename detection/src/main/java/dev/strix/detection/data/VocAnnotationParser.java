package dev.strix.detection.data;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one Pascal VOC annotation file through {@link SafeXml}: {@code size}, and for each {@code object} its
 * {@code name}, {@code difficult}, {@code truncated} and {@code bndbox}. The devkit's 1-based inclusive pixel box
 * {@code xmin..xmax} becomes {@code Box(xmin - 1, ymin - 1, xmax, ymax)}. Structural problems throw
 * {@link DatasetException} naming the file and the element; box geometry is checked later by the dataset.
 */
final class VocAnnotationParser {
    /** One parsed object before its class name is mapped to an index; {@code number} counts from 1 in the file. */
    record RawObject(int number, String name, Box box, boolean difficult, boolean truncated) {}

    /** A parsed file; width or height is 0 when the file has no usable {@code size}. */
    record RawAnnotation(int width, int height, List<RawObject> objects) {}

    private VocAnnotationParser() {
    }

    static RawAnnotation parse(Path file) {
        Document doc = SafeXml.parse(file);
        Element root = doc.getDocumentElement();
        if (!root.getTagName().equals("annotation"))
            throw new DatasetException(file + ": root element is <" + root.getTagName() + ">, expected <annotation>");
        int width = 0, height = 0;
        Element size = child(root, "size");
        if (size != null) {
            width = dimension(file, size, "width");
            height = dimension(file, size, "height");
        }
        List<RawObject> objects = new ArrayList<>();
        int number = 0;
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (!(n instanceof Element obj) || !obj.getTagName().equals("object")) continue;
            number++;
            String where = "<object> #" + number;
            String name = text(child(obj, "name"));
            if (name == null || name.isEmpty())
                throw new DatasetException(file + ": " + where + " has no <name>");
            where += " '" + name + "'";
            Element bnd = child(obj, "bndbox");
            if (bnd == null) throw new DatasetException(file + ": " + where + " has no <bndbox>");
            String bw = where + " <bndbox>";
            float xmin = (float) number(file, bnd, "xmin", bw, true);
            float ymin = (float) number(file, bnd, "ymin", bw, true);
            float xmax = (float) number(file, bnd, "xmax", bw, true);
            float ymax = (float) number(file, bnd, "ymax", bw, true);
            boolean difficult = flag(file, obj, "difficult", where);
            boolean truncated = flag(file, obj, "truncated", where);
            objects.add(new RawObject(number, name, new Box(xmin - 1, ymin - 1, xmax, ymax), difficult, truncated));
        }
        return new RawAnnotation(width, height, objects);
    }

    private static Element child(Element parent, String tag) {
        NodeList list = parent.getChildNodes();
        for (int i = 0; i < list.getLength(); i++)
            if (list.item(i) instanceof Element e && e.getTagName().equals(tag)) return e;
        return null;
    }

    private static String text(Element e) {
        return e == null ? null : e.getTextContent().trim();
    }

    private static double number(Path file, Element parent, String tag, String where, boolean required) {
        String t = text(child(parent, tag));
        if (t == null) {
            if (required) throw new DatasetException(file + ": " + where + " has no <" + tag + ">");
            return 0;
        }
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new DatasetException(file + ": " + where + " <" + tag + "> is '" + t + "', not a number");
        }
    }

    /** A {@code <size>} entry rounded to an int; NaN, negative and out-of-int-range values are refused, not wrapped. */
    private static int dimension(Path file, Element size, String tag) {
        double v = number(file, size, tag, "<size>", true);
        if (!(v >= 0 && v <= Integer.MAX_VALUE))
            throw new DatasetException(file + ": <size> <" + tag + "> is " + v + ", not an image dimension in [0, "
                    + Integer.MAX_VALUE + "]");
        return (int) Math.round(v);
    }

    private static boolean flag(Path file, Element obj, String tag, String where) {
        String t = text(child(obj, tag));
        if (t == null || t.isEmpty()) return false;
        return switch (t) {
            case "0", "false" -> false;
            case "1", "true" -> true;
            default -> throw new DatasetException(file + ": " + where + " <" + tag + "> is '" + t + "', expected 0 or 1");
        };
    }
}
