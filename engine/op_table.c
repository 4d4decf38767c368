/*
 * op_table.c — one row per differentiable op family: its name (for grad_fn
 * and error messages) and its backward. The backward functions live in the
 * grad_*.c file of their area; a row whose backward is NULL makes
 * act_backward fail with a message naming the op.
 */
#include "autograd.h"
#include "grad_rules.h"

const act_op_info act_op_table[ACT_OP_COUNT] = {
    [ACT_OP_UNARY] = {"unary", act_unary_backward},
    [ACT_OP_BINARY] = {"binary", act_binary_backward},
    [ACT_OP_CLAMP] = {"clamp", act_clamp_backward},
    [ACT_OP_WHERE] = {"where", act_where_backward},
    [ACT_OP_TO_DTYPE] = {"copy", act_copy_backward},
    [ACT_OP_REDUCE] = {"reduce", act_reduce_backward},
    [ACT_OP_EXTREME] = {"max", act_extreme_backward},
    [ACT_OP_MATMUL] = {"matmul", act_matmul_backward},
    [ACT_OP_LINEAR] = {"linear", act_linear_backward},
    [ACT_OP_VIEW] = {"view", act_view_backward},
    [ACT_OP_PERMUTE] = {"permute", act_permute_backward},
    [ACT_OP_SLICE] = {"slice", act_slice_backward},
    [ACT_OP_SELECT] = {"select", act_select_backward},
    [ACT_OP_EXPAND] = {"expand", act_expand_backward},
    [ACT_OP_GATHER] = {"gather", act_gather_backward},
    [ACT_OP_INDEX_SELECT] = {"index_select", act_index_select_backward},
    [ACT_OP_CAT] = {"cat", act_cat_backward},
    [ACT_OP_STACK] = {"stack", act_stack_backward},
    [ACT_OP_ACTIVATION] = {"activation", act_activation_backward},
    [ACT_OP_PRELU] = {"prelu", act_prelu_backward},
    [ACT_OP_SOFTMAX] = {"softmax", act_softmax_backward},
    [ACT_OP_GLU] = {"glu", act_glu_backward},
    [ACT_OP_LOSS] = {"loss", act_loss_backward},
    [ACT_OP_EXPR] = {"expr", act_expr_backward, act_expr_release},
    [ACT_OP_WITH_DERIVATIVE] = {"with_derivative", act_with_derivative_backward,
                                act_expr_release},
    [ACT_OP_LINEAR_ACT] = {"linear_activation", act_linear_act_backward},
};
_Static_assert(sizeof act_op_table / sizeof *act_op_table == ACT_OP_COUNT,
               "one row per op");
