package dev.strix.detection.plot;

/** Where a chart draws its legend. */
public enum LegendPosition {
    /** Inside the plot area, upper right corner. */
    UPPER_RIGHT,
    /** Inside the plot area, upper left corner. */
    UPPER_LEFT,
    /** Inside the plot area, lower left corner. */
    LOWER_LEFT,
    /** Inside the plot area, lower right corner. */
    LOWER_RIGHT,
    /** To the right of the plot area (the plot narrows to make room); for many series. */
    OUTSIDE_RIGHT,
    /** No legend. */
    NONE
}
