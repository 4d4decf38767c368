/*
 * format.c — the printed form of a tensor, modelled on PyTorch's: nested
 * brackets, one column width for every element, rows wrapped at 80
 * columns, "..." where a large tensor is summarised, then shape and dtype.
 */
#include "act_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SUMMARY_THRESHOLD 1000 /* more elements than this are summarised */
#define EDGE_ITEMS 3           /* kept at each end of a summarised dim */
#define LINE_WIDTH 80          /* innermost rows wrap before this column */
#define PREFIX "tensor("
#define ELEM_BUF 48            /* "%.4f" below 1e8, "%.4e", int64: all fit */

/* ------------------------------------------------------------- buffer */

/* A growing string. After a failed allocation it ignores every append and
 * `failed` says so: the caller checks once at the end, frees and reports. */
typedef struct {
    char *p;
    size_t len, cap;
    bool failed;
} strbuf;

static void put_n(strbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void put(strbuf *b, const char *s) { put_n(b, s, strlen(s)); }

static void put_repeat(strbuf *b, char c, int n)
{
    for (int i = 0; i < n; i++)
        put_n(b, &c, 1);
}

/* ------------------------------------------------------------ printer */

typedef struct {
    const act_tensor *t;
    bool summarise;
    bool sci;  /* floats as "%.4e" rather than "%.4f" */
    int width; /* of the widest printed element */
    strbuf out;
} printer;

typedef void (*visit_fn)(printer *pr, const char *elem);

/* How many positions of dim d are printed, counting the "..." as one. */
static int64_t shown_count(const printer *pr, int d)
{
    int64_t n = pr->t->shape[d];
    return pr->summarise && n > 2 * EDGE_ITEMS ? 2 * EDGE_ITEMS + 1 : n;
}

/* The index along dim d of printed position j, or -1 for the "...". */
static int64_t shown_at(const printer *pr, int d, int64_t j)
{
    int64_t n = pr->t->shape[d];
    if (!(pr->summarise && n > 2 * EDGE_ITEMS) || j < EDGE_ITEMS)
        return j;
    return j == EDGE_ITEMS ? -1 : n - (2 * EDGE_ITEMS + 1 - j);
}

static const char *elem_at(const printer *pr, int64_t off)
{
    return (const char *)pr->t->storage->data +
           off * (int64_t)act_dtype_size(pr->t->dtype);
}

/* Calls fn on every printed element, from dim d at element offset off. */
static void visit(printer *pr, int d, int64_t off, visit_fn fn)
{
    if (d == pr->t->ndim) {
        fn(pr, elem_at(pr, off));
        return;
    }
    for (int64_t j = 0; j < shown_count(pr, d); j++) {
        int64_t i = shown_at(pr, d, j);
        if (i >= 0)
            visit(pr, d + 1, off + i * pr->t->strides[d], fn);
    }
}

/* Fixed "%.4f" unless some printed finite value is too small or too large
 * to read well with four decimals; then every value is "%.4e", so that a
 * column never mixes notations. Integral floats keep their ".0000": the
 * dtype is then visible in every element, and columns line up. */
static void pick_notation(printer *pr, const char *elem)
{
    if (pr->t->dtype == ACT_DTYPE_I64)
        return;
    double v = fabs(act_load(pr->t->dtype, elem));
    if (isfinite(v) && v != 0 && (v < 1e-4 || v >= 1e8))
        pr->sci = true;
}

static int format_elem(const printer *pr, const char *elem, char *buf)
{
    if (pr->t->dtype == ACT_DTYPE_I64)
        return snprintf(buf, ELEM_BUF, "%lld",
                        (long long)*(const int64_t *)elem);
    double v = act_load(pr->t->dtype, elem);
    /* Spelled out: printf may write "-nan" for a NaN with its sign set. */
    if (isnan(v))
        return snprintf(buf, ELEM_BUF, "nan");
    if (isinf(v))
        return snprintf(buf, ELEM_BUF, "%s", v < 0 ? "-inf" : "inf");
    return snprintf(buf, ELEM_BUF, pr->sci ? "%.4e" : "%.4f", v);
}

static void measure(printer *pr, const char *elem)
{
    char buf[ELEM_BUF];
    int n = format_elem(pr, elem, buf);
    if (n > pr->width)
        pr->width = n;
}

/* One element, right-aligned in the common width. */
static void emit_elem(printer *pr, int64_t off)
{
    char buf[ELEM_BUF];
    int n = format_elem(pr, elem_at(pr, off), buf);
    put_repeat(&pr->out, ' ', pr->width - n);
    put(&pr->out, buf);
}

/* The innermost dim: elements separated by ", ", wrapped before an item
 * (with its "," or "]") would pass LINE_WIDTH; continuation lines start at
 * column `col`, under the first element. */
static void emit_row(printer *pr, int d, int64_t off, int col)
{
    int pos = col;
    for (int64_t j = 0; j < shown_count(pr, d); j++) {
        int64_t i = shown_at(pr, d, j);
        int len = i < 0 ? 3 : pr->width;
        if (j > 0 && pos + 2 + len + 1 > LINE_WIDTH) {
            put(&pr->out, ",\n");
            put_repeat(&pr->out, ' ', col);
            pos = col;
        } else if (j > 0) {
            put(&pr->out, ", ");
            pos += 2;
        }
        if (i < 0)
            put(&pr->out, "...");
        else
            emit_elem(pr, off + i * pr->t->strides[d]);
        pos += len;
    }
}

/* Dim d and everything inside it. Sub-blocks are separated as PyTorch does:
 * a comma, then one newline per dim they have (a blank line between
 * matrices of a 3-d tensor), then the indent of the opening bracket + 1. */
static void emit(printer *pr, int d, int64_t off)
{
    const act_tensor *t = pr->t;
    if (d == t->ndim) {
        emit_elem(pr, off);
        return;
    }
    int col = (int)strlen(PREFIX) + d + 1;
    put(&pr->out, "[");
    if (d == t->ndim - 1) {
        emit_row(pr, d, off, col);
    } else {
        for (int64_t j = 0; j < shown_count(pr, d); j++) {
            if (j > 0) {
                put(&pr->out, ",");
                put_repeat(&pr->out, '\n', t->ndim - d - 1);
                put_repeat(&pr->out, ' ', col);
            }
            int64_t i = shown_at(pr, d, j);
            if (i < 0)
                put(&pr->out, "...");
            else
                emit(pr, d + 1, off + i * t->strides[d]);
        }
    }
    put(&pr->out, "]");
}

act_status act_tensor_format(act_context *ctx, const act_tensor *t, char **out)
{
    printer pr = {.t = t, .summarise = act_tensor_numel(t) > SUMMARY_THRESHOLD};
    char shape[ACT_SHAPE_BUF];
    act_shape_str(shape, sizeof shape, t->ndim, t->shape);
    put(&pr.out, PREFIX);
    if (act_tensor_numel(t) == 0) {
        put(&pr.out, "[]");
    } else {
        visit(&pr, 0, t->offset, pick_notation);
        visit(&pr, 0, t->offset, measure);
        emit(&pr, 0, t->offset);
    }
    put(&pr.out, ", shape=");
    put(&pr.out, shape);
    put(&pr.out, ", dtype=");
    put(&pr.out, act_dtype_name(t->dtype));
    put(&pr.out, ")");
    if (pr.out.failed) {
        free(pr.out.p);
        return act_fail(ctx, ACT_E_NOMEM, "format", 1,
                        "out of memory for the text of a tensor of shape %s",
                        shape);
    }
    *out = pr.out.p;
    return ACT_OK;
}
