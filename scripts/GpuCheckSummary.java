import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Prints the summary table of a GPU check run: tests run, passed, failed and skipped per test class (from the
 * JUnit XML reports in the report folder), the failures and the distinct skip reasons, and one line per GPU
 * benchmark (its status, and from its JSON result file the milliseconds per step, images per second and peak
 * device memory). Usage: {@code java GpuCheckSummary <report folder> [benchmarks.tsv] [--fail-on-skip]}, where each
 * line of benchmarks.tsv is {@code name, exit status or "skip", seconds, JSON file, note} separated by tabs;
 * exits with 1 when a test or a benchmark failed, no test ran, or (with {@code --fail-on-skip}, used on a machine
 * with a GPU) a test was skipped. A skipped benchmark is listed with its reason and fails nothing.
 */
public final class GpuCheckSummary {
    private static final class Counts {
        int run, passed, failed, skipped;
    }

    public static void main(String[] args) throws Exception {
        Map<String, Counts> byClass = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        Map<String, Integer> skipReasons = new TreeMap<>();
        File[] reports = new File(args[0]).listFiles((d, n) -> n.startsWith("TEST-") && n.endsWith(".xml"));
        if (reports != null)
            for (File f : reports) {
                NodeList cases = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(f)
                        .getElementsByTagName("testcase");
                for (int i = 0; i < cases.getLength(); i++) {
                    Element c = (Element) cases.item(i);
                    String cls = c.getAttribute("classname");
                    Counts k = byClass.computeIfAbsent(cls, x -> new Counts());
                    k.run++;
                    Element problem = first(c, "failure");
                    if (problem == null) problem = first(c, "error");
                    Element skip = first(c, "skipped");
                    if (problem != null) {
                        k.failed++;
                        failures.add(simple(cls) + "." + c.getAttribute("name") + ": " + firstLine(problem));
                    } else if (skip != null) {
                        k.skipped++;
                        skipReasons.merge(firstLine(skip), 1, Integer::sum);
                    } else {
                        k.passed++;
                    }
                }
            }
        Counts total = new Counts();
        String fmt = "%-44s %6s %6s %6s %7s%n";
        System.out.println("== summary");
        System.out.printf(fmt, "test class", "run", "passed", "failed", "skipped");
        for (Map.Entry<String, Counts> e : byClass.entrySet()) {
            Counts k = e.getValue();
            System.out.printf(fmt, simple(e.getKey()), k.run, k.passed, k.failed, k.skipped);
            total.run += k.run;
            total.passed += k.passed;
            total.failed += k.failed;
            total.skipped += k.skipped;
        }
        System.out.printf(fmt, "TOTAL", total.run, total.passed, total.failed, total.skipped);
        if (!failures.isEmpty()) {
            System.out.println("failures:");
            failures.forEach(f -> System.out.println("  " + f));
        }
        if (!skipReasons.isEmpty()) {
            System.out.println("skip reasons:");
            skipReasons.forEach((r, n) -> System.out.println("  " + n + " x " + r));
        }
        boolean benchFailed = false;
        if (args.length > 1 && !args[1].startsWith("--") && Files.size(Path.of(args[1])) > 0) {
            String bfmt = "  %-28s %-8s %10s %10s %10s %10s %6s  %s%n";
            System.out.println("benchmarks:");
            System.out.printf(bfmt, "benchmark", "status", "ms/step", "img/s", "device MB", "growth MB", "s", "note");
            for (String line : Files.readAllLines(Path.of(args[1]))) {
                String[] p = line.split("\t", -1);
                if (p.length < 3) continue;
                boolean skipped = p[1].equals("skip"), ok = p[1].equals("0");
                benchFailed |= !ok && !skipped;
                String json = p.length > 3 && !p[3].isEmpty() && Files.isRegularFile(Path.of(p[3]))
                        ? Files.readString(Path.of(p[3])) : "";
                String note = p.length > 4 ? p[4] : "";
                if (ok && !p[3].isEmpty() && json.isEmpty()) note = "no JSON result written";
                System.out.printf(bfmt, simple(p[0]), skipped ? "skipped" : ok ? "ok" : "FAILED(" + p[1] + ")",
                        number(json, "ms_per_step"), number(json, "img_per_s"), number(json, "peak_device_mb"),
                        number(json, "device_growth_mb"), skipped ? "" : p[2], note);
            }
        } else {
            System.out.println("benchmarks: none run");
        }
        boolean failOnSkip = List.of(args).contains("--fail-on-skip");
        boolean ok = total.run > 0 && total.failed == 0 && !benchFailed && !(failOnSkip && total.skipped > 0);
        String note = total.skipped == 0 ? "" : " (" + total.skipped + " skipped"
                + (failOnSkip ? ", not allowed: a GPU is present)" : ": no usable GPU here, see the skip reasons)");
        System.out.println((ok ? "RESULT: PASSED" : "RESULT: FAILED") + note);
        System.exit(ok ? 0 : 1);
    }

    /** The number after {@code "key":} in a one-line JSON object, or "" (the result files are flat enough). */
    private static String number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*(-?[0-9][0-9.eE+-]*)").matcher(json);
        return m.find() ? m.group(1) : "";
    }

    private static Element first(Element parent, String tag) {
        NodeList l = parent.getElementsByTagName(tag);
        return l.getLength() == 0 ? null : (Element) l.item(0);
    }

    private static String firstLine(Element e) {
        String m = e.getAttribute("message");
        if (m.isEmpty()) m = e.getTextContent().strip();
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        return m.length() > 200 ? m.substring(0, 200) + "..." : m;
    }

    private static String simple(String cls) {
        return cls.startsWith("dev.strix.") ? cls.substring("dev.strix.".length()) : cls;
    }
}
