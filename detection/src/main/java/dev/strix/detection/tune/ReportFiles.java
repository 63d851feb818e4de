package dev.strix.detection.tune;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/** Writing the tables of a search or comparison: CSV cells, Markdown rows and atomic file replacement. */
final class ReportFiles {
    private ReportFiles() {}

    /** Writes {@code text} to a temporary sibling and moves it over {@code file}, so a reader never sees half a file. */
    static void writeAtomically(Path file, String text) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** One CSV line (RFC 4180 quoting where a cell holds a comma, quote or line break). */
    static String csvLine(List<String> cells) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) sb.append(',');
            String c = cells.get(i) == null ? "" : cells.get(i);
            if (c.contains(",") || c.contains("\"") || c.contains("\n") || c.contains("\r"))
                sb.append('"').append(c.replace("\"", "\"\"")).append('"');
            else sb.append(c);
        }
        return sb.append('\n').toString();
    }

    /** A number cell: shortest round-trip form, empty for NaN. */
    static String cell(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "";
    }

    /** One Markdown table row; '|' and line breaks in cells are escaped. */
    static String markdownRow(List<String> cells) {
        StringBuilder sb = new StringBuilder("|");
        for (String c : cells)
            sb.append(' ').append((c == null ? "" : c).replace("|", "\\|").replaceAll("\\R", " ")).append(" |");
        return sb.append('\n').toString();
    }

    /** The separator row of a Markdown table: left-aligned text columns, right-aligned number columns. */
    static String markdownRule(List<Boolean> numeric) {
        StringBuilder sb = new StringBuilder("|");
        for (boolean n : numeric) sb.append(n ? " ---: |" : " --- |");
        return sb.append('\n').toString();
    }

    /** {@code v} with {@code decimals} decimals, "-" for NaN. */
    static String fixed(double v, int decimals) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "-";
    }

    /** The first line of {@code reason}, shortened to {@code max} characters. */
    static String shortReason(String reason, int max) {
        String first = reason == null ? "" : reason.strip().split("\\R", 2)[0];
        return first.length() <= max ? first : first.substring(0, max - 3) + "...";
    }
}
