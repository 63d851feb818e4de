package dev.strix.detection.plot;

import java.awt.Color;

/** Series colours: matplotlib's "tab10" cycle, then evenly spread hues for series beyond ten. */
public final class Palette {
    private static final Color[] TAB10 = {
            new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
            new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    private Palette() {
    }

    /** The colour of series {@code i} (0-based). */
    public static Color color(int i) {
        if (i < 0) throw new IllegalArgumentException("series index must be >= 0, got " + i);
        if (i < TAB10.length) return TAB10[i];
        float hue = (float) ((i - TAB10.length) * 0.618033988749895 % 1.0); // golden-ratio steps around the wheel
        return Color.getHSBColor(hue, 0.65f, 0.8f - 0.15f * ((i / TAB10.length) % 2));
    }
}
