package dev.strix.detection.postprocess;

import dev.strix.detection.assign.LevelGrid;
import dev.strix.detection.data.Box;
import dev.strix.detection.data.Detection;
import dev.strix.detection.model.LevelOutput;
import dev.strix.nn.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class PostProcessorTest {
    private static final float CTR_ONE = 40f; // sigmoid(40) rounds to 1 in float and double

    /** A level of one image with every class logit at -30 (score ~ 0), centerness 1 and ltrb 2 px everywhere. */
    private static HostLevel quietLevel(int classes, int h, int w, int stride) {
        int hw = h * w;
        float[] cls = new float[classes * hw], box = new float[4 * hw], ctr = new float[hw];
        Arrays.fill(cls, -30f);
        Arrays.fill(box, 2f);
        Arrays.fill(ctr, CTR_ONE);
        return new HostLevel(cls, box, ctr, 1, classes, h, w, stride);
    }

    /** The logit whose sigmoid is score^2, so that with centerness 1 the score is {@code score}. */
    private static float logitFor(double score) {
        double p = score * score;
        return (float) Math.log(p / (1 - p));
    }

    private static void set(HostLevel l, int q, int c, double score) {
        l.cls()[c * l.height() * l.width() + q] = logitFor(score);
    }

    private static void setBox(HostLevel l, int q, float lft, float top, float rgt, float bot) {
        int hw = l.height() * l.width();
        l.box()[q] = lft;
        l.box()[hw + q] = top;
        l.box()[2 * hw + q] = rgt;
        l.box()[3 * hw + q] = bot;
    }

    private static List<Detection> run(PostProcessConfig cfg, List<HostLevel> levels, int h, int w,
                                       UnaryOperator<Box> map) {
        return new PostProcessor(cfg).processImage(levels, 0, h, w, "img", map);
    }

    @Test
    void scoreThresholdIsOnTheCombinedScore() {
        HostLevel l = quietLevel(2, 4, 4, 8);
        set(l, 0, 0, 0.049);
        set(l, 5, 1, 0.051);
        // centerness 0.25 halves the score: sqrt(0.2^2 * 0.25) = 0.1, kept; sqrt(0.09^2 * 0.25) = 0.045 dropped
        set(l, 10, 0, 0.2);
        l.ctr()[10] = (float) Math.log(0.25 / 0.75);
        set(l, 15, 0, 0.09);
        l.ctr()[15] = (float) Math.log(0.25 / 0.75);
        List<Detection> d = run(PostProcessConfig.defaults(), List.of(l), 32, 32, null);
        assertEquals(2, d.size());
        assertEquals(0.1f, d.get(0).score(), 1e-5f);
        assertEquals(0, d.get(0).classIndex());
        assertEquals(0.051f, d.get(1).score(), 1e-5f);
        assertEquals(1, d.get(1).classIndex());
        // location 5 = row 1, column 1 -> point (12, 12), ltrb 2
        assertEquals(new Box(10, 10, 14, 14), d.get(1).box());
        assertEquals("img", d.get(1).imageId());
    }

    @Test
    void topKPerLevelThenMaxDetectionsPerImage() {
        HostLevel fine = quietLevel(1, 4, 4, 8), coarse = quietLevel(1, 2, 2, 16);
        for (int q = 0; q < 6; q++) set(fine, q, 0, 0.3 + 0.1 * q);  // 0.3 .. 0.8, boxes 4 px wide, 8 px apart
        set(coarse, 3, 0, 0.35);                                     // point (24, 24)
        PostProcessConfig cfg = PostProcessConfig.defaults().withTopKPerLevel(4);
        List<Detection> d = run(cfg, List.of(fine, coarse), 32, 32, null);
        float[] want = {0.8f, 0.7f, 0.6f, 0.5f, 0.35f}; // the fine level keeps its 4 best
        assertEquals(want.length, d.size());
        for (int i = 0; i < want.length; i++) assertEquals(want[i], d.get(i).score(), 1e-5f, "detection " + i);
        List<Detection> top3 = run(cfg.withMaxDetections(3), List.of(fine, coarse), 32, 32, null);
        assertEquals(3, top3.size());
        assertEquals(d.subList(0, 3), top3);
    }

    @Test
    void classWiseNmsAtTheConfiguredIou() {
        HostLevel l = quietLevel(2, 4, 4, 8);
        // locations 0 (4, 4) and 1 (12, 4) with ltrb 20: boxes (-16,-16,24,24) and (-8,-16,32,24), IoU 32/48 = 0.67
        // before clipping; clipped to 32x32: (0,0,24,24) and (0,0,32,24), IoU 24/32 = 0.75
        setBox(l, 0, 20, 20, 20, 20);
        setBox(l, 1, 20, 20, 20, 20);
        set(l, 0, 0, 0.9);
        set(l, 1, 0, 0.8);
        set(l, 1, 1, 0.7); // the same box in another class survives
        List<Detection> d = run(PostProcessConfig.defaults(), List.of(l), 32, 32, null);
        assertEquals(2, d.size());
        assertEquals(new Box(0, 0, 24, 24), d.get(0).box());
        assertEquals(1, d.get(1).classIndex());
        List<Detection> loose = run(PostProcessConfig.defaults().withNmsIou(0.8f), List.of(l), 32, 32, null);
        assertEquals(3, loose.size());
    }

    @Test
    void boxesAreClippedToTheInputThenMappedToTheOriginalImage() {
        HostLevel l = quietLevel(1, 4, 4, 8);
        setBox(l, 0, 10, 10, 3, 3);  // point (4, 4): (-6, -6, 7, 7) -> clipped (0, 0, 7, 7)
        setBox(l, 15, 1, 2, 50, 60); // point (28, 28): (27, 26, 78, 88) -> clipped (27, 26, 32, 32)
        set(l, 0, 0, 0.9);
        set(l, 15, 0, 0.8);
        List<Detection> d = run(PostProcessConfig.defaults(), List.of(l), 32, 32, b -> b.scaleShift(2, 2, 1, -1));
        assertEquals(new Box(1, -1, 15, 13), d.get(0).box());
        assertEquals(new Box(55, 51, 65, 63), d.get(1).box());
    }

    /** Everything from the definition: all candidates, sorting, top-k, decoding, brute-force NMS. */
    private static List<Detection> reference(List<HostLevel> levels, int image, int h, int w, PostProcessConfig cfg,
                                             String id) {
        List<float[]> cand = new ArrayList<>(); // x1, y1, x2, y2, score, class
        for (HostLevel l : levels) {
            int hw = l.height() * l.width(), cs = l.classes();
            List<double[]> lv = new ArrayList<>(); // score, q * C + c
            for (int q = 0; q < hw; q++)
                for (int c = 0; c < cs; c++) {
                    double p = 1 / (1 + Math.exp(-l.cls()[(image * cs + c) * hw + q]));
                    double pc = 1 / (1 + Math.exp(-l.ctr()[image * hw + q]));
                    float s = (float) Math.sqrt(p * pc);
                    if (s > cfg.scoreThreshold()) lv.add(new double[] {s, q * cs + c});
                }
            lv.sort((a, b) -> a[0] != b[0] ? Double.compare(b[0], a[0]) : Double.compare(a[1], b[1]));
            for (int k = 0; k < Math.min(lv.size(), cfg.topKPerLevel()); k++) {
                int q = (int) lv.get(k)[1] / cs, c = (int) lv.get(k)[1] % cs;
                double x = LevelGrid.center(q % l.width(), l.stride()), y = LevelGrid.center(q / l.width(), l.stride());
                float[] b = new float[4];
                for (int e = 0; e < 4; e++) b[e] = l.box()[(image * 4 + e) * hw + q];
                cand.add(new float[] {(float) Math.min(w, Math.max(0, x - b[0])), (float) Math.min(h, Math.max(0, y - b[1])),
                        (float) Math.min(w, Math.max(0, x + b[2])), (float) Math.min(h, Math.max(0, y + b[3])),
                        (float) lv.get(k)[0], c});
            }
        }
        int n = cand.size();
        float[] boxes = new float[4 * n], scores = new float[n];
        int[] classes = new int[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(cand.get(i), 0, boxes, 4 * i, 4);
            scores[i] = cand.get(i)[4];
            classes[i] = (int) cand.get(i)[5];
        }
        int[] kept = NmsTest.bruteForce(boxes, scores, classes, n, cfg.nmsIou());
        List<Detection> out = new ArrayList<>();
        for (int k = 0; k < Math.min(kept.length, cfg.maxDetections()); k++)
            out.add(new Detection(id, NmsTest.box(boxes, kept[k]), classes[kept[k]], scores[kept[k]]));
        return out;
    }

    @Test
    void matchesTheReferenceOnRandomOutputsThroughTensors() {
        Random rnd = new Random(12);
        int n = 2, classes = 3, h = 64, w = 96;
        int[] strides = {8, 16, 32};
        List<LevelOutput> outputs = new ArrayList<>();
        for (int s : strides) {
            int lh = h / s, lw = w / s, hw = lh * lw;
            float[] cls = new float[n * classes * hw], box = new float[n * 4 * hw], ctr = new float[n * hw];
            for (int i = 0; i < cls.length; i++) cls[i] = (float) (rnd.nextGaussian() * 2 - 2);
            for (int i = 0; i < box.length; i++) box[i] = rnd.nextFloat() * 4 * s;
            for (int i = 0; i < ctr.length; i++) ctr[i] = (float) rnd.nextGaussian();
            outputs.add(new LevelOutput(Tensor.of(cls, n, classes, lh, lw), Tensor.of(box, n, 4, lh, lw),
                    Tensor.of(ctr, n, 1, lh, lw), s));
        }
        List<HostLevel> host = outputs.stream().map(HostLevel::of).toList();
        for (PostProcessConfig cfg : List.of(PostProcessConfig.defaults(),
                PostProcessConfig.defaults().withTopKPerLevel(7).withMaxDetections(20).withNmsIou(0.3f),
                PostProcessConfig.defaults().withScoreThreshold(0.3f))) {
            List<List<Detection>> got = new PostProcessor(cfg).process(outputs, h, w, List.of("a", "b"), null);
            assertEquals(2, got.size());
            for (int i = 0; i < n; i++) {
                List<Detection> ref = reference(host, i, h, w, cfg, i == 0 ? "a" : "b");
                assertTrue(ref.size() > 5, "the random outputs give detections");
                List<Detection> g = got.get(i);
                if (!g.equals(ref)) {
                    int at = 0;
                    while (at < Math.min(g.size(), ref.size()) && g.get(at).equals(ref.get(at))) at++;
                    fail(cfg + " image " + i + ": " + g.size() + " vs " + ref.size() + " detections, first difference at "
                            + at + ": " + (at < g.size() ? g.get(at) : "-") + " vs " + (at < ref.size() ? ref.get(at) : "-"));
                }
            }
        }
    }
}
