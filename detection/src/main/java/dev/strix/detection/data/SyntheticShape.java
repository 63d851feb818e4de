package dev.strix.detection.data;

import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;

/**
 * The object classes of {@link SyntheticScenes}: eight shapes, each with its own base hue (degrees), so that both
 * form and colour identify the class.
 */
public enum SyntheticShape {
    CIRCLE("circle", 0),
    SQUARE("square", 120),
    TRIANGLE("triangle", 222),
    RING("ring", 56),
    CROSS("cross", 300),
    DIAMOND("diamond", 182),
    STAR("star", 28),
    BAR("bar", 265);

    private final String label;
    private final float hue;

    SyntheticShape(String label, float hue) {
        this.label = label;
        this.hue = hue;
    }

    /** The class name. */
    public String label() {
        return label;
    }

    /** Base hue in degrees [0, 360). */
    public float hue() {
        return hue;
    }

    /**
     * The outline filling the box {@code [x, x + w] x [y, y + h]}; a pixel belongs to the object when its centre is
     * inside.
     */
    public Shape outline(double x, double y, double w, double h) {
        double cx = x + w / 2, cy = y + h / 2;
        return switch (this) {
            case CIRCLE -> new Ellipse2D.Double(x, y, w, h);
            case SQUARE, BAR -> new java.awt.geom.Rectangle2D.Double(x, y, w, h);
            case TRIANGLE -> polygon(new double[] {cx, x + w, x}, new double[] {y, y + h, y + h});
            case DIAMOND -> polygon(new double[] {cx, x + w, cx, x}, new double[] {y, cy, y + h, cy});
            case RING -> {
                Path2D.Double p = new Path2D.Double(Path2D.WIND_EVEN_ODD);
                p.append(new Ellipse2D.Double(x, y, w, h), false);
                double iw = w * 0.55, ih = h * 0.55;
                p.append(new Ellipse2D.Double(cx - iw / 2, cy - ih / 2, iw, ih), false);
                yield p;
            }
            case CROSS -> {
                double tw = w * 0.34, th = h * 0.34;
                Path2D.Double p = new Path2D.Double(Path2D.WIND_NON_ZERO);
                p.append(new java.awt.geom.Rectangle2D.Double(cx - tw / 2, y, tw, h), false);
                p.append(new java.awt.geom.Rectangle2D.Double(x, cy - th / 2, w, th), false);
                yield p;
            }
            case STAR -> {
                double[] xs = new double[10], ys = new double[10];
                for (int k = 0; k < 10; k++) {
                    double r = k % 2 == 0 ? 1.0 : 0.45;
                    double a = -Math.PI / 2 + k * Math.PI / 5;
                    xs[k] = cx + r * Math.cos(a) * w / 2;
                    ys[k] = cy + r * Math.sin(a) * h / 2;
                }
                yield polygon(xs, ys);
            }
        };
    }

    private static Shape polygon(double[] xs, double[] ys) {
        Path2D.Double p = new Path2D.Double(Path2D.WIND_NON_ZERO);
        p.moveTo(xs[0], ys[0]);
        for (int i = 1; i < xs.length; i++) p.lineTo(xs[i], ys[i]);
        p.closePath();
        return p;
    }
}
