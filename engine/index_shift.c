/*
 * index_shift.c — moving index tensors between bases. The engine counts
 * from 0; a host that counts from 1 (Lua) converts its index tensors here,
 * with every value checked, so an out-of-range index is reported in the
 * host's own numbering before any kernel sees it.
 */
#include "act_internal.h"

#include <math.h>

act_status act_index_shift(act_context *ctx, const act_tensor *index,
                           int64_t delta, int64_t lo, int64_t hi,
                           act_tensor **out)
{
    act_tensor *t;
    act_status st = act_tensor_alloc(ctx, "index", ACT_DTYPE_I64, index->ndim,
                                     index->shape, false, &t);
    if (st != ACT_OK)
        return st;
    int64_t n = act_tensor_numel(index);
    int64_t idx[ACT_MAX_DIMS] = {0};
    int64_t *dst = t->storage->data;
    for (int64_t k = 0; k < n; k++) {
        const void *p = act_elem_ptr(index, idx);
        int64_t v;
        if (index->dtype == ACT_DTYPE_I64) {
            v = *(const int64_t *)p;
        } else {
            double d = act_load(index->dtype, p);
            if (!(d == floor(d) && fabs(d) < 9.0e15)) {
                act_tensor_free(t);
                return act_fail(ctx, ACT_E_ARG, "index", 0,
                                "index %.17g is not an integer", d);
            }
            v = (int64_t)d;
        }
        if (v < lo || v > hi) {
            act_tensor_free(t);
            return act_fail(ctx, ACT_E_INDEX, "index", 0,
                            "index %lld is out of range (expected %lld to %lld)",
                            (long long)v, (long long)lo, (long long)hi);
        }
        dst[k] = v + delta;
        for (int d = index->ndim - 1; d >= 0; d--) {
            if (++idx[d] < index->shape[d])
                break;
            idx[d] = 0;
        }
    }
    *out = t;
    return ACT_OK;
}
