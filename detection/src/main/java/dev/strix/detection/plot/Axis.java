package dev.strix.detection.plot;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A value axis: its range, its scale (linear or base-10 logarithmic) and its tick positions and labels. Linear
 * ticks are "nice" steps (1, 2, 2.5 or 5 times a power of ten); logarithmic ticks sit on powers of ten, with 2 and 5
 * multiples when the range spans few decades.
 */
final class Axis {
    final double min;
    final double max;
    final boolean log;
    final double[] ticks;
    final String[] labels;

    private Axis(double min, double max, boolean log, double[] ticks, String[] labels) {
        this.min = min;
        this.max = max;
        this.log = log;
        this.ticks = ticks;
        this.labels = labels;
    }

    /**
     * A linear axis over {@code [lo, hi]}, widened to the outer ticks when {@code snap} is set.
     *
     * @param maxTicks the most ticks wanted (at least 2)
     */
    static Axis linear(double lo, double hi, int maxTicks, boolean snap) {
        if (!(Double.isFinite(lo) && Double.isFinite(hi))) {
            lo = 0;
            hi = 1;
        }
        if (hi < lo) {
            double t = lo;
            lo = hi;
            hi = t;
        }
        if (hi - lo <= Math.max(Math.abs(hi), Math.abs(lo)) * 1e-12) {
            double half = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            lo -= half;
            hi += half;
        }
        double step = niceStep((hi - lo) / Math.max(1, maxTicks - 1));
        if (snap) {
            lo = Math.floor(lo / step + 1e-9) * step;
            hi = Math.ceil(hi / step - 1e-9) * step;
        }
        List<Double> ticks = new ArrayList<>();
        for (double v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
            ticks.add(Math.abs(v) < step * 1e-9 ? 0.0 : v);
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        if (Math.abs(step / Math.pow(10, -decimals) - Math.rint(step / Math.pow(10, -decimals))) > 1e-6) decimals++;
        double[] t = ticks.stream().mapToDouble(Double::doubleValue).toArray();
        String[] labels = new String[t.length];
        double biggest = Math.max(Math.abs(lo), Math.abs(hi));
        for (int i = 0; i < t.length; i++)
            labels[i] = biggest >= 1e6 || (biggest < 1e-3 && biggest > 0) ? scientific(t[i]) : String.format(Locale.ROOT, "%." + decimals + "f", t[i]);
        return new Axis(lo, hi, false, t, labels);
    }

    /** A base-10 logarithmic axis spanning {@code [lo, hi]} (both > 0), widened to whole decades when short. */
    static Axis logarithmic(double lo, double hi) {
        if (!(lo > 0 && hi > 0 && Double.isFinite(lo) && Double.isFinite(hi))) {
            lo = 1;
            hi = 10;
        }
        if (hi < lo) {
            double t = lo;
            lo = hi;
            hi = t;
        }
        double decadeLo = Math.floor(Math.log10(lo) + 1e-9);
        double decadeHi = Math.ceil(Math.log10(hi) - 1e-9);
        if (decadeHi <= decadeLo) decadeHi = decadeLo + 1;
        lo = Math.pow(10, decadeLo);
        hi = Math.pow(10, decadeHi);
        int decades = (int) (decadeHi - decadeLo);
        double[] multiples = decades <= 2 ? new double[] {1, 2, 5} : new double[] {1};
        int every = Math.max(1, (int) Math.ceil(decades / 8.0));
        List<Double> ticks = new ArrayList<>();
        for (int d = (int) decadeLo; d <= (int) decadeHi; d++) {
            if ((d - (int) decadeLo) % every != 0) continue;
            for (double m : multiples) {
                double v = m * Math.pow(10, d);
                if (v <= hi * (1 + 1e-9)) ticks.add(v);
            }
        }
        double[] t = ticks.stream().mapToDouble(Double::doubleValue).toArray();
        String[] labels = new String[t.length];
        for (int i = 0; i < t.length; i++) labels[i] = logLabel(t[i]);
        return new Axis(lo, hi, true, t, labels);
    }

    /** Position of {@code v} along the axis: 0 at {@link #min}, 1 at {@link #max}; NaN for values a log axis cannot show. */
    double fraction(double v) {
        if (log) return v > 0 ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) : Double.NaN;
        return (v - min) / (max - min);
    }

    private static double niceStep(double raw) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / magnitude;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    private static String logLabel(double v) {
        double e = Math.log10(v);
        if (e >= -3 && e <= 5) {
            String s = String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
            return s.isEmpty() ? "0" : s;
        }
        return scientific(v);
    }

    private static String scientific(double v) {
        if (v == 0) return "0";
        String s = String.format(Locale.ROOT, "%.2e", v); // 1.50e+06
        String[] parts = s.split("e");
        String mantissa = parts[0].replaceAll("0+$", "").replaceAll("\\.$", "");
        int exponent = Integer.parseInt(parts[1]);
        return mantissa + "e" + exponent;
    }
}
