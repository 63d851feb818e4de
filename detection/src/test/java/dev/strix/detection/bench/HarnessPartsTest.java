package dev.strix.detection.bench;

import dev.strix.detection.data.Box;
import dev.strix.detection.data.ObjectAnnotation;
import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.DetNetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pieces of the benchmark harness, each against an independent reference. */
class HarnessPartsTest {
    @Test
    void splitMix64MatchesThePublishedSequence() {
        // SplitMix64 from state 0: the reference outputs of Vigna's splitmix64.c
        SplitMix64 r = new SplitMix64(0);
        assertEquals(0xE220A8397B1DCDAFL, r.nextLong());
        assertEquals(0x6E789E6AA1B965F4L, r.nextLong());
        assertEquals(0x06C45D188009454FL, r.nextLong());
        SplitMix64 d = new SplitMix64(0);
        assertEquals((0xE220A8397B1DCDAFL >>> 11) * 0x1.0p-53, d.nextDouble(), 0.0);
    }

    @Test
    void syntheticTargetsAreSeededValidAndInsideTheImage() {
        int size = 256, classes = 20;
        List<List<ObjectAnnotation>> a = SyntheticTargets.generate(7, size, classes, 42);
        assertEquals(a, SyntheticTargets.generate(7, size, classes, 42), "same seed, same targets");
        assertFalse(a.equals(SyntheticTargets.generate(7, size, classes, 43)), "another seed, other targets");
        assertEquals(7, a.size());
        for (List<ObjectAnnotation> image : a) {
            assertTrue(image.size() >= 2 && image.size() <= 5, "2 to 5 objects, got " + image.size());
            for (ObjectAnnotation o : image) {
                Box b = o.box();
                assertTrue(b.isValid(), b.toString());
                // 1e-3 px: coordinates are doubles rounded to float
                assertTrue(b.x1() >= 0 && b.y1() >= 0 && b.x2() <= size + 1e-3 && b.y2() <= size + 1e-3, b.toString());
                float longest = Math.max(b.width(), b.height());
                assertTrue(longest >= 0.08f * size - 1e-3 && longest <= 0.9f * size + 1e-3, b.toString());
                float aspect = b.width() / b.height();
                assertTrue(aspect >= 0.5f - 1e-4 && aspect <= 2f + 1e-4, "aspect " + aspect);
                assertTrue(o.classIndex() >= 0 && o.classIndex() < classes, "class " + o.classIndex());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> SyntheticTargets.generate(0, size, classes, 1));
    }

    @Test
    void syntheticImagesAreSeededUniform() {
        float[] x = SyntheticTargets.images(2, 32, 5);
        assertEquals(2 * 3 * 32 * 32, x.length);
        double sum = 0;
        for (float v : x) {
            assertTrue(v >= 0 && v < 1, "value " + v);
            sum += v;
        }
        // mean of 6144 uniforms: standard error 0.0037, so 0.02 is over 5 sigma
        assertEquals(0.5, sum / x.length, 0.02);
        assertEquals(x[17], SyntheticTargets.images(2, 32, 5)[17]);
    }

    @Test
    void convLayersAddUpToTheModelFlops() {
        for (DetNetConfig c : List.of(DetNetConfig.defaults(), new DetNetConfig(3, 4, 8, 0), new DetNetConfig(7, 5, 13, 3))) {
            for (int size : new int[] {32, 64, 256}) {
                double total = 0;
                for (DetNetConvLayers.Layer l : DetNetConvLayers.of(c, 3, size)) total += l.count() * l.flops();
                assertEquals(3.0 * new DetNet(c).forwardFlops(size, size), total, 0.0, c + " at " + size);
            }
        }
    }

    @Test
    void cpuPeakFollowsTheFormula(@TempDir Path dir) throws IOException {
        Path info = dir.resolve("cpuinfo");
        Files.writeString(info, "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu MHz\t\t: 2400.000\n"
                + "processor\t: 1\ncpu MHz\t\t: 3100.500\ncpu MHz\t: garbage\n");
        assertEquals(3.1005, DevicePeak.cpuinfoGhz(info), 1e-12);
        assertFalse(DevicePeak.isAmd(info));
        Files.writeString(dir.resolve("amd"), "vendor_id\t: AuthenticAMD\n");
        assertTrue(DevicePeak.isAmd(dir.resolve("amd")));
        assertEquals(0.0, DevicePeak.cpuinfoGhz(dir.resolve("absent")));
        String old = System.getProperty(DevicePeak.GHZ_PROPERTY);
        System.setProperty(DevicePeak.GHZ_PROPERTY, "2.5");
        try {
            DevicePeak p = DevicePeak.cpu(1);
            assertEquals("property", p.source());
            assertEquals(1, p.cores());
            assertEquals(1 * 2.5 * p.lanes() * 2 * p.fmaUnits(), p.gflops(), 1e-9);
        } finally {
            if (old == null) System.clearProperty(DevicePeak.GHZ_PROPERTY);
            else System.setProperty(DevicePeak.GHZ_PROPERTY, old);
        }
    }

    @Test
    void mediansOfOddAndEvenCounts() {
        assertEquals(3.0, Medians.median(new double[] {5, 1, 3}));
        assertEquals(2.5, Medians.median(new double[] {4, 1, 3, 2}));
        assertEquals(7.0, Medians.median(new double[] {7}));
        assertThrows(IllegalArgumentException.class, () -> Medians.median(new double[0]));
    }

    @Test
    void heapTrackerSeesAnAllocation() {
        try (HeapPeakTracker t = new HeapPeakTracker()) {
            long before = t.peakBytes();
            byte[][] keep = new byte[32][];
            for (int i = 0; i < keep.length; i++) keep[i] = new byte[1 << 20];
            t.sample();
            assertTrue(t.peakBytes() >= before, "the peak never falls");
            assertTrue(t.peakBytes() >= 32L << 20, "32 MiB are live: " + t.peakBytes() + " " + keep.length);
        }
    }

    @Test
    void modeParsing() {
        assertEquals(BenchMode.TRAIN, BenchMode.parse("Train"));
        assertEquals(BenchMode.INFER, BenchMode.parse("infer"));
        assertEquals(3, BenchMode.TRAIN.flopsFactor());
        assertEquals(1, BenchMode.INFER.flopsFactor());
        assertThrows(IllegalArgumentException.class, () -> BenchMode.parse("eval"));
    }
}
