package dev.strix.detection.data.augment;

import dev.strix.detection.data.Box;
import dev.strix.detection.data.ObjectAnnotation;

import java.util.ArrayList;
import java.util.List;

/**
 * Carries annotations through a {@link LetterboxTransform} into a region of the frame: boxes are clipped to the
 * region (and then marked truncated); a box is dropped when, after clipping, a side is shorter than
 * {@code minSide} pixels or less than {@code minVisibleFraction} of its transformed area remains (this includes boxes
 * entirely outside).
 */
final class BoxMapping {
    private BoxMapping() {
    }

    /** @param region {@code [x0, y0, x1, y1)} of the frame that shows this image */
    static List<ObjectAnnotation> map(List<ObjectAnnotation> objects, LetterboxTransform t, int[] region, float minSide,
                                      float minVisibleFraction, List<ObjectAnnotation> out) {
        for (ObjectAnnotation o : objects) {
            Box full = t.toLetterbox(o.box());
            Box clipped = new Box(Math.max(full.x1(), region[0]), Math.max(full.y1(), region[1]),
                    Math.min(full.x2(), region[2]), Math.min(full.y2(), region[3]));
            if (clipped.width() < minSide || clipped.height() < minSide) continue;
            if (clipped.area() < minVisibleFraction * full.area()) continue;
            boolean cut = !clipped.equals(full);
            out.add(new ObjectAnnotation(clipped, o.classIndex(), o.difficult(), o.truncated() || cut, o.crowd()));
        }
        return out;
    }

    static List<ObjectAnnotation> map(List<ObjectAnnotation> objects, LetterboxTransform t, int[] region, float minSide,
                                      float minVisibleFraction) {
        return map(objects, t, region, minSide, minVisibleFraction, new ArrayList<>());
    }
}
