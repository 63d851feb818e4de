package dev.strix.detection.data;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticScenesTest {
    @Test
    void sameSeedGivesIdenticalScenesInAnyOrder() {
        SyntheticScenes a = new SyntheticScenes(7, 10, 96, 8), b = new SyntheticScenes(7, 10, 96, 8);
        BufferedImage late = b.image(9); // b draws image 9 first
        TestImages.assertSamePixels(a.image(9), late);
        for (int i = 0; i < 10; i++) {
            assertEquals(a.annotation(i), b.annotation(i));
            TestImages.assertSamePixels(a.image(i), b.image(i));
            TestImages.assertSamePixels(a.image(i), a.image(i));
        }
        SyntheticScenes other = new SyntheticScenes(8, 10, 96, 8);
        assertNotEquals(a.annotation(0), other.annotation(0));
    }

    @Test
    void boxesAreTightAroundTheDrawnPixels() {
        SyntheticScenes s = new SyntheticScenes(1234, 30, 128, 8);
        int checked = 0;
        for (int i = 0; i < s.size(); i++) {
            BufferedImage img = s.image(i);
            ImageAnnotation a = s.annotation(i);
            assertEquals(img.getWidth(), a.width());
            assertEquals(img.getHeight(), a.height());
            for (int j = 0; j < a.objects().size(); j++) {
                Box b = a.objects().get(j).box();
                assertEquals(null, BoxChecks.problem(b, a.width(), a.height()), "image " + i + " object " + j);
                int color = s.objectColor(i, j);
                int x1 = (int) b.x1(), y1 = (int) b.y1(), x2 = (int) b.x2() - 1, y2 = (int) b.y2() - 1;
                String where = "image " + i + " object " + j + " box " + b;
                assertTrue(rowHas(img, y1, x1, x2, color), where + ": top edge has no object pixel");
                assertTrue(rowHas(img, y2, x1, x2, color), where + ": bottom edge has no object pixel");
                assertTrue(colHas(img, x1, y1, y2, color), where + ": left edge has no object pixel");
                assertTrue(colHas(img, x2, y1, y2, color), where + ": right edge has no object pixel");
                // just outside the box no pixel has the object's colour
                assertTrue(y1 == 0 || !rowHas(img, y1 - 1, x1, x2, color), where + ": object pixel above the box");
                assertTrue(y2 == a.height() - 1 || !rowHas(img, y2 + 1, x1, x2, color), where + ": object pixel below the box");
                assertTrue(x1 == 0 || !colHas(img, x1 - 1, y1, y2, color), where + ": object pixel left of the box");
                assertTrue(x2 == a.width() - 1 || !colHas(img, x2 + 1, y1, y2, color), where + ": object pixel right of the box");
                checked++;
            }
        }
        assertTrue(checked > 60, "only " + checked + " objects");
    }

    private static boolean rowHas(BufferedImage img, int y, int x1, int x2, int color) {
        for (int x = x1; x <= x2; x++) if ((img.getRGB(x, y) & 0xFFFFFF) == color) return true;
        return false;
    }

    private static boolean colHas(BufferedImage img, int x, int y1, int y2, int color) {
        for (int y = y1; y <= y2; y++) if ((img.getRGB(x, y) & 0xFFFFFF) == color) return true;
        return false;
    }

    @Test
    void scenesHaveVarietyOfScalesClassesTruncationAndOverlap() {
        SyntheticScenes s = new SyntheticScenes(99, 60, 160, 8);
        Set<Integer> classes = new HashSet<>();
        int truncated = 0, small = 0, large = 0, overlaps = 0, difficult = 0;
        for (int i = 0; i < s.size(); i++) {
            var objs = s.annotation(i).objects();
            assertTrue(objs.size() <= 7);
            for (int j = 0; j < objs.size(); j++) {
                ObjectAnnotation o = objs.get(j);
                classes.add(o.classIndex());
                if (o.truncated()) truncated++;
                if (o.difficult()) difficult++;
                float side = Math.max(o.box().width(), o.box().height());
                if (side <= 16) small++;
                if (side >= 60) large++;
                for (int k = j + 1; k < objs.size(); k++) if (o.box().iou(objs.get(k).box()) > 0) overlaps++;
            }
        }
        assertEquals(8, classes.size(), "classes seen: " + classes);
        assertTrue(truncated >= 5, "truncated " + truncated);
        assertTrue(small >= 10, "small " + small);
        assertTrue(large >= 10, "large " + large);
        assertTrue(overlaps >= 5, "overlapping pairs " + overlaps);
        assertTrue(difficult < truncated + small, "difficult " + difficult);
    }

    @Test
    void classCountIsRespectedAndValidated() {
        SyntheticScenes s = new SyntheticScenes(3, 20, 64, 3);
        assertEquals(java.util.List.of("circle", "square", "triangle"), s.classNames());
        for (int i = 0; i < s.size(); i++)
            for (ObjectAnnotation o : s.annotation(i).objects()) assertTrue(o.classIndex() < 3);
        assertThrows(IllegalArgumentException.class, () -> new SyntheticScenes(1, 5, 64, 9));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticScenes(1, 0, 64, 2));
    }
}
