package dev.strix.detection.data.augment;

import dev.strix.detection.data.Box;
import dev.strix.detection.data.ImageAnnotation;
import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.detection.data.SeededRandom;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class AugmentTest {
    /** A black {@code w x h} image with a red rectangle filling exactly {@code box}. */
    static BufferedImage redRect(int w, int h, Box box) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = (int) box.y1(); y < box.y2(); y++) for (int x = (int) box.x1(); x < box.x2(); x++) img.setRGB(x, y, 0xFF0000);
        return img;
    }

    /** Pixels that are clearly red: more than half the red weight (colour jitter keeps red dominant). */
    static boolean red(float[] chw, int size, int x, int y) {
        int p = size * size, i = y * size + x;
        return chw[i] - Math.max(chw[p + i], chw[2 * p + i]) > 0.25f;
    }

    /** Every red pixel lies in some box grown by 1 px (bilinear edges), and every box has red pixels near each side. */
    static void assertBoxesEncloseRed(TrainSample s, String where) {
        int n = s.size();
        int redCount = 0;
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                if (!red(s.chw(), n, x, y)) continue;
                redCount++;
                boolean inside = false;
                for (ObjectAnnotation o : s.objects()) {
                    Box b = o.box();
                    if (x + 0.5 > b.x1() - 1 && x + 0.5 < b.x2() + 1 && y + 0.5 > b.y1() - 1 && y + 0.5 < b.y2() + 1) inside = true;
                }
                if (!inside && !s.objects().isEmpty()) fail(where + ": red pixel (" + x + ", " + y + ") outside all boxes " + s.objects());
            }
        }
        for (ObjectAnnotation o : s.objects()) {
            Box b = o.box();
            assertTrue(b.x1() >= 0 && b.y1() >= 0 && b.x2() <= n && b.y2() <= n, where + ": box outside frame " + b);
            if (b.width() < 4 || b.height() < 4) continue;
            int cx = (int) b.centerX(), cy = (int) b.centerY();
            assertTrue(red(s.chw(), n, cx, cy), where + ": box centre not red " + b);
            assertTrue(red(s.chw(), n, (int) Math.ceil(b.x1() + 1), cy) && red(s.chw(), n, (int) Math.floor(b.x2() - 1.01f), cy)
                    && red(s.chw(), n, cx, (int) Math.ceil(b.y1() + 1)) && red(s.chw(), n, cx, (int) Math.floor(b.y2() - 1.01f)),
                    where + ": box " + b + " larger than the red region");
        }
        if (s.objects().isEmpty()) assertTrue(redCount < 0.3 * 40 * 30 * 4, where + ": box dropped but " + redCount + " red pixels");
    }

    @Test
    void trainingAugmentationKeepsBoxesOnTheObject() {
        Box box = new Box(30, 20, 70, 50);
        BufferedImage img = redRect(120, 80, box);
        ImageAnnotation ann = new ImageAnnotation("r", null, 120, 80, List.of(ObjectAnnotation.of(box, 0)));
        Augmenter aug = new Augmenter(AugmentConfig.training(64).withScale(0.5, 2.5));
        int flipped = 0, dropped = 0, cut = 0;
        for (int seed = 0; seed < 60; seed++) {
            TrainSample s = aug.apply(img, ann, new SeededRandom(seed));
            assertBoxesEncloseRed(s, "seed " + seed);
            if (s.transform().flipped()) flipped++;
            if (s.objects().isEmpty()) dropped++;
            else if (s.objects().getFirst().truncated()) cut++;
            if (!s.objects().isEmpty()) {
                Box back = s.transform().toOriginal(s.objects().getFirst().box());
                assertTrue(back.x1() >= box.x1() - 1e-3 && back.x2() <= box.x2() + 1e-3, "seed " + seed + ": " + back);
            }
        }
        assertTrue(flipped > 10 && flipped < 50, "flipped " + flipped);
        assertTrue(cut > 0, "no clipped box in 60 draws");
        assertTrue(dropped < 30, "dropped " + dropped);
    }

    @Test
    void mosaicBoxesEncloseTheirObjects() {
        Box box = new Box(10, 10, 30, 25);
        BufferedImage img = redRect(40, 30, box);
        ImageAnnotation ann = new ImageAnnotation("m", null, 40, 30, List.of(ObjectAnnotation.of(box, 1)));
        AugmentConfig cfg = AugmentConfig.training(96).withMosaic(1.0);
        for (int seed = 0; seed < 20; seed++) {
            TrainSample s = Mosaic.compose(List.of(img, img, img, img), List.of(ann, ann, ann, ann), cfg, new SeededRandom(seed));
            assertTrue(s.isMosaic());
            assertTrue(s.objects().size() >= 1, "seed " + seed);
            assertBoxesEncloseRed(s, "mosaic seed " + seed);
        }
    }

    @Test
    void flippingTwiceIsTheIdentity() {
        int n = 37;
        SeededRandom r = new SeededRandom(5);
        BufferedImage img = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < n; y++) for (int x = 0; x < n; x++) img.setRGB(x, y, (int) (r.nextLong() & 0xFFFFFF));
        List<ObjectAnnotation> objs = List.of(ObjectAnnotation.of(new Box(3, 4, 20, 30), 0), ObjectAnnotation.of(new Box(0, 0, 37, 5), 2));
        ImageAnnotation ann = new ImageAnnotation("f", null, n, n, objs);
        Augmenter flip = new Augmenter(new AugmentConfig(n, 1.0, 1, 1, false, ColorJitter.NONE, 0, 0f, 0f));
        TrainSample once = flip.apply(img, ann, new SeededRandom(1));
        assertTrue(once.transform().flipped());
        assertEquals(new Box(17, 4, 34, 30), once.objects().getFirst().box());
        TrainSample twice = flip.apply(toImage(once), new ImageAnnotation("f", null, n, n, once.objects()), new SeededRandom(2));
        TrainSample plain = Letterbox.apply(img, ann, n);
        assertArrayEquals(plain.chw(), twice.chw());
        assertEquals(objs, twice.objects().stream().map(o -> ObjectAnnotation.of(o.box(), o.classIndex())).toList());
    }

    static BufferedImage toImage(TrainSample s) {
        int n = s.size(), p = n * n;
        BufferedImage img = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++) {
                int i = y * n + x;
                img.setRGB(x, y, Math.round(s.chw()[i] * 255) << 16 | Math.round(s.chw()[p + i] * 255) << 8 | Math.round(s.chw()[2 * p + i] * 255));
            }
        return img;
    }

    @Test
    void letterboxIsCentredRgbOverTwoFiftyFiveAndInvertible() {
        BufferedImage img = new BufferedImage(200, 100, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 100; y++) for (int x = 0; x < 200; x++) img.setRGB(x, y, 0x336699);
        TrainSample s = Letterbox.apply(img, 64);
        LetterboxTransform t = s.transform();
        assertEquals(0.32f, t.scale(), 1e-7f);
        assertEquals(0f, t.padX());
        assertEquals(16f, t.padY());
        int p = 64 * 64, centre = 32 * 64 + 32;
        assertEquals(0x33 / 255f, s.chw()[centre], 1e-6f);
        assertEquals(0x66 / 255f, s.chw()[p + centre], 1e-6f);
        assertEquals(0x99 / 255f, s.chw()[2 * p + centre], 1e-6f);
        assertEquals(Letterbox.FILL / 255f, s.chw()[5 * 64 + 10], 1e-6f); // top padding row 5
        assertEquals(200, s.originalWidth());
        assertEquals(100, s.originalHeight());
    }

    @Test
    void toOriginalInvertsToLetterbox() {
        SeededRandom r = new SeededRandom(77);
        for (int k = 0; k < 200; k++) {
            int w = r.nextInt(10, 900), h = r.nextInt(10, 900);
            LetterboxTransform t = new LetterboxTransform((float) r.uniform(0.05, 4), (float) r.uniform(-100, 100),
                    (float) r.uniform(-100, 100), r.chance(0.5), w, h);
            float x1 = (float) r.uniform(0, w - 2), y1 = (float) r.uniform(0, h - 2);
            Box b = new Box(x1, y1, (float) r.uniform(x1 + 1, w), (float) r.uniform(y1 + 1, h));
            Box back = t.toOriginal(t.toLetterbox(b));
            float tol = 1e-4f * Math.max(w, h); // float rounding of x * s + pad and its inverse at coordinates up to 900
            assertEquals(b.x1(), back.x1(), tol, "case " + k);
            assertEquals(b.y1(), back.y1(), tol, "case " + k);
            assertEquals(b.x2(), back.x2(), tol, "case " + k);
            assertEquals(b.y2(), back.y2(), tol, "case " + k);
        }
    }

    @Test
    void colorJitterIsBoundedAndNoneIsIdentity() {
        float[] chw = new float[3 * 16];
        SeededRandom r = new SeededRandom(3);
        for (int i = 0; i < chw.length; i++) chw[i] = r.nextFloat();
        float[] copy = chw.clone();
        ColorJitter.NONE.apply(copy, 4, new SeededRandom(1));
        assertArrayEquals(chw, copy);
        new ColorJitter(0.5, 0.5, 0.5, 30).apply(copy, 4, new SeededRandom(1));
        for (float v : copy) assertTrue(v >= 0 && v <= 1, "value " + v);
        // brightness only on a gray pixel scales all channels alike
        float[] gray = {0.5f, 0.5f, 0.5f};
        new ColorJitter(0.4, 0, 0, 0).apply(gray, 1, new SeededRandom(9));
        assertEquals(gray[0], gray[1], 1e-6f);
        assertEquals(gray[0], gray[2], 1e-6f);
    }
}
