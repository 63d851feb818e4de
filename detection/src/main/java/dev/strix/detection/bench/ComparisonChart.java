package dev.strix.detection.bench;

import dev.strix.detection.plot.BarChart;
import dev.strix.nn.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws the summary that {@code benchmarks/scripts/detnet_vs_pytorch.sh} writes as a bar chart: one group per
 * measured configuration, a Strix and a PyTorch bar of images per second, the Strix/PyTorch ratio in the group
 * name. Expected summary keys: {@code results}, a list of objects with {@code mode}, {@code batch}, {@code size},
 * {@code strix_img_per_s}, {@code pytorch_img_per_s} and {@code ratio}; optional top-level {@code threads},
 * {@code device} and {@code machine} go into the title.
 */
public final class ComparisonChart {
    private ComparisonChart() {}

    /**
     * Reads {@code summary} and writes the chart as a {@code width x height} PNG to {@code out}.
     *
     * @return the number of configurations drawn
     * @throws IllegalArgumentException when the summary lacks a needed key or has no results
     * @throws IOException              when a file cannot be read or written
     */
    public static int write(Path summary, Path out, int width, int height) throws IOException {
        Map<String, Object> root = Json.asObject(Json.parse(Files.readString(summary)), "comparison summary");
        List<Object> results = Json.requireList(root, "results");
        if (results.isEmpty()) throw new IllegalArgumentException(summary + ": 'results' is empty");
        List<String> categories = new ArrayList<>();
        double[] strix = new double[results.size()], torch = new double[results.size()];
        for (int i = 0; i < results.size(); i++) {
            Map<String, Object> r = Json.asObject(results.get(i), "results[" + i + "]");
            strix[i] = Json.requireDouble(r, "strix_img_per_s");
            torch[i] = Json.requireDouble(r, "pytorch_img_per_s");
            categories.add(String.format(Locale.ROOT, "%s %dx%d (%.2fx)", Json.requireString(r, "mode"),
                    Json.requireLong(r, "batch"), Json.requireLong(r, "size"), Json.requireDouble(r, "ratio")));
        }
        String title = "DetNet images/s, Strix vs PyTorch";
        String device = Json.optString(root, "device", "");
        long threads = Json.optLong(root, "threads", 0);
        if (!device.isEmpty()) title += ", " + device + (threads > 0 ? " " + threads + " threads" : "");
        String machine = Json.optString(root, "machine", "");
        if (!machine.isEmpty()) title += " (" + machine + ")";
        new BarChart(title, "images / s (median)", categories).addSeries("Strix", strix).addSeries("PyTorch", torch)
                .valueFormat("%.1f").writePng(out, width, height);
        return results.size();
    }
}
