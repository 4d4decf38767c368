/*
 * optim_clip.c — clip_grad_norm: the norm of all the parameters' gradients
 * taken together, and their scaling in place when it exceeds a bound
 * (PyTorch's torch.nn.utils.clip_grad_norm_).
 */
#include "act_internal.h"
#include "autograd.h"

#include <math.h>

/* Adds sum |g|^p (p finite) to *acc, or folds max |g| into it (p inf). */
static act_status accumulate(act_context *ctx, const act_tensor *g, double p,
                             double *acc)
{
    act_tensor *c;
    act_status st = g->dtype == ACT_DTYPE_F64
                        ? act_contiguous_nograd(ctx, g, &c)
                        : act_to_dtype_nograd(ctx, g, ACT_DTYPE_F64, &c);
    if (st != ACT_OK)
        return st;
    const double *v = act_tensor_data(c);
    int64_t n = act_tensor_numel(c);
    double a = *acc;
    for (int64_t i = 0; i < n; i++) {
        double x = fabs(v[i]);
        if (p == INFINITY)
            a = x > a || x != x ? x : a; /* NaN wins, as torch's max */
        else
            a += p == 2 ? x * x : p == 1 ? x : pow(x, p);
    }
    *acc = a;
    act_tensor_free(c);
    return ACT_OK;
}

act_status act_clip_grad_norm(act_context *ctx, int n,
                              act_tensor *const *params, double max_norm,
                              double norm_type, double *total_norm)
{
    const char *fn = "clip_grad_norm";
    if (n < 0)
        return act_fail(ctx, ACT_E_ARG, fn, 1, "negative count %d", n);
    if (!(max_norm >= 0))
        return act_fail(ctx, ACT_E_ARG, fn, 3, "max_norm must be >= 0, got %g",
                        max_norm != max_norm ? NAN : max_norm);
    if (!(norm_type > 0))
        return act_fail(ctx, ACT_E_ARG, fn, 4,
                        "norm_type must be > 0 (or inf), got %g",
                        norm_type != norm_type ? NAN : norm_type);
    double acc = 0;
    for (int i = 0; i < n; i++) {
        if (!params[i])
            return act_fail(ctx, ACT_E_ARG, fn, 2, "parameter %d is NULL", i + 1);
        if (!params[i]->grad)
            continue;
        act_status st = accumulate(ctx, params[i]->grad, norm_type, &acc);
        if (st != ACT_OK)
            return st;
    }
    double total = norm_type == INFINITY ? acc
                   : norm_type == 2    ? sqrt(acc)
                   : norm_type == 1    ? acc
                                       : pow(acc, 1 / norm_type);
    /* PyTorch multiplies by min(coef, 1); a factor of 1 changes nothing,
     * so only a smaller one (or a NaN, which must spread) is applied. */
    double coef = max_norm / (total + 1e-6);
    if (!(coef >= 1)) {
        bool was = act_set_grad_enabled(ctx, false);
        act_status st = ACT_OK;
        for (int i = 0; i < n && st == ACT_OK; i++)
            if (params[i]->grad)
                st = act_binary_scalar_(ctx, ACT_BINARY_MUL, params[i]->grad, coef);
        act_set_grad_enabled(ctx, was);
        if (st != ACT_OK)
            return st;
    }
    *total_norm = total;
    return ACT_OK;
}
