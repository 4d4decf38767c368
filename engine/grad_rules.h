/*
 * grad_rules.h — the backward functions op_table.c points to, one per op
 * family, each defined in the grad_*.c file of its area (internal).
 */
#ifndef ACT_GRAD_RULES_H
#define ACT_GRAD_RULES_H

#include "autograd.h"

#endif /* ACT_GRAD_RULES_H */
