package dev.strix.detection.assign;

import dev.strix.detection.data.Box;
import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.detection.postprocess.BoxDecoder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class FcosAssignerTest {
    private final FcosAssigner assigner = new FcosAssigner();

    private static ObjectAnnotation obj(float x1, float y1, float x2, float y2, int c) {
        return ObjectAnnotation.of(new Box(x1, y1, x2, y2), c);
    }

    private static ObjectAnnotation crowd(float x1, float y1, float x2, float y2) {
        return new ObjectAnnotation(new Box(x1, y1, x2, y2), 0, false, false, true);
    }

    /** Positive locations of image 0 as "level:i,j" strings. */
    private static Set<String> positives(Assignment a, int image) {
        LevelGrid g = a.grid();
        Set<String> out = new TreeSet<>();
        int base = image * g.numLocations();
        for (int k = 0; k < g.numLevels(); k++)
            for (int i = 0; i < g.height(k); i++)
                for (int j = 0; j < g.width(k); j++)
                    if (a.classes()[base + g.levelOffset(k) + i * g.width(k) + j] >= 0) out.add(k + ":" + i + "," + j);
        return out;
    }

    private static Set<String> cells(int level, int[] is, int[] js) {
        Set<String> s = new TreeSet<>();
        for (int i : is) for (int j : js) s.add(level + ":" + i + "," + j);
        return s;
    }

    @Test
    void gridPlacesLocationsAtHalfStrideOffsetsLevelMajorRowMajor() {
        LevelGrid g = LevelGrid.of(64, 96, 8, 16, 32);
        assertEquals(8 * 12 + 4 * 6 + 2 * 3, g.numLocations());
        assertEquals(0, g.levelOffset(0));
        assertEquals(96, g.levelOffset(1));
        assertEquals(120, g.levelOffset(2));
        // level 0, row 1, column 2: x = 4 + 2*8, y = 4 + 1*8
        assertEquals(20f, g.xs()[12 + 2]);
        assertEquals(12f, g.ys()[12 + 2]);
        // level 2, row 1, column 0: x = 16, y = 16 + 32
        assertEquals(16f, g.xs()[120 + 3]);
        assertEquals(48f, g.ys()[120 + 3]);
        assertEquals(32f, g.locationStrides()[125]);
        // sizes that are not multiples of the stride round up, as stride-2 convolutions with padding 1 do
        LevelGrid odd = LevelGrid.of(65, 33, 32);
        assertEquals(3, odd.height(0));
        assertEquals(2, odd.width(0));
    }

    @Test
    void boxCoversTheCentreRegionCellsOfTheFinestLevel() {
        // 40x40 box, centre (20, 20), radius 1.5*8 = 12: region (8, 32) x (8, 32); points 4+8j inside: 12, 20, 28
        Assignment a = assigner.assign(List.of(List.of(obj(0, 0, 40, 40, 2))), assigner.grid(128, 128));
        assertEquals(cells(0, new int[] {1, 2, 3}, new int[] {1, 2, 3}), positives(a, 0));
        assertEquals(9, a.numPositives());
        assertEquals(9, a.positives(0));
        int row = 1 * 16 + 1; // level 0, (1, 1) -> point (12, 12)
        assertEquals(2, a.classes()[row]);
        assertArrayEquals(new float[] {12, 12, 28, 28}, java.util.Arrays.copyOfRange(a.ltrb(), 4 * row, 4 * row + 4));
        assertEquals(12f / 28f, a.centerness()[row], 1e-6f);
        assertEquals(0, a.matchedObject()[row]);
    }

    @Test
    void scaleRangesChooseTheLevel() {
        // 200x200 box centred in 256x256: centre max(l,t,r,b) = 100, only in [64, 128] (stride 16); radius 24
        // leaves the points 120 and 136 (104 and 152 lie on the region's edge, which is excluded)
        Assignment a = assigner.assign(List.of(List.of(obj(28, 28, 228, 228, 0))), assigner.grid(256, 256));
        assertEquals(cells(1, new int[] {7, 8}, new int[] {7, 8}), positives(a, 0));
        // the whole 256x256 image: at stride 16 the points 120/136 have max 136 > 128; at stride 32 the points
        // 112/144 have max 144 in [128, inf)
        Assignment b = assigner.assign(List.of(List.of(obj(0, 0, 256, 256, 0))), assigner.grid(256, 256));
        assertEquals(cells(2, new int[] {3, 4}, new int[] {3, 4}), positives(b, 0));
        // a 100x100 box centred at 64: at stride 8 the region (52, 76) holds the points 60 and 68 (max 54 <= 64);
        // at stride 16 the region (40, 88) holds 56 and 72, whose max 58 < 64 keeps them off that level
        Assignment c = assigner.assign(List.of(List.of(obj(14, 14, 114, 114, 0))), assigner.grid(128, 128));
        assertEquals(cells(0, new int[] {7, 8}, new int[] {7, 8}), positives(c, 0));
    }

    @Test
    void centreSamplingRadiusLimitsPositivesAndCanBeSwitchedOff() {
        List<List<ObjectAnnotation>> t = List.of(List.of(obj(0, 0, 60, 60, 1)));
        // radius 12 around (30, 30): points 20, 28, 36
        Assignment a = assigner.assign(t, assigner.grid(128, 128));
        assertEquals(cells(0, new int[] {2, 3, 4}, new int[] {2, 3, 4}), positives(a, 0));
        // without centre sampling every point inside the box (4 .. 52) is positive on level 0
        FcosAssignerConfig d = FcosAssignerConfig.defaults();
        FcosAssigner whole = new FcosAssigner(new FcosAssignerConfig(d.strides(), d.rangeLow(), d.rangeHigh(), 0f, false));
        Assignment b = whole.assign(t, whole.grid(128, 128));
        int[] all = {0, 1, 2, 3, 4, 5, 6};
        assertEquals(cells(0, all, all), positives(b, 0));
        // radius 2.5 strides = 20 around 30: points 12 .. 44
        FcosAssigner wide = new FcosAssigner(new FcosAssignerConfig(d.strides(), d.rangeLow(), d.rangeHigh(), 2.5f, false));
        assertEquals(cells(0, new int[] {1, 2, 3, 4, 5}, new int[] {1, 2, 3, 4, 5}),
                positives(wide.assign(t, wide.grid(128, 128)), 0));
    }

    @Test
    void overlappingBoxesGoToTheSmallerOneWhateverTheOrder() {
        ObjectAnnotation big = obj(0, 0, 48, 48, 0), small = obj(8, 8, 40, 40, 1);
        for (List<ObjectAnnotation> objs : List.of(List.of(big, small), List.of(small, big))) {
            Assignment a = assigner.assign(List.of(objs), assigner.grid(64, 64));
            // both centred at (24, 24) with radius 12: points 20 and 28 are candidates of both
            int smallIndex = objs.indexOf(small);
            for (int i : new int[] {2, 3})
                for (int j : new int[] {2, 3}) {
                    int row = i * 8 + j;
                    assertEquals(1, a.classes()[row], "location (" + i + "," + j + ")");
                    assertEquals(smallIndex, a.matchedObject()[row]);
                    assertEquals(LevelGrid.center(j, 8) - 8, a.ltrb()[4 * row], 0f);
                }
        }
        // equal areas: the earlier object keeps the shared locations
        ObjectAnnotation p = obj(0, 0, 40, 40, 0), q = obj(8, 8, 48, 48, 1);
        Assignment a = assigner.assign(List.of(List.of(p, q)), assigner.grid(64, 64));
        int shared = 3 * 8 + 3; // point (28, 28): in both centre regions (8..32 and 16..40)
        assertEquals(0, a.matchedObject()[shared]);
        Assignment b = assigner.assign(List.of(List.of(q, p)), assigner.grid(64, 64));
        assertEquals(0, b.matchedObject()[shared]);
        assertEquals(1, b.classes()[shared]);
    }

    @Test
    void crowdRegionsIgnoreTheirNonPositiveLocations() {
        // crowd box 0..64 x 0..32 on a 64x64 input; a real object inside it at 0..24 x 0..24
        List<ObjectAnnotation> objs = List.of(crowd(0, 0, 64, 32), obj(0, 0, 24, 24, 2));
        Assignment a = assigner.assign(List.of(objs), assigner.grid(64, 64));
        LevelGrid g = a.grid();
        int expectIgnored = 0;
        for (int q = 0; q < g.numLocations(); q++) {
            boolean insideCrowd = g.xs()[q] > 0 && g.xs()[q] < 64 && g.ys()[q] > 0 && g.ys()[q] < 32;
            int c = a.classes()[q];
            if (c >= 0) {
                assertEquals(2, c);
                assertEquals(1, a.matchedObject()[q], "only the real object makes positives");
            } else if (insideCrowd) {
                assertEquals(Assignment.IGNORE, c, "location " + q);
                expectIgnored++;
            } else assertEquals(Assignment.BACKGROUND, c, "location " + q);
        }
        // level 0: 8 x 4 points inside, level 1: 4 x 2, level 2: 2 x 1 (y = 16); minus the positives
        assertEquals(32 + 8 + 2 - a.numPositives(), expectIgnored);
        assertEquals(expectIgnored, a.numIgnored());
        assertTrue(a.numPositives() > 0);
    }

    @Test
    void difficultObjectsCanBeIgnoredInsteadOfTrained() {
        ObjectAnnotation hard = new ObjectAnnotation(new Box(0, 0, 40, 40), 1, true, false, false);
        Assignment trained = assigner.assign(List.of(List.of(hard)), assigner.grid(64, 64));
        assertEquals(9, trained.numPositives());
        FcosAssignerConfig d = FcosAssignerConfig.defaults();
        FcosAssigner ignoring = new FcosAssigner(new FcosAssignerConfig(d.strides(), d.rangeLow(), d.rangeHigh(), 1.5f, true));
        Assignment ignored = ignoring.assign(List.of(List.of(hard)), ignoring.grid(64, 64));
        assertEquals(0, ignored.numPositives());
        assertEquals(5 * 5 + 2 * 2 + 1, ignored.numIgnored()); // points strictly inside 0..40: 5, 2 and 1 per axis
    }

    @Test
    void emptyTargetsGiveAllBackground() {
        List<List<ObjectAnnotation>> t = List.of(List.of(), List.of());
        Assignment a = assigner.assign(t, assigner.grid(64, 64));
        assertEquals(2, a.numImages());
        assertEquals(0, a.numPositives());
        assertEquals(0, a.numIgnored());
        for (int i = 0; i < a.classes().length; i++) {
            assertEquals(Assignment.BACKGROUND, a.classes()[i]);
            assertEquals(-1, a.matchedObject()[i]);
            assertEquals(0f, a.centerness()[i]);
        }
        for (float v : a.ltrb()) assertEquals(0f, v);
    }

    @Test
    void centernessFormula() {
        // sqrt(min(l,r)/max(l,r) * min(t,b)/max(t,b)) = sqrt(10/30 * 20/40)
        assertEquals(Math.sqrt(1.0 / 6.0), Assignment.centerness(10, 20, 30, 40), 1e-7);
        assertEquals(1f, Assignment.centerness(5, 7, 5, 7), 0f);
        assertEquals(Math.sqrt(0.5 * 0.25), Assignment.centerness(8, 1, 4, 4), 1e-7);
    }

    @Test
    void matchesABruteForceReferenceOnRandomScenesAndReusesArrays() {
        Random rnd = new Random(7);
        Assignment reused = new Assignment();
        for (int trial = 0; trial < 20; trial++) {
            int h = 32 * (1 + rnd.nextInt(4)), w = 32 * (1 + rnd.nextInt(5));
            List<List<ObjectAnnotation>> t = new ArrayList<>();
            for (int n = 0; n < 3; n++) {
                List<ObjectAnnotation> objs = new ArrayList<>();
                int count = rnd.nextInt(8);
                for (int o = 0; o < count; o++) {
                    float bw = 4 + rnd.nextFloat() * w, bh = 4 + rnd.nextFloat() * h;
                    float x1 = rnd.nextFloat() * w - bw / 4, y1 = rnd.nextFloat() * h - bh / 4;
                    // quantise to whole pixels so that equal areas (tie breaks) and edge points occur
                    Box b = new Box(Math.round(x1), Math.round(y1), Math.round(x1 + bw), Math.round(y1 + bh));
                    objs.add(new ObjectAnnotation(b, rnd.nextInt(5), false, false, rnd.nextInt(6) == 0));
                }
                t.add(objs);
            }
            LevelGrid grid = assigner.grid(h, w);
            Assignment a = assigner.assign(t, grid, reused);
            assertSame(reused, a);
            checkAgainstReference(t, grid, a, FcosAssignerConfig.defaults());
        }
    }

    /** Every location against every object, in double precision, straight from the definition. */
    static void checkAgainstReference(List<List<ObjectAnnotation>> targets, LevelGrid grid, Assignment a,
                                      FcosAssignerConfig cfg) {
        int locations = grid.numLocations();
        int positives = 0, ignored = 0;
        for (int n = 0; n < targets.size(); n++) {
            List<ObjectAnnotation> objs = targets.get(n);
            for (int k = 0; k < grid.numLevels(); k++) {
                int s = grid.stride(k);
                for (int i = 0; i < grid.height(k); i++)
                    for (int j = 0; j < grid.width(k); j++) {
                        double x = s / 2 + j * s, y = s / 2 + i * s;
                        int best = -1;
                        double bestArea = Double.POSITIVE_INFINITY;
                        boolean inCrowd = false;
                        for (int o = 0; o < objs.size(); o++) {
                            Box b = objs.get(o).box();
                            if (objs.get(o).crowd()) {
                                inCrowd |= x > b.x1() && x < b.x2() && y > b.y1() && y < b.y2();
                                continue;
                            }
                            double cx = (b.x1() + (double) b.x2()) / 2, cy = (b.y1() + (double) b.y2()) / 2;
                            double r = cfg.centerRadius() * s;
                            double xmin = Math.max(cx - r, b.x1()), xmax = Math.min(cx + r, b.x2());
                            double ymin = Math.max(cy - r, b.y1()), ymax = Math.min(cy + r, b.y2());
                            if (!(x > xmin && x < xmax && y > ymin && y < ymax)) continue;
                            double m = Math.max(Math.max(x - b.x1(), b.x2() - x), Math.max(y - b.y1(), b.y2() - y));
                            if (m < cfg.rangeLow()[k] || m > cfg.rangeHigh()[k]) continue;
                            double area = ((double) b.x2() - b.x1()) * ((double) b.y2() - b.y1());
                            if (area < bestArea) {
                                bestArea = area;
                                best = o;
                            }
                        }
                        int row = n * locations + grid.levelOffset(k) + i * grid.width(k) + j;
                        String where = "image " + n + " level " + k + " (" + i + "," + j + ")";
                        assertEquals(best, a.matchedObject()[row], where);
                        if (best >= 0) {
                            positives++;
                            Box b = objs.get(best).box();
                            assertEquals(objs.get(best).classIndex(), a.classes()[row], where);
                            double[] d = {x - b.x1(), y - b.y1(), b.x2() - x, b.y2() - y};
                            for (int e = 0; e < 4; e++) assertEquals(d[e], a.ltrb()[4 * row + e], 1e-4, where);
                            double ctr = Math.sqrt(Math.min(d[0], d[2]) / Math.max(d[0], d[2])
                                    * Math.min(d[1], d[3]) / Math.max(d[1], d[3]));
                            assertEquals(ctr, a.centerness()[row], 1e-6, where);
                            // decoding the target at its own location gives the object's box back
                            Box decoded = BoxDecoder.decode(a.ltrb(), row, grid, row - n * locations);
                            assertEquals(b.x1(), decoded.x1(), 1e-4f, where);
                            assertEquals(b.y1(), decoded.y1(), 1e-4f, where);
                            assertEquals(b.x2(), decoded.x2(), 1e-4f, where);
                            assertEquals(b.y2(), decoded.y2(), 1e-4f, where);
                        } else {
                            int expect = inCrowd ? Assignment.IGNORE : Assignment.BACKGROUND;
                            if (inCrowd) ignored++;
                            assertEquals(expect, a.classes()[row], where);
                            assertEquals(0f, a.centerness()[row], where);
                            for (int e = 0; e < 4; e++) assertEquals(0f, a.ltrb()[4 * row + e], where);
                        }
                    }
            }
        }
        assertEquals(positives, a.numPositives());
        assertEquals(ignored, a.numIgnored());
    }

    @Test
    void rejectsAGridWithOtherStrides() {
        LevelGrid g = LevelGrid.of(64, 64, 4, 8, 16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> assigner.assign(List.of(List.of()), g));
        if (!e.getMessage().contains("stride")) fail(e.getMessage());
    }
}
