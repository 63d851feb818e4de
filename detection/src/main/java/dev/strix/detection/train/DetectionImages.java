package dev.strix.detection.train;

import dev.strix.detection.data.Box;
import dev.strix.detection.data.Detection;
import dev.strix.detection.data.ImageAnnotation;
import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.detection.plot.Palette;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/** Pictures of detections: boxes and "label score" tags drawn over an image, and grids of such pictures. */
public final class DetectionImages {
    private DetectionImages() {}

    /**
     * {@code image} enlarged {@code scale} times with the ground truth as thin dashed white boxes (when
     * {@code truth} is not null) and each detection scoring at least {@code minScore} as a box in its class's
     * colour with a "label 0.93" tag.
     *
     * @param detections in the image's pixel coordinates
     */
    public static BufferedImage draw(BufferedImage image, ImageAnnotation truth, List<Detection> detections,
                                     List<String> classNames, float minScore, int scale) {
        int w = image.getWidth() * scale, h = image.getHeight() * scale;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.drawImage(image, 0, 0, w, h, null);
            if (truth != null) {
                g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f));
                g.setColor(new Color(255, 255, 255, 200));
                for (ObjectAnnotation o : truth.objects()) {
                    Box b = o.box();
                    g.drawRect(Math.round(b.x1() * scale), Math.round(b.y1() * scale), Math.round(b.width() * scale),
                            Math.round(b.height() * scale));
                }
            }
            Font font = new Font(Font.SANS_SERIF, Font.BOLD, Math.max(10, 4 * scale + 1));
            g.setFont(font);
            FontMetrics fm = g.getFontMetrics();
            g.setStroke(new BasicStroke(Math.max(2f, scale * 0.8f)));
            for (int i = detections.size() - 1; i >= 0; i--) { // lowest score first, so the best is drawn on top
                Detection d = detections.get(i);
                if (d.score() < minScore) continue;
                Color c = Palette.color(d.classIndex());
                Box b = d.box();
                int x = Math.round(b.x1() * scale), y = Math.round(b.y1() * scale);
                int bw = Math.round(b.width() * scale), bh = Math.round(b.height() * scale);
                g.setColor(c);
                g.drawRect(x, y, bw, bh);
                String name = d.classIndex() < classNames.size() ? classNames.get(d.classIndex()) : "class " + d.classIndex();
                String tag = name + String.format(Locale.ROOT, " %.2f", d.score());
                int tw = fm.stringWidth(tag) + 6, th = fm.getAscent() + 2;
                int ty = y - th >= 0 ? y - th : Math.min(y, h - th);
                int tx = Math.min(Math.max(0, x), Math.max(0, w - tw));
                g.fillRect(tx, ty, tw, th);
                g.setColor(luminance(c) > 0.6 ? Color.BLACK : Color.WHITE);
                g.drawString(tag, tx + 3, ty + fm.getAscent());
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** The images side by side, {@code columns} per row, separated by {@code gap} pixels of white. */
    public static BufferedImage grid(List<BufferedImage> images, int columns, int gap) {
        if (images.isEmpty()) throw new IllegalArgumentException("no images to arrange");
        int cols = Math.min(columns, images.size()), rows = (images.size() + cols - 1) / cols;
        int cw = 0, ch = 0;
        for (BufferedImage i : images) {
            cw = Math.max(cw, i.getWidth());
            ch = Math.max(ch, i.getHeight());
        }
        BufferedImage out = new BufferedImage(cols * cw + (cols + 1) * gap, rows * ch + (rows + 1) * gap, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            for (int k = 0; k < images.size(); k++) {
                BufferedImage i = images.get(k);
                int x = gap + (k % cols) * (cw + gap) + (cw - i.getWidth()) / 2;
                int y = gap + (k / cols) * (ch + gap) + (ch - i.getHeight()) / 2;
                g.drawImage(i, x, y, null);
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    private static double luminance(Color c) {
        return (0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue()) / 255.0;
    }
}
