import dev.strix.kernels.*;
import java.lang.management.*;
import java.util.*;

/**
 * Per-layer thread CPU time of DetNet's convolutions (batch 8 x 256) on one worker: forward, backward-data,
 * backward-filter, the minimum over repetitions. Thread CPU time barely moves when other processes share the
 * cores, where wall time (`strix bench conv`) swings 2x, so this is the number to compare kernel variants with
 * on a busy machine. Run from the repository root after building the jar:
 *
 *   java --add-modules jdk.incubator.vector -cp detection/target/strix.jar benchmarks/scripts/ConvCpuTime.java [reps]
 */
public class ConvCpuTime {
    record L(String name, int c, int h, int k, int ks, int st, int count) {}
    public static void main(String[] a) {
        Parallel.setThreads(1);
        int n = 8;
        L[] ls = {new L("stem", 3, 256, 16, 3, 2, 1), new L("s1.0", 16, 128, 32, 3, 2, 1), new L("s1.1", 32, 64, 32, 3, 1, 1),
                new L("s2.0", 32, 64, 64, 3, 2, 1), new L("s2.1", 64, 32, 64, 3, 1, 1), new L("s3.0", 64, 32, 128, 3, 2, 1),
                new L("s3.1", 128, 16, 128, 3, 1, 1), new L("s4.0", 128, 16, 256, 3, 2, 1), new L("s4.1", 256, 8, 256, 3, 1, 1),
                new L("lat0", 64, 32, 64, 1, 1, 1), new L("P3tow", 64, 32, 64, 3, 1, 5), new L("P3cls", 64, 32, 20, 3, 1, 1),
                new L("P3box", 64, 32, 4, 3, 1, 1), new L("P3ctr", 64, 32, 1, 3, 1, 1), new L("lat1", 128, 16, 64, 1, 1, 1),
                new L("P4tow", 64, 16, 64, 3, 1, 5), new L("P4cls", 64, 16, 20, 3, 1, 1), new L("P4box", 64, 16, 4, 3, 1, 1),
                new L("P4ctr", 64, 16, 1, 3, 1, 1), new L("lat2", 256, 8, 64, 1, 1, 1), new L("P5tow", 64, 8, 64, 3, 1, 5),
                new L("P5cls", 64, 8, 20, 3, 1, 1), new L("P5box", 64, 8, 4, 3, 1, 1), new L("P5ctr", 64, 8, 1, 3, 1, 1)};
        ThreadMXBean tb = ManagementFactory.getThreadMXBean();
        int reps = a.length > 0 ? Integer.parseInt(a[0]) : 5;
        Random r = new Random(1);
        double[] tot = new double[3];
        System.out.printf("%-8s %9s %9s %9s  (ms thread CPU, min of %d, 1 thread)%n", "layer", "fwd", "bwd-d", "bwd-w", reps);
        for (L l : ls) {
            ConvShape s = ConvShape.of(n, l.c, l.h, l.h, l.k, l.ks, l.st, l.ks / 2);
            float[] x = new float[s.inputSize()], w = new float[s.weightSize()], y = new float[s.outputSize()];
            float[] b = new float[l.k], dx = new float[s.inputSize()], dw = new float[s.weightSize()];
            for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() - 0.5f;
            for (int i = 0; i < w.length; i++) w[i] = r.nextFloat() - 0.5f;
            double[] best = {1e18, 1e18, 1e18};
            for (int it = 0; it < reps + 2; it++) {
                for (int op = 0; op < 3; op++) {
                    long t0 = tb.getCurrentThreadCpuTime();
                    switch (op) {
                        case 0 -> Conv2d.forward(y, x, w, b, s);
                        case 1 -> Conv2d.backwardData(dx, y, w, s);
                        default -> Conv2d.backwardFilter(dw, y, x, s);
                    }
                    double ms = (tb.getCurrentThreadCpuTime() - t0) / 1e6;
                    if (it >= 2) best[op] = Math.min(best[op], ms);
                }
            }
            if (l.name.equals("stem")) best[1] = 0; // the input needs no gradient
            for (int op = 0; op < 3; op++) tot[op] += best[op] * l.count;
            System.out.printf("%-8s %9.3f %9.3f %9.3f%s%n", l.name, best[0], best[1], best[2], l.count > 1 ? "  x" + l.count : "");
        }
        System.out.printf("%-8s %9.1f %9.1f %9.1f  total %.1f ms%n", "sum", tot[0], tot[1], tot[2], tot[0] + tot[1] + tot[2]);
    }
}
