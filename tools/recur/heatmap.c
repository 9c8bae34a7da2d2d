/*
 * SVG heatmaps: a layout pass sizes every panel from its labels, then the
 * document is written in one go. Text widths are estimated from the number
 * of code points in a monospace font, which is all the layout needs.
 */
#include "heatmap.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recur/data.h"

enum { CELL = 24, PAD = 8, TITLE_H = 24, AXIS_H = 18, GAP = 24, BAR_W = 16, BAR_H = 160, BAR_AREA = 90 };
static const double CHAR_W = 7.5; /* monospace at 12 px, a little generous */

/* Code points in s. */
static size_t width_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) n += (*p & 0xC0) != 0x80;
    return n;
}

static double text_width(const char *s) { return (double)(strcmp(s, " ") == 0 ? 1 : width_chars(s)) * CHAR_W; }

void cli_xml_escape(FILE *fp, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        const char *why;
        int len = rc_utf8_next((const unsigned char *)s + i, n - i, &cp, &why);
        if (len == 0) {
            /* not reachable for validated text; never emit the bad byte */
            fputs("&#xFFFD;", fp);
            i++;
            continue;
        }
        switch (cp) {
        case '&': fputs("&amp;", fp); break;
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '"': fputs("&quot;", fp); break;
        case '\'': fputs("&apos;", fp); break;
        default:
            /* XML 1.0 has no place for C0 controls or U+FFFE, U+FFFF; tab,
             * newline and carriage return would be normalised away */
            if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF) fputs("&#xFFFD;", fp);
            else fwrite(s + i, 1, (size_t)len, fp);
        }
        i += (size_t)len;
    }
}

/* A label as text: a lone space shows as ␣ (U+2423). */
static void label(FILE *fp, const char *s)
{
    if (strcmp(s, " ") == 0) fputs("\xE2\x90\xA3", fp);
    else cli_xml_escape(fp, s);
}

typedef struct layout {
    double left, top; /* the grid's top-left corner */
    double height;    /* the whole panel's */
    double right;     /* the grid's right edge */
    double width;     /* the panel's, its title included */
} layout;

/* Sizes panel m placed at y; the rotated y_title runs down from the grid's
 * top, so a short grid leaves room for it. */
static layout place(const cli_heatmap *m, double y, const char *y_title)
{
    double row_w = 0, col_h = 0;
    for (int i = 0; i < m->rows; i++) row_w = fmax(row_w, text_width(m->row_labels[i]));
    for (int j = 0; j < m->cols; j++) col_h = fmax(col_h, text_width(m->col_labels[j]));
    layout l;
    l.left = AXIS_H + row_w + 2 * PAD;
    l.top = y + TITLE_H + AXIS_H + col_h + 2 * PAD;
    l.right = l.left + (double)m->cols * CELL;
    l.height = l.top - y + fmax((double)m->rows * CELL, text_width(y_title) + 2 * CHAR_W) + GAP;
    l.width = fmax(l.right, PAD + text_width(m->title) * 14 / 12); /* the title is 14 px */
    return l;
}

/* #rrggbb of weight w: white at 0 to dark blue (#08306b) at 1. */
static void colour(double w, char buf[8])
{
    w = w < 0 ? 0 : w > 1 ? 1 : w;
    int r = (int)lround(255 + w * (8 - 255)), g = (int)lround(255 + w * (48 - 255)), b = (int)lround(255 + w * (107 - 255));
    snprintf(buf, 8, "#%02x%02x%02x", r, g, b);
}

static void panel(FILE *fp, const cli_heatmap *m, const layout *l, double y, const char *x_title, const char *y_title)
{
    double grid_h = (double)m->rows * CELL;
    fprintf(fp, "<g>\n<text x=\"%d\" y=\"%.1f\" font-size=\"14\" font-weight=\"bold\">", PAD, y + 17);
    cli_xml_escape(fp, m->title);
    fprintf(fp, "</text>\n<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">", l->left, y + TITLE_H + 13);
    cli_xml_escape(fp, x_title);
    fprintf(fp, " \xE2\x86\x92</text>\n");
    /* read upwards, ending at the grid's top; the arrow points down the rows */
    fprintf(fp, "<text transform=\"translate(%d %.1f) rotate(-90)\" text-anchor=\"end\" fill=\"#555\">\xE2\x86\x90 ", 13,
            l->top);
    cli_xml_escape(fp, y_title);
    fputs("</text>\n", fp);
    for (int j = 0; j < m->cols; j++) {
        double x = l->left + (j + 0.5) * CELL + 4;
        fprintf(fp, "<text transform=\"translate(%.1f %.1f) rotate(-90)\">", x, l->top - PAD);
        label(fp, m->col_labels[j]);
        fputs("</text>\n", fp);
    }
    for (int i = 0; i < m->rows; i++) {
        fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", l->left - PAD, l->top + (i + 0.5) * CELL + 4);
        label(fp, m->row_labels[i]);
        fputs("</text>\n", fp);
        for (int j = 0; j < m->cols; j++) {
            double w = (double)m->values[(size_t)i * m->cols + j];
            char fill[8];
            colour(w, fill);
            fprintf(fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>", l->left + j * CELL,
                    l->top + i * CELL, CELL, CELL, fill);
            cli_xml_escape(fp, m->col_labels[j]);
            fputs(" \xE2\x86\x92 ", fp);
            cli_xml_escape(fp, m->row_labels[i]);
            fprintf(fp, ": %.3f</title></rect>\n", w);
        }
    }
    fprintf(fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#888\"/>\n</g>\n",
            l->left, l->top, l->right - l->left, grid_h);
}

/* The colour scale: a vertical gradient from 1 (top) to 0 with ticks. */
static void scale(FILE *fp, double x, double y)
{
    char dark[8], mid[8];
    colour(1, dark);
    colour(0.5, mid);
    fprintf(fp,
            "<defs><linearGradient id=\"scale\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">"
            "<stop offset=\"0\" stop-color=\"%s\"/><stop offset=\"0.5\" stop-color=\"%s\"/>"
            "<stop offset=\"1\" stop-color=\"#ffffff\"/></linearGradient></defs>\n"
            "<g>\n<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">weight</text>\n"
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"url(#scale)\" stroke=\"#888\"/>\n",
            dark, mid, x, y - 8, x, y, BAR_W, BAR_H);
    const char *ticks[3] = {"1", "0.5", "0"};
    for (int k = 0; k < 3; k++) {
        double ty = y + k * BAR_H / 2.0;
        fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>", x + BAR_W, ty,
                x + BAR_W + 4, ty);
        fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x + BAR_W + 7, ty + 4, ticks[k]);
    }
    fputs("</g>\n", fp);
}

void cli_heatmap_svg(FILE *fp, const cli_heatmap *maps, int n, const char *x_title, const char *y_title)
{
    double width = 0, height = 0, first_top = 0;
    for (int k = 0; k < n; k++) {
        layout l = place(&maps[k], height, y_title);
        if (k == 0) first_top = l.top;
        width = fmax(width, l.width);
        height += l.height;
    }
    width += BAR_AREA;
    height = fmax(height, first_top + BAR_H + GAP);
    fprintf(fp,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
            "font-family=\"monospace\" font-size=\"12\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
            ceil(width), ceil(height), ceil(width), ceil(height));
    double y = 0;
    for (int k = 0; k < n; k++) {
        layout l = place(&maps[k], y, y_title);
        panel(fp, &maps[k], &l, y, x_title, y_title);
        y += l.height;
    }
    scale(fp, width - BAR_AREA + 2 * PAD, first_top);
    fputs("</svg>\n", fp);
}

rc_status cli_heatmap_save(const char *path, const cli_heatmap *maps, int n, const char *x_title, const char *y_title)
{
    char *tmp = malloc(strlen(path) + sizeof ".tmp");
    if (!tmp) return rc_error(RC_E_NOMEM, "'%s': out of memory", path);
    strcat(strcpy(tmp, path), ".tmp");
    FILE *fp = fopen(tmp, "wb");
    rc_status s = RC_OK;
    if (!fp) {
        s = rc_error(RC_E_IO, "cannot create '%s': %s", tmp, strerror(errno));
        free(tmp);
        return s;
    }
    cli_heatmap_svg(fp, maps, n, x_title, y_title);
    bool ok = !ferror(fp) && fflush(fp) == 0 && fsync(fileno(fp)) == 0;
    int err = errno;
    if (fclose(fp) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (!ok) s = rc_error(RC_E_IO, "cannot write '%s': %s", tmp, strerror(err));
    if (s == RC_OK && rename(tmp, path) != 0)
        s = rc_error(RC_E_IO, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
    if (s != RC_OK) remove(tmp);
    free(tmp);
    return s;
}
