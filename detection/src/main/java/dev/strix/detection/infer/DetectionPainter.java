package dev.strix.detection.infer;

import dev.strix.detection.data.Box;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * Draws detections on a copy of an image: a box outline per object in its class's colour and, above the box (inside
 * it when there is no room), a filled tag with {@code label score} in black or white, whichever reads better on the
 * tag. Line width and font size grow with the image. Lower scores are drawn first so the best stay on top.
 */
public final class DetectionPainter {
    /** Golden-angle hue step: neighbouring class indices get well separated hues. */
    private static final float HUE_STEP = 0.381966f;

    private DetectionPainter() {
    }

    /** The outline and tag colour of class {@code classIndex}: saturated, medium-bright, distinct for neighbours. */
    public static Color classColor(int classIndex) {
        float hue = (0.02f + classIndex * HUE_STEP) % 1f;
        float brightness = classIndex / 12 % 2 == 0 ? 0.95f : 0.75f;
        return Color.getHSBColor(hue, 0.85f, brightness);
    }

    /**
     * A {@code TYPE_INT_RGB} copy of {@code image} with {@code objects} drawn on it.
     *
     * @param objects boxes in {@code image}'s pixel coordinates
     */
    public static BufferedImage paint(BufferedImage image, List<DetectedObject> objects) {
        int w = image.getWidth(), h = image.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.drawImage(image, 0, 0, null);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            int side = Math.max(w, h);
            float line = Math.max(1.5f, side / 320f);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(10, Math.round(side / 50f))));
            g.setStroke(new BasicStroke(line));
            FontMetrics fm = g.getFontMetrics();
            List<DetectedObject> order = objects.stream()
                    .sorted((a, b) -> Float.compare(a.score(), b.score())).toList();
            for (DetectedObject o : order) drawOne(g, fm, o, w, h, line);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static void drawOne(Graphics2D g, FontMetrics fm, DetectedObject o, int w, int h, float line) {
        Color c = classColor(o.classIndex());
        Box b = o.box();
        int x1 = Math.round(b.x1()), y1 = Math.round(b.y1());
        int bw = Math.max(1, Math.round(b.x2()) - x1), bh = Math.max(1, Math.round(b.y2()) - y1);
        g.setColor(c);
        g.drawRect(x1, y1, bw, bh);

        String text = String.format(Locale.ROOT, "%s %.2f", o.label(), o.score());
        int pad = Math.max(2, Math.round(line));
        int tw = fm.stringWidth(text) + 2 * pad, th = fm.getAscent() + fm.getDescent() + pad;
        int tx = Math.clamp(x1, 0, Math.max(0, w - tw));
        int ty = y1 - th >= 0 ? y1 - th : Math.min(y1, Math.max(0, h - th)); // above the box, else inside it
        g.fillRect(tx, ty, tw, th);
        g.setColor(luminance(c) > 0.55 ? Color.BLACK : Color.WHITE);
        g.drawString(text, tx + pad, ty + pad / 2 + fm.getAscent());
    }

    /** Relative luminance in [0, 1] (sRGB weights, no gamma: enough to pick black or white text). */
    static double luminance(Color c) {
        return (0.2126 * c.getRed() + 0.7152 * c.getGreen() + 0.0722 * c.getBlue()) / 255.0;
    }
}
