package dev.strix.detection.train;

import dev.strix.detection.plot.LegendPosition;
import dev.strix.detection.plot.LineChart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-epoch metrics of a run: {@code metrics.csv} (one row per epoch, a header naming the columns) and the plots
 * drawn from it.
 *
 * <p>Columns, for tasks t and task pairs (a, b) in task order:
 * <pre>
 *   epoch, lr (at the epoch's end), loss_t (mean training loss of the epoch's finite steps), loss_total (the
 *   strategy's objective), weight_t (mean task weight), grad_norm_t (mean L2 norm of dL_t/dθ_shared over the
 *   measured steps), cos_a_b (mean cosine similarity of the two tasks' shared-trunk gradients), skipped_steps
 *   (non-finite steps skipped), skipped_samples (unreadable images skipped by the data loader), images_per_s, val_voc07_map50, val_voc_map50, val_coco_ap, val_ap50, val_ap75,
 *   epoch_time_s (training and validation), elapsed_s (since the run started, across resumes)
 * </pre>
 * A value that was not measured (no validation in that epoch, no gradient measurement, no shared trunk) is an empty
 * cell. Numbers are written in Java's shortest round-trip form, so a value read back equals the one written.
 */
public final class MetricsLog {
    /** The file name in the run folder. */
    public static final String FILE = "metrics.csv";
    /** The plot files. */
    public static final List<String> PLOTS = List.of("losses.png", "task_weights.png", "gradient_conflict.png",
            "gradient_norms.png", "map.png");

    private final Path file;
    private final List<String> columns;
    private final List<Map<String, Double>> rows = new ArrayList<>();

    /** A log for {@code tasks} in {@code runDir} (nothing is read or written yet). */
    public MetricsLog(Path runDir, List<String> tasks) {
        this.file = runDir.resolve(FILE);
        this.columns = columns(tasks);
    }

    /** The column names for {@code tasks}. */
    public static List<String> columns(List<String> tasks) {
        List<String> c = new ArrayList<>(List.of("epoch", "lr"));
        for (String t : tasks) c.add("loss_" + t);
        c.add("loss_total");
        for (String t : tasks) c.add("weight_" + t);
        for (String t : tasks) c.add("grad_norm_" + t);
        for (int i = 0; i < tasks.size(); i++)
            for (int j = i + 1; j < tasks.size(); j++) c.add("cos_" + tasks.get(i) + "_" + tasks.get(j));
        c.addAll(List.of("skipped_steps", "skipped_samples", "images_per_s", "val_voc07_map50", "val_voc_map50", "val_coco_ap", "val_ap50",
                "val_ap75", "epoch_time_s", "elapsed_s"));
        return List.copyOf(c);
    }

    public List<String> columns() {
        return columns;
    }

    /** The rows so far (read-only). */
    public List<Map<String, Double>> rows() {
        return java.util.Collections.unmodifiableList(rows);
    }

    /**
     * Reads the rows of an existing file, keeping those with {@code epoch <= lastEpoch} (rows of an epoch whose
     * checkpoint was never written are dropped) and rewriting the file with them.
     */
    public void restore(int lastEpoch) throws IOException {
        rows.clear();
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (!lines.isEmpty()) {
                String[] header = lines.getFirst().split(",", -1);
                for (String line : lines.subList(1, lines.size())) {
                    if (line.isBlank()) continue;
                    String[] cells = line.split(",", -1);
                    Map<String, Double> row = new LinkedHashMap<>();
                    for (int i = 0; i < header.length && i < cells.length; i++)
                        row.put(header[i], cells[i].isEmpty() ? Double.NaN : Double.parseDouble(cells[i]));
                    if (row.getOrDefault("epoch", Double.NaN) <= lastEpoch) rows.add(row);
                }
            }
        }
        rewrite();
    }

    /** Appends one epoch's row (missing columns are empty) and rewrites the file atomically. */
    public void append(Map<String, Double> row) throws IOException {
        rows.add(new LinkedHashMap<>(row));
        rewrite();
    }

    private void rewrite() throws IOException {
        StringBuilder sb = new StringBuilder(String.join(",", columns)).append('\n');
        for (Map<String, Double> row : rows) {
            for (int i = 0; i < columns.size(); i++) {
                if (i > 0) sb.append(',');
                Double v = row.get(columns.get(i));
                if (v == null || !Double.isFinite(v)) continue;
                if (columns.get(i).equals("epoch") || columns.get(i).startsWith("skipped_")) sb.append((long) (double) v);
                else sb.append(v);
            }
            sb.append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new IOException("cannot write " + file + ": " + why
                    + (Files.exists(file) ? "; the previous " + FILE + " is kept unchanged" : ""), e);
        }
    }

    /** The values of {@code column} over the rows (NaN where empty). */
    public double[] series(String column) {
        double[] v = new double[rows.size()];
        for (int i = 0; i < v.length; i++) v[i] = rows.get(i).getOrDefault(column, Double.NaN);
        return v;
    }

    /** Writes the plots ({@link #PLOTS}) into {@code dir}. */
    public void writePlots(Path dir, List<String> tasks) throws IOException {
        double[] epochs = series("epoch");
        LineChart losses = new LineChart("Training loss per task", "epoch", "loss").logY(true).markers(true);
        for (String t : tasks) losses.addSeries(t, epochs, series("loss_" + t));
        losses.addSeries("total", epochs, series("loss_total"));
        losses.writePng(dir.resolve("losses.png"), 900, 560);

        LineChart weights = new LineChart("Task weights", "epoch", "weight").markers(true);
        for (String t : tasks) weights.addSeries(t, epochs, series("weight_" + t));
        weights.writePng(dir.resolve("task_weights.png"), 900, 560);

        LineChart conflict = new LineChart("Gradient conflict on the shared trunk (cosine similarity)", "epoch",
                "cosine").markers(true).yRange(-1, 1).legend(LegendPosition.LOWER_LEFT);
        for (int i = 0; i < tasks.size(); i++)
            for (int j = i + 1; j < tasks.size(); j++) {
                String name = "cos_" + tasks.get(i) + "_" + tasks.get(j);
                conflict.addSeries(tasks.get(i) + " vs " + tasks.get(j), epochs, series(name));
            }
        conflict.writePng(dir.resolve("gradient_conflict.png"), 900, 560);

        LineChart norms = new LineChart("Task gradient norm on the shared trunk", "epoch", "||dL/dθ_shared||")
                .logY(true).markers(true);
        for (String t : tasks) norms.addSeries(t, epochs, series("grad_norm_" + t));
        norms.writePng(dir.resolve("gradient_norms.png"), 900, 560);

        LineChart map = new LineChart("Validation mAP", "epoch", "mAP").markers(true).yRange(0, 1);
        map.addSeries("VOC mAP50", epochs, series("val_voc_map50"));
        map.addSeries("VOC07 mAP50", epochs, series("val_voc07_map50"));
        map.addSeries("COCO AP", epochs, series("val_coco_ap"));
        map.writePng(dir.resolve("map.png"), 900, 560);
    }
}
