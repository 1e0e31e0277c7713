/*
 * chart.c - the dashboard's charts as inline SVG (see dash.h): drawn by
 * the server, so that they are read without a script, printed, and
 * described to screen readers by a title and a text. Colours are the
 * Okabe-Ito palette's, told apart by colour-blind readers.
 */
#include <stdlib.h>
#include <string.h>

#include "core/base/escape.h"
#include "core/dash/dash.h"

static const char *const tone_colours[3] = { "#D55E00", "#999999", "#0072B2" };
static const struct dash_text tone_names[3] = {
	{ "n\xc3\xa9gatives", "negative" },
	{ "neutres", "neutral" },
	{ "positives", "positive" },
};

static long
cell_long(const struct dash_rows *rows, size_t r, size_t c)
{
	const char *v = dash_cell(rows, r, c);

	return v != NULL ? strtol(v, NULL, 10) : 0;
}

static void
svg_begin(struct buf *b, double w, double h, const char *id,
    const struct dash_ctx *ctx, struct dash_text title, const char *subject)
{
	buf_printf(b,
	    "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %.0f %.0f\" role=\"img\" class=\"chart\" "
	    "aria-labelledby=\"%s-t %s-d\"><title id=\"%s-t\">",
	    w, h, id, id, id);
	esc_html(b, dash_tr(ctx, title));
	if (subject != NULL) {
		buf_puts(b, " \xe2\x80\x94 ");
		esc_html(b, subject);
	}
	buf_printf(b, "</title><desc id=\"%s-d\">", id);
}

void
dash_chart_tones(struct buf *b, const struct dash_ctx *ctx, const char *id,
    struct dash_text title, const char *subject, const struct dash_rows *rows,
    const struct dash_rows *marks)
{
	const double width = 720, height = 200, top = 12, bottom = 24;
	double bar, max = 0;
	long total[3] = { 0, 0, 0 };

	if (rows->nrows == 0)
		return;
	for (size_t r = 0; r < rows->nrows; r++) {
		long sum = 0;

		for (int k = 0; k < 3; k++) {
			sum += cell_long(rows, r, (size_t)k + 1);
			total[k] += cell_long(rows, r, (size_t)k + 1);
		}
		if ((double)sum > max)
			max = (double)sum;
	}
	bar = width / (double)rows->nrows;
	svg_begin(b, width, height, id, ctx, title, subject);
	for (int k = 0; k < 3; k++)
		buf_printf(b, "%s%ld %s", k ? ", " : "", total[k],
		    dash_tr(ctx, tone_names[k]));
	buf_puts(b, "</desc>");
	for (size_t r = 0; r < rows->nrows; r++) {
		double y = height - bottom;

		/* A bar that leads to its own period: a zoom without a
		 * script. */
		if (dash_cell(rows, r, 4) != NULL) {
			buf_puts(b, "<a href=\"");
			esc_html(b, dash_cell(rows, r, 4));
			buf_puts(b, "\">");
		}
		buf_puts(b, "<g class=\"bar\"><title>");
		esc_html(b, dash_cell(rows, r, 0) ? dash_cell(rows, r, 0) : "");
		buf_puts(b, " : ");
		for (int k = 0; k < 3; k++)
			buf_printf(b, "%s%ld %s", k ? ", " : "",
			    cell_long(rows, r, (size_t)k + 1),
			    dash_tr(ctx, tone_names[k]));
		buf_puts(b, "</title>");
		for (int k = 0; k < 3; k++) {
			long v = cell_long(rows, r, (size_t)k + 1);
			double h = max > 0
			    ? (double)v / max * (height - bottom - top)
			    : 0;

			if (v <= 0)
				continue;
			y -= h;
			buf_printf(b,
			    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"%.1f\" fill=\"%s\"/>",
			    (double)r * bar + bar * 0.1, y, bar * 0.8, h,
			    tone_colours[k]);
		}
		buf_puts(
		    b, dash_cell(rows, r, 4) != NULL ? "</g></a>" : "</g>");
	}
	/* Incidents over the bucket they opened in. */
	for (size_t m = 0; marks != NULL && m < marks->nrows; m++) {
		const char *at = dash_cell(marks, m, 0);

		for (size_t r = 0; at != NULL && r < rows->nrows; r++) {
			const char *label = dash_cell(rows, r, 0);
			double x = (double)r * bar + bar / 2;

			if (label == NULL || strcmp(label, at) != 0)
				continue;
			buf_printf(b, "<g class=\"mark\"><title>%s",
			    dash_tr(ctx,
			        (struct dash_text){
			            "Incident : ", "Incident: " }));
			esc_html(b,
			    dash_cell(marks, m, 1) ? dash_cell(marks, m, 1)
			                           : "");
			buf_printf(b,
			    "</title><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" "
			    "y2=\"%.0f\" stroke=\"#000\" stroke-width=\"2\" "
			    "stroke-dasharray=\"4 3\"/></g>",
			    x, x, top, height - bottom);
			break;
		}
	}
	buf_printf(b,
	    "<line x1=\"0\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\" "
	    "stroke=\"#888\"/><text x=\"0\" y=\"%.0f\" font-size=\"11\">",
	    width, height - bottom, height - bottom, height - 6);
	esc_html(b, dash_cell(rows, 0, 0) ? dash_cell(rows, 0, 0) : "");
	buf_printf(b,
	    "</text><text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" "
	    "text-anchor=\"end\">",
	    width, height - 6);
	esc_html(b,
	    dash_cell(rows, rows->nrows - 1, 0)
	        ? dash_cell(rows, rows->nrows - 1, 0)
	        : "");
	buf_printf(b,
	    "</text><text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" "
	    "text-anchor=\"end\">%.0f</text></svg><figcaption class=\"key\">",
	    width, top + 2, max);
	for (int k = 0; k < 3; k++)
		buf_printf(b, "<span class=\"swatch t%d\"></span>%s ", k,
		    dash_tr(ctx, tone_names[k]));
	buf_puts(b, "</figcaption></figure>\n");
}

void
dash_sparkline(
    struct buf *b, const struct dash_ctx *ctx, const long *v, size_t n)
{
	const double width = 120, height = 24;
	long max = 0, sum = 0;

	for (size_t i = 0; i < n; i++) {
		if (v[i] > max)
			max = v[i];
		sum += v[i];
	}
	buf_printf(b,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f "
	    "%.0f\" class=\"spark\" role=\"img\"><title>",
	    width, height);
	buf_printf(b, "%s %ld, max %ld",
	    dash_tr(ctx,
	        (struct dash_text){
	            "Mentions par jour : total", "Mentions per day: total" }),
	    sum, max);
	buf_puts(b,
	    "</title><polyline fill=\"none\" stroke=\"#0072B2\" "
	    "stroke-width=\"1.5\" points=\"");
	for (size_t i = 0; i < n; i++) {
		double x = n > 1 ? (double)i * width / (double)(n - 1) : 0;
		double y = max > 0
		    ? height - 2 - (double)v[i] / (double)max * (height - 4)
		    : height - 2;

		buf_printf(b, "%s%.1f,%.1f", i ? " " : "", x, y);
	}
	buf_puts(b, "\"/></svg>");
}
