package dev.strix.detection.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Grouped bars: one group per category, one bar per series within a group (benchmark ratios, per-class AP), with
 * optional value labels and horizontal reference lines (a target ratio of 1.0). NaN values draw no bar. Category
 * names that do not fit under their group are drawn slanted.
 *
 * <pre>{@code
 * new BarChart("AP50 per class", "AP50", classNames).yRange(0, 1).addSeries("VOC", ap)
 *         .writePng(runDir.resolve("per_class_ap.png"), 900, 600);
 * }</pre>
 */
public final class BarChart {
    private record Series(String name, double[] values, Color color) {}

    private record Reference(double y, String label) {}

    private final String title;
    private final String yLabel;
    private final List<String> categories;
    private final List<Series> series = new ArrayList<>();
    private final List<Reference> references = new ArrayList<>();
    private boolean valueLabels = true;
    private String valueFormat = "%.2f";
    private double yMin = Double.NaN;
    private double yMax = Double.NaN;
    private LegendPosition legend;

    /** A chart of {@code categories.size()} groups. */
    public BarChart(String title, String yLabel, List<String> categories) {
        if (categories.isEmpty()) throw new IllegalArgumentException("a bar chart needs at least one category");
        this.title = title == null ? "" : title;
        this.yLabel = yLabel == null ? "" : yLabel;
        this.categories = List.copyOf(categories);
    }

    /** Adds a series. @param values {@code [categories]} one value per category (NaN: no bar) */
    public BarChart addSeries(String name, double[] values) {
        if (values.length != categories.size())
            throw new IllegalArgumentException("series '" + name + "' has " + values.length + " values for "
                    + categories.size() + " categories");
        series.add(new Series(name, values.clone(), Palette.color(series.size())));
        return this;
    }

    /** A dashed horizontal line at {@code y}, labelled at its right end. */
    public BarChart referenceLine(double y, String label) {
        if (!Double.isFinite(y)) throw new IllegalArgumentException("reference line needs a finite y, got " + y);
        references.add(new Reference(y, label == null ? "" : label));
        return this;
    }

    /** Whether to print each bar's value above it (default on, when bars are wide enough). */
    public BarChart valueLabels(boolean on) {
        valueLabels = on;
        return this;
    }

    /** {@link String#format} pattern for value labels (default {@code "%.2f"}). */
    public BarChart valueFormat(String format) {
        String.format(Locale.ROOT, format, 1.0); // fail early on a bad pattern
        valueFormat = format;
        return this;
    }

    /** Fixes the y range instead of fitting the data (which always includes 0). */
    public BarChart yRange(double min, double max) {
        if (!(Double.isFinite(min) && Double.isFinite(max) && min < max))
            throw new IllegalArgumentException("range needs finite min < max, got [" + min + ", " + max + "]");
        yMin = min;
        yMax = max;
        return this;
    }

    /** Where to put the legend (default: upper right; none for a single series). */
    public BarChart legend(LegendPosition position) {
        legend = position;
        return this;
    }

    /** Draws the chart on a new {@code width x height} RGB image. */
    public BufferedImage render(int width, int height) {
        ChartCanvas c = new ChartCanvas(width, height);
        Axis yAxis = Double.isNaN(yMin) ? fittedAxis(height) : Axis.linear(yMin, yMax, Math.max(3, height / 75), false);
        List<ChartCanvas.LegendEntry> entries = new ArrayList<>();
        for (Series s : series) entries.add(new ChartCanvas.LegendEntry(s.name(), s.color(), false));
        LegendPosition position = legend != null ? legend
                : series.size() <= 1 ? LegendPosition.NONE
                : series.size() > 6 ? LegendPosition.OUTSIDE_RIGHT : LegendPosition.UPPER_RIGHT;
        if (position == LegendPosition.NONE) entries.clear();

        // category labels: straight when they fit under their group, slanted otherwise
        int widest = 0;
        for (String s : categories) widest = Math.max(widest, c.stringWidth(c.tickFont, s));
        int roughGroup = (width - 2 * c.pad()) / categories.size();
        boolean slanted = widest > roughGroup * 0.95;
        int labelHeight = c.lineHeight(c.tickFont);
        int xTicks = c.tickLength() + (slanted ? (int) Math.ceil(widest * Math.sin(Math.PI / 4) + labelHeight) : labelHeight);
        xTicks = Math.min(xTicks, height / 3);
        c.layout(title, "", yLabel, yAxis.labels, xTicks, c.outsideLegendWidth(entries, position));
        c.drawTitle(title);
        c.drawYAxis(yAxis, yLabel);

        double group = (double) c.plot.width / categories.size();
        double bar = group * 0.8 / Math.max(1, series.size());
        double zero = c.pyExact(clamp01(yAxis.fraction(0)));
        c.g.setFont(c.tickFont);
        FontMetrics fm = c.g.getFontMetrics();
        boolean printValues = valueLabels && bar >= fm.stringWidth(String.format(Locale.ROOT, valueFormat, 0.0)) * 0.9;
        java.awt.Shape clip = c.clipToPlot();
        for (int k = 0; k < categories.size(); k++) {
            for (int s = 0; s < series.size(); s++) {
                double v = series.get(s).values()[k];
                if (!Double.isFinite(v)) continue;
                double x0 = c.plot.x + k * group + group * 0.1 + s * bar;
                double top = c.pyExact(clamp01(yAxis.fraction(v)));
                c.g.setColor(series.get(s).color());
                c.g.fill(new java.awt.geom.Rectangle2D.Double(x0 + bar * 0.05, Math.min(top, zero), bar * 0.9,
                        Math.max(1, Math.abs(zero - top))));
                if (printValues) {
                    String text = String.format(Locale.ROOT, valueFormat, v);
                    double ty = v >= 0 ? Math.min(top, zero) - 3 * c.scale : Math.max(top, zero) + fm.getAscent() + 2 * c.scale;
                    ty = Math.max(c.plot.y + fm.getAscent(), Math.min(c.plot.y + c.plot.height - 2, ty));
                    c.g.setColor(ChartCanvas.TEXT);
                    c.g.drawString(text, (float) (x0 + (bar - fm.stringWidth(text)) / 2), (float) ty);
                }
            }
        }
        c.g.setClip(clip);
        c.g.setColor(ChartCanvas.FRAME);
        c.g.setStroke(new BasicStroke(Math.max(1f, c.scale)));
        c.g.drawLine(c.plot.x, (int) Math.round(zero), c.plot.x + c.plot.width, (int) Math.round(zero));
        drawReferences(c, yAxis);
        drawCategoryLabels(c, group, slanted);
        c.drawFrame();
        c.drawLegend(entries, position);
        return c.finish();
    }

    /** Renders and writes a PNG. */
    public void writePng(Path file, int width, int height) throws IOException {
        ChartCanvas.writePng(render(width, height), file);
    }

    private Axis fittedAxis(int height) {
        double lo = 0;
        double hi = 0;
        for (Series s : series)
            for (double v : s.values())
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
        for (Reference r : references) {
            lo = Math.min(lo, r.y());
            hi = Math.max(hi, r.y());
        }
        double headroom = (hi - lo) * 0.08; // room for value labels
        return Axis.linear(lo < 0 ? lo - headroom : 0, hi > 0 ? hi + headroom : (lo < 0 ? 0 : 1), Math.max(3, height / 75), true);
    }

    private void drawReferences(ChartCanvas c, Axis yAxis) {
        c.g.setFont(c.tickFont);
        FontMetrics fm = c.g.getFontMetrics();
        for (Reference r : references) {
            double f = yAxis.fraction(r.y());
            if (!(f >= 0 && f <= 1)) continue;
            int y = c.py(f);
            c.g.setColor(new Color(0x444444));
            c.g.setStroke(new BasicStroke(1.5f * c.scale, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[] {6 * c.scale, 4 * c.scale}, 0f));
            c.g.drawLine(c.plot.x, y, c.plot.x + c.plot.width, y);
            if (!r.label().isEmpty())
                c.g.drawString(r.label(), c.plot.x + c.plot.width - fm.stringWidth(r.label()) - c.pad() / 2, y - 3 * c.scale);
        }
    }

    private void drawCategoryLabels(ChartCanvas c, double group, boolean slanted) {
        c.g.setFont(c.tickFont);
        c.g.setColor(ChartCanvas.TEXT);
        FontMetrics fm = c.g.getFontMetrics();
        int base = c.plot.y + c.plot.height + c.tickLength() + fm.getAscent();
        for (int k = 0; k < categories.size(); k++) {
            String s = categories.get(k);
            double center = c.plot.x + (k + 0.5) * group;
            if (!slanted) {
                c.g.drawString(s, (float) (center - fm.stringWidth(s) / 2.0), base);
            } else {
                AffineTransform saved = c.g.getTransform();
                c.g.translate(center + fm.getAscent() / 3.0, c.plot.y + c.plot.height + c.tickLength() + 2);
                c.g.rotate(-Math.PI / 4);
                c.g.drawString(s, -fm.stringWidth(s), fm.getAscent() / 2);
                c.g.setTransform(saved);
            }
        }
    }

    private static double clamp01(double f) {
        return Double.isNaN(f) ? 0 : Math.max(0, Math.min(1, f));
    }
}
