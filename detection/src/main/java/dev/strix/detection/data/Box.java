package dev.strix.detection.data;

/**
 * An axis-aligned box {@code (x1, y1, x2, y2)} in continuous pixel coordinates: the image spans
 * {@code [0, width] x [0, height]}, pixel {@code (i, j)} covers {@code [i, i+1] x [j, j+1]}, and a valid box has
 * {@code x1 < x2, y1 < y2}. Pascal VOC's 1-based inclusive pixel boxes {@code (xmin..xmax)} map to
 * {@code (xmin - 1, ymin - 1, xmax, ymax)}; COCO's {@code [x, y, w, h]} maps to {@code (x, y, x + w, y + h)}.
 */
public record Box(float x1, float y1, float x2, float y2) {
    public float width() {
        return x2 - x1;
    }

    public float height() {
        return y2 - y1;
    }

    /** Area, 0 for degenerate boxes. */
    public float area() {
        return Math.max(0f, x2 - x1) * Math.max(0f, y2 - y1);
    }

    public float centerX() {
        return 0.5f * (x1 + x2);
    }

    public float centerY() {
        return 0.5f * (y1 + y2);
    }

    /** True when all coordinates are finite and the box has positive width and height. */
    public boolean isValid() {
        return Float.isFinite(x1) && Float.isFinite(y1) && Float.isFinite(x2) && Float.isFinite(y2) && x2 > x1 && y2 > y1;
    }

    /** Intersection over union in continuous coordinates (0 when the union is empty). */
    public float iou(Box o) {
        float iw = Math.min(x2, o.x2) - Math.max(x1, o.x1);
        float ih = Math.min(y2, o.y2) - Math.max(y1, o.y1);
        if (iw <= 0 || ih <= 0) return 0f;
        float inter = iw * ih;
        float union = area() + o.area() - inter;
        return union > 0 ? inter / union : 0f;
    }

    /** This box clipped to {@code [0, w] x [0, h]}. */
    public Box clip(float w, float h) {
        return new Box(Math.clamp(x1, 0f, w), Math.clamp(y1, 0f, h), Math.clamp(x2, 0f, w), Math.clamp(y2, 0f, h));
    }

    /** This box scaled by (sx, sy) and then shifted by (dx, dy). */
    public Box scaleShift(float sx, float sy, float dx, float dy) {
        return new Box(x1 * sx + dx, y1 * sy + dy, x2 * sx + dx, y2 * sy + dy);
    }

    /** COCO's {@code [x, y, w, h]}. */
    public float[] toXywh() {
        return new float[] {x1, y1, x2 - x1, y2 - y1};
    }

    /** From COCO's {@code [x, y, w, h]}. */
    public static Box fromXywh(float x, float y, float w, float h) {
        return new Box(x, y, x + w, y + h);
    }
}
