/*
 * Heatmaps as self-contained SVG files, for attention weights: one panel
 * per matrix, stacked from top to bottom, each with its title, column labels
 * along the top, row labels down the left and one square cell per value,
 * shaded from white (0) to dark blue (1) as the colour scale at the right
 * shows. Every cell has a tooltip with its labels and value. Labels are
 * escaped for XML; control characters show as U+FFFD and a label that is a
 * single space as U+2423 (␣).
 */
#ifndef RECUR_TOOL_HEATMAP_H
#define RECUR_TOOL_HEATMAP_H

#include <stdio.h>

#include "recur/base.h"

typedef struct cli_heatmap {
    const char *title;
    int rows, cols;                /* >= 1 */
    const char *const *row_labels; /* (rows) UTF-8 */
    const char *const *col_labels; /* (cols) UTF-8 */
    const rc_real *values;         /* (rows, cols) row-major, in [0, 1] (clamped) */
} cli_heatmap;

/* Writes the n >= 1 panels as one SVG document to fp, the columns titled
 * x_title and the rows y_title. */
void cli_heatmap_svg(FILE *fp, const cli_heatmap *maps, int n, const char *x_title, const char *y_title);

/* Writes the document to path atomically: to PATH.tmp, flushed to disk and
 * renamed over PATH, so PATH is never left half written.
 * Errors: RC_E_IO naming the file and the system's reason, RC_E_NOMEM. */
rc_status cli_heatmap_save(const char *path, const cli_heatmap *maps, int n, const char *x_title, const char *y_title);

/* Writes s to fp with XML's special characters escaped (& < > " ') and
 * characters XML cannot hold replaced by U+FFFD. s is valid UTF-8. */
void cli_xml_escape(FILE *fp, const char *s);

#endif
