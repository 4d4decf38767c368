/*
 * gradcheck.c — checks an op's backward against float64 central
 * differences. The output is weighted by a fixed random tensor so that
 * one backward checks every input element against one scalar function.
 */
#include "autograd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* sum(w * y) in double, without recording. */
static act_status weighted_sum(act_context *ctx, const act_tensor *w,
                               const act_tensor *y, double *out)
{
    int64_t n = act_tensor_numel(y);
    if (n != act_tensor_numel(w))
        return act_fail(ctx, ACT_E_SHAPE, "gradcheck", 1,
                        "fn's output changed size between calls");
    double *wy = malloc(sizeof(double) * (size_t)(2 * (n ? n : 1)));
    if (!wy)
        return act_fail(ctx, ACT_E_NOMEM, "gradcheck", 0, "out of memory");
    act_tensor_to_doubles(ctx, w, wy);
    act_tensor_to_doubles(ctx, y, wy + n);
    double s = 0;
    for (int64_t i = 0; i < n; i++)
        s += wy[i] * wy[n + i];
    free(wy);
    *out = s;
    return ACT_OK;
}

static act_status eval(act_context *ctx, act_grad_fn fn, void *user, int n,
                       act_tensor *const *inputs, const act_tensor *w,
                       double *out)
{
    act_tensor *y = NULL;
    act_status st = fn(ctx, n, inputs, user, &y);
    if (st == ACT_OK)
        st = weighted_sum(ctx, w, y, out);
    act_tensor_free(y);
    return st;
}

/* The row-major index of element j of t, for reports. */
static void index_str(const act_tensor *t, int64_t j, char *buf, size_t size)
{
    int64_t idx[ACT_MAX_DIMS];
    for (int d = t->ndim - 1; d >= 0; d--) {
        idx[d] = t->shape[d] ? j % t->shape[d] : 0;
        j = t->shape[d] ? j / t->shape[d] : 0;
    }
    act_shape_str(buf, size, t->ndim, idx);
}

/* Compares every element of input k; *passed goes false at the first
 * mismatch, described in report. */
static act_status check_input(act_context *ctx, act_grad_fn fn, void *user,
                              int n, act_tensor *const *inputs, int k,
                              const act_tensor *w, const double *analytic,
                              double eps, double atol, double rtol,
                              bool *passed, char *report, size_t report_size)
{
    act_tensor *x = inputs[k];
    int64_t m = act_tensor_numel(x), idx[ACT_MAX_DIMS];
    for (int64_t j = 0; j < m && *passed; j++) {
        int64_t r = j;
        for (int d = x->ndim - 1; d >= 0; d--) {
            idx[d] = r % x->shape[d];
            r /= x->shape[d];
        }
        double *p = (double *)act_elem_ptr(x, idx), x0 = *p, plus, minus;
        *p = x0 + eps;
        act_status st = eval(ctx, fn, user, n, inputs, w, &plus);
        *p = x0 - eps;
        if (st == ACT_OK)
            st = eval(ctx, fn, user, n, inputs, w, &minus);
        *p = x0;
        if (st != ACT_OK)
            return st;
        double numeric = (plus - minus) / (2 * eps), a = analytic[j];
        if (!(fabs(a - numeric) <= atol + rtol * fabs(numeric))) {
            *passed = false;
            char where[ACT_SHAPE_BUF];
            index_str(x, j, where, sizeof where);
            if (report)
                snprintf(report, report_size,
                         "input %d, element %s: analytic gradient %.10g, "
                         "numeric %.10g (difference %.3g)",
                         k + 1, where, a, numeric, fabs(a - numeric));
        }
    }
    return ACT_OK;
}

act_status act_gradcheck(act_context *ctx, act_grad_fn fn, void *user, int n,
                         act_tensor *const *inputs, double eps, double atol,
                         double rtol, bool *passed, char *report,
                         size_t report_size)
{
    for (int k = 0; k < n; k++)
        if (inputs[k]->requires_grad && inputs[k]->dtype != ACT_DTYPE_F64)
            return act_fail(ctx, ACT_E_DTYPE, "gradcheck", 4,
                            "input %d is %s: gradients are checked in float64",
                            k + 1, act_dtype_name(inputs[k]->dtype));
    *passed = true;
    if (report && report_size)
        report[0] = '\0';
    act_tensor *saved_grads[64] = {NULL};
    if (n > 64)
        return act_fail(ctx, ACT_E_ARG, "gradcheck", 4, "at most 64 inputs");
    for (int k = 0; k < n; k++) { /* keep the caller's grads aside */
        saved_grads[k] = inputs[k]->grad;
        inputs[k]->grad = NULL;
    }
    act_tensor *y = NULL, *w = NULL, *wy = NULL, *s = NULL;
    act_generator gen;
    act_generator_seed(&gen, 0x5eed);
    bool was = act_set_grad_enabled(ctx, true);
    act_status st = fn(ctx, n, inputs, user, &y);
    if (st == ACT_OK)
        st = act_uniform(ctx, ACT_DTYPE_F64, y->ndim, y->shape, 0.5, 1.5, &gen, &w);
    if (st == ACT_OK)
        st = act_binary(ctx, ACT_BINARY_MUL, y, w, &wy);
    if (st == ACT_OK)
        st = act_sum(ctx, wy, ACT_ALL_DIMS, false, &s);
    if (st == ACT_OK && s->requires_grad)
        st = act_backward(ctx, s, NULL, false);
    act_set_grad_enabled(ctx, false);
    for (int k = 0; st == ACT_OK && k < n && *passed; k++) {
        if (!inputs[k]->requires_grad)
            continue;
        int64_t m = act_tensor_numel(inputs[k]);
        double *analytic = calloc((size_t)(m ? m : 1), sizeof *analytic);
        if (!analytic) {
            st = act_fail(ctx, ACT_E_NOMEM, "gradcheck", 0, "out of memory");
            break;
        }
        if (inputs[k]->grad)
            act_tensor_to_doubles(ctx, inputs[k]->grad, analytic);
        st = check_input(ctx, fn, user, n, inputs, k, w, analytic, eps, atol,
                         rtol, passed, report, report_size);
        free(analytic);
    }
    act_set_grad_enabled(ctx, was);
    for (int k = 0; k < n; k++) {
        act_tensor_free(inputs[k]->grad);
        inputs[k]->grad = saved_grads[k];
    }
    act_tensor_free(y);
    act_tensor_free(w);
    act_tensor_free(wy);
    act_tensor_free(s);
    return st;
}
