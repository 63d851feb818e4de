package dev.strix.detection.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Several named series {@code y(x)} on shared axes, with title, axis labels, grid, ticks and legend, written as PNG.
 * Non-finite points (and, on a logarithmic y axis, non-positive ones) leave gaps; an isolated point shows as a dot.
 *
 * <pre>{@code
 * new LineChart("Loss per task", "epoch", "loss").logY(true)
 *         .addSeries("cls", epochs, clsLoss).addSeries("box", epochs, boxLoss)
 *         .writePng(runDir.resolve("losses.png"), 900, 600);
 * }</pre>
 */
public final class LineChart {
    private record Series(String name, double[] x, double[] y, Color color) {}

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private boolean logY;
    private boolean markers;
    private double xMin = Double.NaN;
    private double xMax = Double.NaN;
    private double yMin = Double.NaN;
    private double yMax = Double.NaN;
    private LegendPosition legend;

    /** A chart with the given title and axis labels (any may be empty). */
    public LineChart(String title, String xLabel, String yLabel) {
        this.title = title == null ? "" : title;
        this.xLabel = xLabel == null ? "" : xLabel;
        this.yLabel = yLabel == null ? "" : yLabel;
    }

    /**
     * Adds a series; arrays are copied.
     *
     * @param x {@code [N]} x values
     * @param y {@code [N]} y values; NaN or infinite entries are gaps
     */
    public LineChart addSeries(String name, double[] x, double[] y) {
        if (x.length != y.length)
            throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values but " + y.length + " y values");
        series.add(new Series(name, x.clone(), y.clone(), Palette.color(series.size())));
        return this;
    }

    /** Adds a series over {@code x = 1, 2, ..., N} (epochs). @param y {@code [N]} y values */
    public LineChart addSeries(String name, double[] y) {
        double[] x = new double[y.length];
        for (int i = 0; i < x.length; i++) x[i] = i + 1;
        return addSeries(name, x, y);
    }

    /** A base-10 logarithmic y axis (non-positive values become gaps). */
    public LineChart logY(boolean on) {
        logY = on;
        return this;
    }

    /** Draws a dot at every point (default: only when a series has at most 40 points). */
    public LineChart markers(boolean on) {
        markers = on;
        return this;
    }

    /** Fixes the x range instead of fitting the data. */
    public LineChart xRange(double min, double max) {
        requireRange(min, max);
        xMin = min;
        xMax = max;
        return this;
    }

    /** Fixes the y range instead of fitting the data. */
    public LineChart yRange(double min, double max) {
        requireRange(min, max);
        if (logY && min <= 0) throw new IllegalArgumentException("a logarithmic y range needs min > 0, got " + min);
        yMin = min;
        yMax = max;
        return this;
    }

    /** Where to put the legend (default: upper right, or outside the plot for more than 6 series). */
    public LineChart legend(LegendPosition position) {
        legend = position;
        return this;
    }

    /** Draws the chart on a new {@code width x height} RGB image. */
    public BufferedImage render(int width, int height) {
        ChartCanvas c = new ChartCanvas(width, height);
        double[] xr = dataRange(true);
        double[] yr = dataRange(false);
        Axis yAxis;
        if (!Double.isNaN(yMin)) {
            yAxis = logY ? Axis.logarithmic(yMin, yMax) : Axis.linear(yMin, yMax, 8, false);
        } else if (logY) {
            yAxis = Axis.logarithmic(yr[0], yr[1]);
        } else {
            double padding = (yr[1] - yr[0]) * 0.05;
            yAxis = Axis.linear(yr[0] - padding, yr[1] + padding, Math.max(3, height / 75), true);
        }
        Axis xAxis = Double.isNaN(xMin) ? Axis.linear(xr[0], xr[1], Math.max(3, width / 110), false)
                : Axis.linear(xMin, xMax, Math.max(3, width / 110), false);

        List<ChartCanvas.LegendEntry> entries = new ArrayList<>();
        for (Series s : series) entries.add(new ChartCanvas.LegendEntry(s.name(), s.color(), true));
        LegendPosition position = legend != null ? legend
                : series.size() > 6 ? LegendPosition.OUTSIDE_RIGHT : LegendPosition.UPPER_RIGHT;
        int xTicks = c.tickLength() + c.lineHeight(c.tickFont);
        c.layout(title, xLabel, yLabel, yAxis.labels, xTicks, c.outsideLegendWidth(entries, position));
        c.drawTitle(title);
        c.drawYAxis(yAxis, yLabel);
        c.drawXAxis(xAxis);
        c.drawXLabel(xLabel);
        Shape clip = c.clipToPlot();
        for (Series s : series) drawSeries(c, s, xAxis, yAxis);
        c.g.setClip(clip);
        c.drawFrame();
        c.drawLegend(entries, position);
        return c.finish();
    }

    /** Renders and writes a PNG. */
    public void writePng(Path file, int width, int height) throws IOException {
        ChartCanvas.writePng(render(width, height), file);
    }

    private void drawSeries(ChartCanvas c, Series s, Axis xAxis, Axis yAxis) {
        float lineWidth = 2.2f * c.scale;
        c.g.setColor(s.color());
        c.g.setStroke(new BasicStroke(lineWidth, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        boolean dots = markers || s.x().length <= 40;
        double r = (dots ? 3.2 : 2.4) * c.scale;
        Path2D.Double path = new Path2D.Double();
        int n = s.x().length;
        for (int i = 0; i < n; i++) {
            if (!visible(s, i)) continue;
            double px = c.pxExact(xAxis.fraction(s.x()[i]));
            double py = c.pyExact(yAxis.fraction(s.y()[i]));
            boolean joinsPrevious = i > 0 && visible(s, i - 1);
            boolean joinsNext = i + 1 < n && visible(s, i + 1);
            if (joinsPrevious) path.lineTo(px, py);
            else path.moveTo(px, py);
            if (dots || (!joinsPrevious && !joinsNext)) c.g.fill(new Ellipse2D.Double(px - r, py - r, 2 * r, 2 * r));
        }
        c.g.draw(path);
    }

    private boolean visible(Series s, int i) {
        double x = s.x()[i];
        double y = s.y()[i];
        return Double.isFinite(x) && Double.isFinite(y) && (!logY || y > 0);
    }

    private double[] dataRange(boolean ofX) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series)
            for (int i = 0; i < s.x().length; i++) {
                if (!visible(s, i)) continue;
                double v = ofX ? s.x()[i] : s.y()[i];
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        if (lo > hi) return ofX || !logY ? new double[] {0, 1} : new double[] {1, 10};
        return new double[] {lo, hi};
    }

    private static void requireRange(double min, double max) {
        if (!(Double.isFinite(min) && Double.isFinite(max) && min < max))
            throw new IllegalArgumentException("range needs finite min < max, got [" + min + ", " + max + "]");
    }
}
