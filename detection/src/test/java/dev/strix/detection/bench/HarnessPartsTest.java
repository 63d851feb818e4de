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
            DevicePeak.Nominal p = DevicePeak.nominal(1);
            assertEquals("property", p.source());
            assertEquals(1, p.cores());
            assertEquals(1 * 2.5 * p.lanes() * 2 * p.fmaUnits(), p.gflops(), 1e-9);
            assertEquals(p, DevicePeak.cpu(1).nominal());
        } finally {
            restore(DevicePeak.GHZ_PROPERTY, old);
        }
    }

    private static void restore(String property, String old) {
        if (old == null) System.clearProperty(property);
        else System.setProperty(property, old);
    }

    @Test
    void peakFractionsAreOverTheMeasuredAndTheNominalPeak() {
        DevicePeak.Nominal nominal = new DevicePeak.Nominal(166.4, 2, 2.6, 16, 1, "/proc/cpuinfo");
        DevicePeak p = new DevicePeak(208.0, 2, DevicePeak.PROBE, nominal);
        assertEquals(0.5, p.fraction(104.0), 1e-15);
        assertEquals(104.0 / 166.4, p.nominalFraction(104.0), 1e-15);
        assertEquals("measured peak 208.0 GFLOP/s (2 threads, FMA probe); nominal 2 cores x 2.60 GHz x 16 lanes"
                + " x 2 x 1 FMA = 166.4 GFLOP/s (/proc/cpuinfo)", p.describe());
        assertThrows(IllegalArgumentException.class, () -> new DevicePeak(0, 1, DevicePeak.PROBE, nominal));
        assertThrows(IllegalArgumentException.class,
                () -> new DevicePeak(Double.POSITIVE_INFINITY, 1, DevicePeak.PROBE, nominal));
    }

    @Test
    void measuredPeakIsPositiveAndRememberedPerThreadCount() {
        String old = System.getProperty(DevicePeak.PEAK_PROPERTY);
        System.clearProperty(DevicePeak.PEAK_PROPERTY);
        try {
            DevicePeak p = DevicePeak.cpu(1);
            assertEquals(DevicePeak.PROBE, p.source());
            assertEquals(1, p.threads());
            assertTrue(p.gflops() > 0 && Double.isFinite(p.gflops()), p.describe());
            assertEquals(p.gflops(), DevicePeak.cpu(1).gflops(), 0.0, "one probe per thread count and process");
        } finally {
            restore(DevicePeak.PEAK_PROPERTY, old);
        }
    }

    @Test
    void peakPropertyReplacesTheProbeAndBadValuesAreNamed() {
        String old = System.getProperty(DevicePeak.PEAK_PROPERTY);
        try {
            System.setProperty(DevicePeak.PEAK_PROPERTY, " 123.5 ");
            DevicePeak p = DevicePeak.cpu(2);
            assertEquals(123.5, p.gflops());
            assertEquals(DevicePeak.PROPERTY, p.source());
            assertEquals(2, p.threads());
            assertEquals(0.5, p.fraction(61.75), 1e-15);
            assertTrue(p.describe().startsWith("configured peak 123.5 GFLOP/s (2 threads, property); nominal "),
                    p.describe());
            for (String bad : List.of("fast", "0", "-5", "NaN", "Infinity")) {
                System.setProperty(DevicePeak.PEAK_PROPERTY, bad);
                var e = assertThrows(IllegalArgumentException.class, () -> DevicePeak.cpu(1), bad);
                assertTrue(e.getMessage().contains("-Dstrix.cpu.peak_gflops") && e.getMessage().contains("'" + bad + "'"),
                        e.getMessage());
            }
        } finally {
            restore(DevicePeak.PEAK_PROPERTY, old);
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

    /** The live-heap figure sums a class histogram's bytes without the collector's filler arrays. */
    @Test
    void liveHeapFromAClassHistogramLeavesOutFillers() {
        String histogram = String.join("\n",
                " num     #instances         #bytes  class name (module)",
                "-------------------------------------------------------",
                "   1:           313      135678912  [F (java.base@25.0.3)",
                "   2:            57       12696752  [Ljdk.internal.vm.FillerElement; (java.base@25.0.3)",
                "   3:         12011         288264  java.lang.String (java.base@25.0.3)",
                "   4:             3             48  jdk.internal.vm.FillerObject (java.base@25.0.3)",
                "Total         12384      148663976");
        assertEquals(135678912L + 288264L, DeviceSync.histogramBytes(histogram));
        assertEquals(-1L, DeviceSync.histogramBytes("no histogram here"));
        long live = DeviceSync.liveHeapBytes();
        Runtime rt = Runtime.getRuntime();
        assertTrue(live > 0 && live <= rt.totalMemory(), "live " + live + " of " + rt.totalMemory());
    }
}
