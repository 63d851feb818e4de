package dev.strix.detection.plot;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The shared drawing of every chart: an antialiased white RGB image, title, plot rectangle, value axes with grid,
 * ticks and labels, legend, and PNG output. Font sizes scale with the image (designed at 900 x 600).
 */
final class ChartCanvas {
    static final int MIN_SIZE = 120;
    static final int MAX_SIZE = 16384;
    static final Color TEXT = new Color(0x222222);
    static final Color GRID = new Color(0xe3e3e3);
    static final Color FRAME = new Color(0x888888);

    /** One legend line: a coloured line (series) or square (bars) and a name. */
    record LegendEntry(String name, Color color, boolean line) {}

    final BufferedImage image;
    final Graphics2D g;
    final int width;
    final int height;
    final float scale;
    final Font titleFont;
    final Font labelFont;
    final Font tickFont;
    final Font legendFont;
    Rectangle plot;

    ChartCanvas(int width, int height) {
        if (width < MIN_SIZE || height < MIN_SIZE || width > MAX_SIZE || height > MAX_SIZE)
            throw new IllegalArgumentException("chart size " + width + " x " + height + " outside [" + MIN_SIZE + ", "
                    + MAX_SIZE + "]");
        this.width = width;
        this.height = height;
        image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        scale = (float) Math.max(0.6, Math.min(width / 900.0, height / 600.0));
        titleFont = new Font(Font.SANS_SERIF, Font.BOLD, Math.round(20 * scale));
        labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, Math.round(15 * scale));
        tickFont = new Font(Font.SANS_SERIF, Font.PLAIN, Math.round(13 * scale));
        legendFont = new Font(Font.SANS_SERIF, Font.PLAIN, Math.round(13 * scale));
    }

    int pad() {
        return Math.round(12 * scale);
    }

    int tickLength() {
        return Math.round(5 * scale);
    }

    int stringWidth(Font font, String s) {
        return g.getFontMetrics(font).stringWidth(s);
    }

    int lineHeight(Font font) {
        return g.getFontMetrics(font).getHeight();
    }

    /**
     * Places the plot rectangle.
     *
     * @param yTickLabels the y axis labels (their widest sets the left margin)
     * @param xTickHeight room under the plot for x tick labels (e.g. rotated category names)
     * @param rightExtra  room right of the plot (an outside legend)
     */
    void layout(String title, String xLabel, String yLabel, String[] yTickLabels, int xTickHeight, int rightExtra) {
        int pad = pad();
        int top = pad + (title == null || title.isEmpty() ? lineHeight(tickFont) / 2 : lineHeight(titleFont) + pad / 2);
        int widest = 0;
        for (String s : yTickLabels) widest = Math.max(widest, stringWidth(tickFont, s));
        int left = pad + (yLabel == null || yLabel.isEmpty() ? 0 : lineHeight(labelFont) + pad / 2) + widest + tickLength() + pad / 2;
        int bottom = pad + tickLength() + xTickHeight + (xLabel == null || xLabel.isEmpty() ? 0 : lineHeight(labelFont) + pad / 2);
        int right = pad * 2 + rightExtra;
        plot = new Rectangle(left, top, Math.max(10, width - left - right), Math.max(10, height - top - bottom));
    }

    int px(double fraction) {
        return (int) Math.round(plot.x + fraction * plot.width);
    }

    int py(double fraction) {
        return (int) Math.round(plot.y + plot.height - fraction * plot.height);
    }

    double pxExact(double fraction) {
        return plot.x + fraction * plot.width;
    }

    double pyExact(double fraction) {
        return plot.y + plot.height - fraction * plot.height;
    }

    void drawTitle(String title) {
        if (title == null || title.isEmpty()) return;
        g.setFont(titleFont);
        g.setColor(TEXT);
        FontMetrics fm = g.getFontMetrics();
        int x = plot.x + (plot.width - fm.stringWidth(title)) / 2;
        g.drawString(title, Math.max(pad(), x), pad() + fm.getAscent());
    }

    /** Horizontal grid lines, ticks and labels of a y axis, and its rotated label. */
    void drawYAxis(Axis axis, String label) {
        g.setFont(tickFont);
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < axis.ticks.length; i++) {
            double f = axis.fraction(axis.ticks[i]);
            if (!(f >= -1e-9 && f <= 1 + 1e-9)) continue;
            int y = py(f);
            g.setColor(GRID);
            g.setStroke(new BasicStroke(Math.max(1f, scale)));
            g.drawLine(plot.x, y, plot.x + plot.width, y);
            g.setColor(FRAME);
            g.drawLine(plot.x - tickLength(), y, plot.x, y);
            g.setColor(TEXT);
            g.drawString(axis.labels[i], plot.x - tickLength() - pad() / 3 - fm.stringWidth(axis.labels[i]),
                    y + fm.getAscent() / 2 - 1);
        }
        if (label != null && !label.isEmpty()) {
            g.setFont(labelFont);
            FontMetrics lm = g.getFontMetrics();
            AffineTransform saved = g.getTransform();
            g.rotate(-Math.PI / 2);
            g.drawString(label, -(plot.y + (plot.height + lm.stringWidth(label)) / 2), pad() + lm.getAscent());
            g.setTransform(saved);
        }
    }

    /** Vertical grid lines, ticks and labels of a numeric x axis. */
    void drawXAxis(Axis axis) {
        g.setFont(tickFont);
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < axis.ticks.length; i++) {
            double f = axis.fraction(axis.ticks[i]);
            if (!(f >= -1e-9 && f <= 1 + 1e-9)) continue;
            int x = px(f);
            g.setColor(GRID);
            g.setStroke(new BasicStroke(Math.max(1f, scale)));
            g.drawLine(x, plot.y, x, plot.y + plot.height);
            g.setColor(FRAME);
            g.drawLine(x, plot.y + plot.height, x, plot.y + plot.height + tickLength());
            g.setColor(TEXT);
            g.drawString(axis.labels[i], x - fm.stringWidth(axis.labels[i]) / 2,
                    plot.y + plot.height + tickLength() + pad() / 3 + fm.getAscent());
        }
    }

    /** The x axis label, centred under the tick labels. */
    void drawXLabel(String label) {
        if (label == null || label.isEmpty()) return;
        g.setFont(labelFont);
        g.setColor(TEXT);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(label, plot.x + (plot.width - fm.stringWidth(label)) / 2, height - pad() - fm.getDescent());
    }

    void drawFrame() {
        g.setColor(FRAME);
        g.setStroke(new BasicStroke(Math.max(1f, scale)));
        g.drawRect(plot.x, plot.y, plot.width, plot.height);
    }

    /** Width the legend needs when drawn outside the plot (0 for other positions). */
    int outsideLegendWidth(List<LegendEntry> entries, LegendPosition position) {
        if (position != LegendPosition.OUTSIDE_RIGHT || entries.isEmpty()) return 0;
        return legendBoxWidth(entries) + pad();
    }

    private int legendBoxWidth(List<LegendEntry> entries) {
        int widest = 0;
        for (LegendEntry e : entries) widest = Math.max(widest, stringWidth(legendFont, e.name()));
        return swatchWidth() + pad() / 2 + widest + pad();
    }

    private int swatchWidth() {
        return Math.round(24 * scale);
    }

    void drawLegend(List<LegendEntry> entries, LegendPosition position) {
        if (entries.isEmpty() || position == LegendPosition.NONE) return;
        g.setFont(legendFont);
        FontMetrics fm = g.getFontMetrics();
        int row = fm.getHeight() + Math.round(2 * scale);
        int w = legendBoxWidth(entries);
        int h = row * entries.size() + pad() / 2;
        int inset = pad() / 2;
        int x = switch (position) {
            case UPPER_LEFT, LOWER_LEFT -> plot.x + inset;
            case OUTSIDE_RIGHT -> plot.x + plot.width + pad();
            default -> plot.x + plot.width - w - inset;
        };
        int y = switch (position) {
            case LOWER_LEFT, LOWER_RIGHT -> plot.y + plot.height - h - inset;
            default -> plot.y + inset;
        };
        g.setColor(new Color(255, 255, 255, 225));
        g.fillRect(x, y, w, h);
        g.setColor(GRID.darker());
        g.setStroke(new BasicStroke(1f));
        g.drawRect(x, y, w, h);
        for (int i = 0; i < entries.size(); i++) {
            LegendEntry e = entries.get(i);
            int cy = y + pad() / 4 + i * row + row / 2;
            int sx = x + pad() / 2;
            g.setColor(e.color());
            if (e.line()) {
                g.setStroke(new BasicStroke(2.5f * scale, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                g.draw(new Line2D.Double(sx, cy, sx + swatchWidth(), cy));
            } else {
                int s = Math.round(10 * scale);
                g.fillRect(sx + (swatchWidth() - s) / 2, cy - s / 2, s, s);
            }
            g.setColor(TEXT);
            g.drawString(e.name(), sx + swatchWidth() + pad() / 2, cy + fm.getAscent() / 2 - 1);
        }
    }

    /** Restricts drawing to the plot rectangle (plus a hair for lines on its edges); returns the previous clip. */
    Shape clipToPlot() {
        Shape previous = g.getClip();
        int m = Math.round(2 * scale);
        g.setClip(plot.x - m, plot.y - m, plot.width + 2 * m, plot.height + 2 * m);
        return previous;
    }

    BufferedImage finish() {
        g.dispose();
        return image;
    }

    /** Writes {@code image} as PNG, atomically (a temporary file in the same folder, then a rename). */
    static void writePng(BufferedImage image, Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path parent = target.getParent();
        if (parent != null) Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, target.getFileName().toString(), ".tmp");
        try {
            if (!ImageIO.write(image, "png", tmp.toFile())) throw new IOException("no PNG writer available for " + file);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
