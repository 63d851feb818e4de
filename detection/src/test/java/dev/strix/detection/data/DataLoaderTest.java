package dev.strix.detection.data;

import dev.strix.detection.data.augment.AugmentConfig;
import dev.strix.detection.data.augment.Augmenter;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataLoaderTest {
    private static final SyntheticScenes SCENES = new SyntheticScenes(3, 23, 48, 4);

    private static List<Batch> epoch(DetectionDataset ds, int workers, int epoch, AugmentConfig cfg, boolean strict) {
        try (DataLoader loader = new DataLoader(ds, new Augmenter(cfg), new DataLoader.Options(4, workers, 3, true, false, strict, 17))) {
            List<Batch> out = new ArrayList<>();
            loader.epoch(epoch).forEachRemaining(out::add);
            return out;
        }
    }

    @Test
    void batchesAreIdenticalForOneAndThreeWorkers() {
        AugmentConfig cfg = AugmentConfig.training(32).withMosaic(0.3);
        for (int e = 0; e < 2; e++) {
            List<Batch> one = epoch(SCENES, 1, e, cfg, true), three = epoch(SCENES, 3, e, cfg, true);
            assertEquals(6, one.size());
            assertEquals(one.size(), three.size());
            for (int b = 0; b < one.size(); b++) {
                assertArrayEquals(one.get(b).images(), three.get(b).images(), "epoch " + e + " batch " + b);
                assertEquals(one.get(b).targets(), three.get(b).targets());
                assertEquals(one.get(b).meta().stream().map(m -> m.imageId()).toList(), three.get(b).meta().stream().map(m -> m.imageId()).toList());
            }
        }
    }

    @Test
    void everySampleOncePerEpochInAShuffledOrder() {
        List<List<String>> orders = new ArrayList<>();
        for (int e = 0; e < 2; e++) {
            List<String> ids = new ArrayList<>();
            for (Batch b : epoch(SCENES, 2, e, AugmentConfig.training(32), true)) {
                assertEquals(b.count() * 3 * 32 * 32, b.images().length);
                b.meta().forEach(m -> ids.add(m.imageId()));
            }
            assertEquals(SCENES.size(), ids.size());
            assertEquals(SCENES.size(), new HashSet<>(ids).size());
            orders.add(ids);
        }
        assertNotEquals(orders.get(0), orders.get(1));
    }

    /** Image 5 cannot be decoded. */
    private static final DetectionDataset BROKEN = new DetectionDataset() {
        public List<String> classNames() { return SCENES.classNames(); }
        public int size() { return SCENES.size(); }
        public ImageAnnotation annotation(int i) { return SCENES.annotation(i); }
        public BufferedImage image(int i) throws IOException {
            if (i == 5) throw new IOException("/data/broken.jpg: corrupt image data");
            return SCENES.image(i);
        }
        public String describe() { return "broken"; }
    };

    @Test
    void unreadableSamplesAreSkippedAndCounted() {
        try (DataLoader loader = new DataLoader(BROKEN, new Augmenter(AugmentConfig.none(32)), DataLoader.Options.of(4, 2, 1))) {
            Set<String> ids = new HashSet<>();
            loader.epoch(0).forEachRemaining(b -> b.meta().forEach(m -> ids.add(m.imageId())));
            assertEquals(SCENES.size() - 1, ids.size());
            assertFalse(ids.contains(SCENES.imageId(5)));
            assertEquals(1, loader.skippedCount());
            assertTrue(loader.warnings().getFirst().contains("broken.jpg"), loader.warnings().toString());
        }
    }

    @Test
    void strictModeRethrowsWithTheFileName() {
        DatasetException e = assertThrows(DatasetException.class, () -> epoch(BROKEN, 2, 0, AugmentConfig.none(32), true));
        assertTrue(e.getMessage().contains("broken.jpg") && e.getMessage().contains(SCENES.imageId(5)), e.getMessage());
    }

    @Test
    void newEpochAbandonsTheOldOneAndCloseStops() {
        DataLoader loader = new DataLoader(SCENES, new Augmenter(AugmentConfig.none(32)), DataLoader.Options.of(2, 2, 1));
        Iterator<Batch> first = loader.epoch(0);
        first.next();
        Iterator<Batch> second = loader.epoch(1);
        int n = 0;
        while (second.hasNext()) n += second.next().count();
        assertEquals(SCENES.size(), n);
        assertThrows(IllegalStateException.class, first::hasNext);
        loader.close();
        assertThrows(IllegalStateException.class, () -> loader.epoch(2));
    }
}
