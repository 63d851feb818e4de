package dev.strix.detection.train;

import dev.strix.nn.io.Json;
import dev.strix.nn.io.JsonException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link TrainConfig} as JSON: one object per section ({@code data}, {@code model}, {@code loss}, {@code optim},
 * {@code run}) with snake_case keys, e.g.
 * <pre>{@code
 * {"data": {"format": "voc", "dir": "VOCdevkit", "split": "trainval", "val_split": "test", ...},
 *  "model": {"width": 16, "fpn_channels": 64, "tower_depth": 2, "sharing": "auto"},
 *  "loss": {"cls": "focal", "box": "giou", "strategy": "weighted", "strategy_options": {"weights": "cls=1,box=2"}},
 *  "optim": {"optimizer": "sgd", "lr": 0.01, ...}, "run": {"size": 256, "batch": 8, "epochs": 12, ...}}
 * }</pre>
 * Reading fills a missing key with the value of {@link TrainConfig#defaults()} and ignores unknown top-level keys
 * (the run folder's config adds a {@code resolved} section); a key of the wrong type is an error naming it.
 */
public final class TrainConfigJson {
    private TrainConfigJson() {}

    /** Pretty JSON of {@code c}, with {@code extra} top-level entries appended (e.g. resolved values). */
    public static String write(TrainConfig c, Map<String, Object> extra) {
        Map<String, Object> root = new LinkedHashMap<>();
        TrainConfig.Data d = c.data();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("format", d.format());
        data.put("dir", d.dir());
        data.put("split", d.split());
        data.put("val_split", d.valSplit());
        data.put("synthetic_count", d.syntheticCount());
        data.put("synthetic_val_count", d.syntheticValCount());
        data.put("synthetic_seed", d.syntheticSeed());
        data.put("synthetic_classes", d.syntheticClasses());
        data.put("workers", d.workers());
        data.put("strict", d.strict());
        TrainConfig.Augment a = d.augment();
        Map<String, Object> aug = new LinkedHashMap<>();
        aug.put("flip", a.flip());
        aug.put("scale_min", a.scaleMin());
        aug.put("scale_max", a.scaleMax());
        aug.put("color_jitter", a.colorJitter());
        aug.put("mosaic", a.mosaic());
        data.put("augment", aug);
        root.put("data", data);

        Map<String, Object> model = new LinkedHashMap<>();
        model.put("width", c.model().width());
        model.put("fpn_channels", c.model().fpnChannels());
        model.put("tower_depth", c.model().towerDepth());
        model.put("sharing", c.model().sharing());
        root.put("model", model);

        Map<String, Object> loss = new LinkedHashMap<>();
        loss.put("cls", c.loss().cls());
        loss.put("box", c.loss().box());
        loss.put("strategy", c.loss().strategy());
        loss.put("strategy_options", new LinkedHashMap<>(c.loss().strategyOptions()));
        root.put("loss", loss);

        TrainConfig.Optim o = c.optim();
        Map<String, Object> optim = new LinkedHashMap<>();
        optim.put("optimizer", o.optimizer());
        optim.put("lr", o.lr());
        optim.put("momentum", o.momentum());
        optim.put("weight_decay", o.weightDecay());
        optim.put("warmup_steps", o.warmupSteps());
        optim.put("warmup_epochs", o.warmupEpochs());
        optim.put("cosine", o.cosine());
        optim.put("min_lr_factor", o.minLrFactor());
        optim.put("grad_clip", o.gradClip());
        optim.put("ema", o.ema());
        optim.put("ema_decay", o.emaDecay());
        root.put("optim", optim);

        TrainConfig.Run r = c.run();
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("size", r.size());
        run.put("batch", r.batch());
        run.put("epochs", r.epochs());
        run.put("device", r.device());
        run.put("seed", r.seed());
        run.put("eval_every", r.evalEvery());
        run.put("max_consecutive_nonfinite", r.maxConsecutiveNonFinite());
        run.put("measure_every", r.measureEvery());
        run.put("log_every", r.logEvery());
        root.put("run", run);
        root.putAll(extra);
        return Json.writePretty(root, 2) + "\n";
    }

    /**
     * Parses a config.
     *
     * @throws IllegalArgumentException naming the key for a malformed document or a bad value
     */
    public static TrainConfig read(String json) {
        TrainConfig def = TrainConfig.defaults();
        try {
            Map<String, Object> root = Json.asObject(Json.parse(json), "config");
            Map<String, Object> d = section(root, "data");
            TrainConfig.Data dd = def.data();
            Map<String, Object> a = d.containsKey("augment") ? Json.requireObject(d, "augment") : Map.of();
            TrainConfig.Augment ad = dd.augment();
            TrainConfig.Augment aug = new TrainConfig.Augment(Json.optDouble(a, "flip", ad.flip()),
                    Json.optDouble(a, "scale_min", ad.scaleMin()), Json.optDouble(a, "scale_max", ad.scaleMax()),
                    optBool(a, "color_jitter", ad.colorJitter()), Json.optDouble(a, "mosaic", ad.mosaic()));
            TrainConfig.Data data = new TrainConfig.Data(Json.optString(d, "format", dd.format()),
                    nullableString(d, "dir", dd.dir()), Json.optString(d, "split", dd.split()),
                    nullableString(d, "val_split", dd.valSplit()), optInt(d, "synthetic_count", dd.syntheticCount()),
                    optInt(d, "synthetic_val_count", dd.syntheticValCount()),
                    Json.optLong(d, "synthetic_seed", dd.syntheticSeed()),
                    optInt(d, "synthetic_classes", dd.syntheticClasses()), optInt(d, "workers", dd.workers()),
                    optBool(d, "strict", dd.strict()), aug);

            Map<String, Object> m = section(root, "model");
            TrainConfig.Model md = def.model();
            TrainConfig.Model model = new TrainConfig.Model(optInt(m, "width", md.width()),
                    optInt(m, "fpn_channels", md.fpnChannels()), optInt(m, "tower_depth", md.towerDepth()),
                    Json.optString(m, "sharing", md.sharing()));

            Map<String, Object> l = section(root, "loss");
            TrainConfig.Loss ld = def.loss();
            Map<String, Object> options = l.containsKey("strategy_options") ? Json.requireObject(l, "strategy_options")
                    : ld.strategyOptions();
            TrainConfig.Loss loss = new TrainConfig.Loss(Json.optString(l, "cls", ld.cls()), Json.optString(l, "box", ld.box()),
                    Json.optString(l, "strategy", ld.strategy()), options);

            Map<String, Object> o = section(root, "optim");
            TrainConfig.Optim od = def.optim();
            TrainConfig.Optim optim = new TrainConfig.Optim(Json.optString(o, "optimizer", od.optimizer()),
                    Json.optDouble(o, "lr", od.lr()), Json.optDouble(o, "momentum", od.momentum()),
                    Json.optDouble(o, "weight_decay", od.weightDecay()), optInt(o, "warmup_steps", od.warmupSteps()),
                    Json.optDouble(o, "warmup_epochs", od.warmupEpochs()), optBool(o, "cosine", od.cosine()),
                    Json.optDouble(o, "min_lr_factor", od.minLrFactor()), Json.optDouble(o, "grad_clip", od.gradClip()),
                    optBool(o, "ema", od.ema()), Json.optDouble(o, "ema_decay", od.emaDecay()));

            Map<String, Object> r = section(root, "run");
            TrainConfig.Run rd = def.run();
            TrainConfig.Run run = new TrainConfig.Run(optInt(r, "size", rd.size()), optInt(r, "batch", rd.batch()),
                    optInt(r, "epochs", rd.epochs()), Json.optString(r, "device", rd.device()),
                    Json.optLong(r, "seed", rd.seed()), optInt(r, "eval_every", rd.evalEvery()),
                    optInt(r, "max_consecutive_nonfinite", rd.maxConsecutiveNonFinite()),
                    optInt(r, "measure_every", rd.measureEvery()), optInt(r, "log_every", rd.logEvery()));
            return new TrainConfig(data, model, loss, optim, run);
        } catch (JsonException e) {
            throw new IllegalArgumentException("bad training config: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> section(Map<String, Object> root, String key) {
        return root.containsKey(key) ? Json.requireObject(root, key) : Map.of();
    }

    private static int optInt(Map<String, Object> o, String key, int fallback) {
        long v = Json.optLong(o, key, fallback);
        if (v != (int) v) throw new JsonException("key '" + key + "': " + v + " is out of range");
        return (int) v;
    }

    private static boolean optBool(Map<String, Object> o, String key, boolean fallback) {
        return o.containsKey(key) ? Json.requireBoolean(o, key) : fallback;
    }

    private static String nullableString(Map<String, Object> o, String key, String fallback) {
        if (!o.containsKey(key)) return fallback;
        return o.get(key) == null ? null : Json.requireString(o, key);
    }
}
