package dev.strix.detection.train;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link TrainConfig} and its JSON form. */
class TrainConfigTest {
    @Test
    void defaultsRoundTripThroughJson() {
        TrainConfig c = TrainConfig.defaults();
        assertEquals(c, TrainConfig.fromJson(c.toJson()));
    }

    @Test
    void everyFieldRoundTripsThroughJson() {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("weights", "cls=1,box=2.5,ctr=0.5");
        TrainConfig c = new TrainConfig(
                new TrainConfig.Data("coco", "/data/coco", "train2017", null, 17, 3, 99, 5, 3, true,
                        new TrainConfig.Augment(0.25, 0.5, 2.0, false, 0.3)),
                new TrainConfig.Model(8, 32, 3, "independent"),
                new TrainConfig.Loss("bce", "ciou", "weighted", options),
                new TrainConfig.Optim("adamw", 0.0015, 0.85, 0.05, 250, 0.5, false, 0.02, 0, true, 0.999),
                new TrainConfig.Run(320, 6, 40, "auto", -12345678901L, 5, 7, 0, 3));
        String json = c.toJson();
        TrainConfig back = TrainConfig.fromJson(json);
        assertEquals(c, back);
        assertEquals(json, back.toJson());
        assertTrue(json.contains("\"val_split\": null"), json);
    }

    @Test
    void missingKeysTakeTheDefaultsAndExtraSectionsAreIgnored() {
        TrainConfig c = TrainConfig.fromJson("{\"run\": {\"epochs\": 3}, \"resolved\": {\"num_classes\": 20}}");
        assertEquals(3, c.run().epochs());
        assertEquals(TrainConfig.defaults().optim(), c.optim());
        assertEquals(TrainConfig.defaults().data(), c.data());
    }

    @Test
    void badValuesNameTheProblem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromJson("{\"run\": {\"size\": 100}}"))
                .getMessage().contains("multiple of 32"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromJson("{\"run\": {\"epochs\": \"x\"}}"))
                .getMessage().contains("epochs"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromJson("{\"loss\": {\"strategy\": \"magic\"}}"))
                .getMessage().contains("valid strategies"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromJson("{\"data\": {\"format\": \"voc\"}}"))
                .getMessage().contains("needs a data folder"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromJson("[1]"))
                .getMessage().contains("bad training config"));
    }

    @Test
    void autoSharingFollowsTheStrategy() {
        TrainConfig c = TrainConfig.defaults();
        assertEquals(SharingMode.SHARED, c.sharing());
        assertEquals(SharingMode.INDEPENDENT, c.withLoss(new TrainConfig.Loss("focal", "giou", "independent", Map.of())).sharing());
    }

    @Test
    void warmupIsClampedBelowTheTotalNumberOfSteps() {
        TrainConfig.Optim o = TrainConfig.Optim.defaults().withWarmup(0, 3.0);
        // 3 epochs of warm-up in a 2-epoch run of 5 steps each: warm-up ends at step 9, the last step
        var s = Trainer.schedule(o, 5, 10);
        assertEquals(Trainer.WARMUP_START, s.factor(0), 1e-12);
        assertTrue(s.factor(8) < 1.0);
        assertEquals(1.0, s.factor(9), 1e-12);
    }
}
