package dev.strix.detection.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The nn module's {@link dev.strix.nn.testing.Mutator} (byte and JSON mutations, and {@code runCase}, which accepts only
 * a valid result or a clean, documented rejection) plus the mutations of the dataset formats: XML (elements deleted,
 * duplicated or renamed, text replaced, deep element nesting, DOCTYPEs with external entities or entity expansion)
 * and lines (YOLO labels: fields dropped or added, lines duplicated or deleted). Every mutation appends a short
 * description to {@link #log()}; the same seed gives the same mutations.
 */
public final class Mutator extends dev.strix.nn.testing.Mutator {
    /** A mutator whose choices depend only on {@code seed}. */
    public Mutator(long seed) {
        super(seed);
    }

    // ---------------------------------------------------------------- XML mutations

    private static final Pattern XML_ELEMENT = Pattern.compile("<([A-Za-z_][A-Za-z0-9_]*)>");
    private static final Pattern XML_TEXT = Pattern.compile(">([^<>]+)</");
    private static final List<String> ODD_TEXT = List.of("", " ", "-1", "NaN", "Infinity", "1e39", "0x1p3", "1d",
            "../../etc/passwd", "&amp;", "&lt;x&gt;", "&#0;", "&#xD800;", "&undefined;", "<![CDATA[5]]>", "\u0000",
            "A".repeat(10_000), "\u00e9t\u00e9", "true", "2", "dog", "person");

    /**
     * A DOCTYPE with an external entity and a billion-laughs expansion; a parser that honoured it would copy
     * {@code secretFile} into the document.
     */
    public static String hostileDoctype(String secretFile) {
        return "<!DOCTYPE annotation [<!ENTITY xxe SYSTEM \"file://" + secretFile + "\">"
                + "<!ENTITY lol \"lol\"><!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
                + "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
                + "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>";
    }

    /**
     * One to three XML-aware or character mutations of {@code text}.
     *
     * @param secretFile a file whose content must never reach a parsed document (used in injected DOCTYPEs)
     */
    public String mutateXml(String text, String secretFile) {
        String out = text;
        int count = 1 + random.nextInt(3);
        for (int k = 0; k < count; k++) {
            out = switch (random.nextInt(11)) {
                case 0, 1 -> replaceNumber(out);
                case 2 -> deleteElement(out);
                case 3 -> duplicateElement(out);
                case 4 -> replaceText(out);
                case 5 -> renameElement(out);
                case 6 -> nestDeeply(out, "<a>", "</a>");
                case 7 -> insertLongString(out);
                case 8 -> insertStrayChars(out);
                case 9 -> injectDoctype(out, secretFile);
                default -> new String(mutateBytes(out.getBytes(StandardCharsets.UTF_8), List.of()), StandardCharsets.UTF_8);
            };
        }
        return out;
    }

    /** Deletes one element with its content. */
    public String deleteElement(String text) {
        int[] e = element(text);
        if (e == null) return text;
        log.add("delete element " + abbreviate(text.substring(e[0], e[1])));
        return text.substring(0, e[0]) + text.substring(e[1]);
    }

    /** Repeats one element right after itself. */
    public String duplicateElement(String text) {
        int[] e = element(text);
        if (e == null) return text;
        String element = text.substring(e[0], e[1]);
        log.add("duplicate element " + abbreviate(element));
        return text.substring(0, e[1]) + element + text.substring(e[1]);
    }

    /** Replaces the text of one leaf element with a number edge, an entity, a path or a long run. */
    public String replaceText(String text) {
        List<int[]> spans = new ArrayList<>();
        Matcher m = XML_TEXT.matcher(text);
        while (m.find()) spans.add(new int[] {m.start(1), m.end(1)});
        if (spans.isEmpty()) return text;
        int[] s = spans.get(random.nextInt(spans.size()));
        String by = ODD_TEXT.get(random.nextInt(ODD_TEXT.size()));
        log.add("replace text '" + text.substring(s[0], s[1]) + "' by '" + abbreviate(by) + "'");
        return text.substring(0, s[0]) + by + text.substring(s[1]);
    }

    /** Renames the opening tag of one element (leaving its closing tag), or both tags. */
    public String renameElement(String text) {
        int[] e = element(text);
        if (e == null) return text;
        String element = text.substring(e[0], e[1]);
        Matcher m = XML_ELEMENT.matcher(element);
        if (!m.lookingAt()) return text;
        String tag = m.group(1);
        String renamed = random.nextBoolean() ? element.replaceFirst("<" + tag + ">", "<x" + tag + ">")
                : "<x" + tag + ">" + element.substring(m.end(), element.length() - tag.length() - 3) + "</x" + tag + ">";
        log.add("rename element <" + tag + ">");
        return text.substring(0, e[0]) + renamed + text.substring(e[1]);
    }

    /** Puts a DOCTYPE with an external entity and entity expansion before the root and uses the entities. */
    public String injectDoctype(String text, String secretFile) {
        int root = text.indexOf("<annotation");
        if (root < 0) root = 0;
        String withUse = text.replaceFirst("<name>[^<]*</name>", random.nextBoolean() ? "<name>&xxe;</name>" : "<name>&lol3;</name>");
        log.add("inject DOCTYPE with external entity and expansion");
        return withUse.substring(0, root) + hostileDoctype(secretFile) + withUse.substring(root);
    }

    /** Start and end of a random {@code <tag>...</tag>} element, or null. */
    private int[] element(String text) {
        List<int[]> opens = spans(XML_ELEMENT.matcher(text));
        if (opens.isEmpty()) return null;
        int[] o = opens.get(random.nextInt(opens.size()));
        String tag = text.substring(o[0] + 1, o[1] - 1);
        int close = text.indexOf("</" + tag + ">", o[1]);
        if (close < 0) return null;
        return new int[] {o[0], close + tag.length() + 3};
    }

    // ---------------------------------------------------------------- line mutations

    /** One to three mutations of a whitespace-separated, line-oriented text such as a YOLO label file. */
    public String mutateLines(String text) {
        String out = text;
        int count = 1 + random.nextInt(3);
        for (int k = 0; k < count; k++) {
            out = switch (random.nextInt(8)) {
                case 0, 1 -> replaceNumber(out);
                case 2 -> editFields(out);
                case 3 -> editLines(out);
                case 4 -> insertLongString(out);
                case 5 -> insertStrayChars(out);
                default -> new String(mutateBytes(out.getBytes(StandardCharsets.UTF_8), List.of()), StandardCharsets.UTF_8);
            };
        }
        return out;
    }

    /** Drops, adds or swaps a field of one line. */
    public String editFields(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        int i = random.nextInt(lines.size());
        List<String> fields = new ArrayList<>(List.of(lines.get(i).strip().split("\\s+")));
        switch (random.nextInt(3)) {
            case 0 -> {
                if (!fields.isEmpty()) fields.remove(random.nextInt(fields.size()));
                log.add("drop a field of line " + (i + 1));
            }
            case 1 -> {
                fields.add(random.nextInt(fields.size() + 1), EXTREME_NUMBERS.get(random.nextInt(EXTREME_NUMBERS.size())));
                log.add("add a field to line " + (i + 1));
            }
            default -> {
                java.util.Collections.shuffle(fields, new java.util.Random(random.nextLong()));
                log.add("shuffle the fields of line " + (i + 1));
            }
        }
        lines.set(i, String.join(random.nextBoolean() ? " " : "\t", fields));
        return String.join("\n", lines);
    }

    /** Deletes, duplicates or blanks one line, or converts the line ends to CRLF. */
    public String editLines(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        int i = random.nextInt(lines.size());
        switch (random.nextInt(4)) {
            case 0 -> lines.remove(i);
            case 1 -> lines.add(i, lines.get(i));
            case 2 -> lines.set(i, "   ");
            default -> {
                log.add("CRLF line ends");
                return String.join("\r\n", lines);
            }
        }
        log.add("delete, duplicate or blank line " + (i + 1));
        return String.join("\n", lines);
    }
}
