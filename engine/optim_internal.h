/*
 * optim_internal.h — what optim.c hands the update rules (optim_rules.c):
 * one parameter's contiguous data, gradient and state buffers, all of the
 * parameter's dtype.
 */
#ifndef ACT_OPTIM_INTERNAL_H
#define ACT_OPTIM_INTERNAL_H

#include "act_internal.h"

typedef struct act_optim_update {
    int64_t n;                       /* elements */
    void *p;                         /* the parameter, updated in place */
    const void *g;                   /* its gradient */
    void *s[ACT_OPTIM_MAX_STATE];    /* state buffers; NULL where unused */
    bool fresh;                      /* the buffers were made for this step
                                        (SGD's momentum starts at g) */
    int64_t step;                    /* the parameter's step, this one
                                        included (1 at the first) */
    double lr;
} act_optim_update;

/* Applies kind's rule to one parameter (float32 or float64). */
void act_optim_apply(act_optim_kind kind, act_dtype dtype,
                     const act_optim_options *o, const act_optim_update *u);

#endif /* ACT_OPTIM_INTERNAL_H */
