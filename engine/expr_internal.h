/*
 * expr_internal.h — what the files of defined activations share
 * (internal): the expression graph (expr_build.c), its derivatives
 * (expr_diff.c), the programs compiled from it (expr_compile.c) and the
 * block evaluator that runs them (expr_run.c).
 */
#ifndef ACT_EXPR_INTERNAL_H
#define ACT_EXPR_INTERNAL_H

#include "act_internal.h"

/* One node of the graph. Operands have smaller ids than the node, so ids
 * are a topological order. */
typedef struct expr_node {
    act_expr_op op;
    int a, b, c;  /* operand ids, -1 when absent */
    double value; /* CONST: the number; PARAM: the index */
} expr_node;

/* One instruction: dst = op(a, b, c) over a block, registers by index.
 * POW with an integer constant exponent becomes POWI (imm the exponent).
 *
 * A pair is two arithmetic steps in one loop, the first one's result kept
 * in a variable rather than a register: dst = then(op(a, b), c), or
 * then(c, op(a, b)) when swapped, with op as expr_pair_first and then
 * as expr_pair_then allow; a scaled pair is multiplied by register `by`
 * last. Each step rounds as its own instruction would, so pairing
 * changes no result; it cuts the passes over the block of a chain of
 * arithmetic, which is most of a derivative's program, and a backward
 * program ends in a multiplication by the gradient of y (expr_compile.c
 * pairs a node with its one reader, and a product with a pair it alone
 * reads). */
typedef struct expr_instr {
    int op; /* act_expr_op, or EXPR_POWI */
    int dst, a, b, c;
    int imm;
    int then; /* the second step of a pair; ACT_EXPR_CONST (0): none */
    bool swapped;
    bool scaled; /* a pair only: dst = (the pair) * by */
    int by;
} expr_instr;

#define EXPR_POWI ACT_EXPR_OP_COUNT

/* A pair's second step: ADD, SUB, MUL or DIV. */
static inline bool expr_pair_then(int op)
{
    return op == ACT_EXPR_ADD || op == ACT_EXPR_SUB || op == ACT_EXPR_MUL ||
           op == ACT_EXPR_DIV;
}

/* A pair's first step: those, or POWI with imm 2 or 3. */
static inline bool expr_pair_first(int op, int imm)
{
    return expr_pair_then(op) || (op == EXPR_POWI && (imm == 2 || imm == 3));
}

/* The inputs a program reads in place, block by block: x, the gradient
 * of y (backward programs), and the forward's saved values (below). */
#define EXPR_MAX_SAVED 4
enum { EXPR_IN_X = 0, EXPR_IN_GY = 1, EXPR_IN_SAVED = 2 };
#define EXPR_MAX_INPUTS (EXPR_IN_SAVED + EXPR_MAX_SAVED)

/* A compiled program. Registers hold blocks of elements: in_reg[i] input
 * i (-1 when unused), const_reg[i] the number const_val[i] and
 * param_reg[k] parameter k (-1 when unused), loaded before the
 * instructions run; the results are in out_reg[0..nout-1]. */
typedef struct expr_program {
    int ninstr, nregs, nconst, nout;
    expr_instr *code;
    int *const_reg;
    double *const_val;
    int in_reg[EXPR_MAX_INPUTS];
    int param_reg[ACT_EXPR_MAX_PARAMS];
    int out_reg[1 + EXPR_MAX_SAVED + ACT_EXPR_MAX_PARAMS];
    /* Bit o: output o is written by an instruction (not an input, a
     * constant or a parameter), so that its register may be the output's
     * own buffer (expr_run.c). */
    unsigned computed_outs;
    bool simd; /* float32: vector math where it has it (see below) */
} expr_program;

struct act_expr {
    int64_t refs;
    char *name;
    int nparams;
    char *param_names[ACT_EXPR_MAX_PARAMS];
    expr_node *nodes;
    int nnodes, cap;
    int *table; /* hash of nodes -> id + 1 (0: empty), tsize slots */
    int tsize;
    bool compiled, smooth;
    bool failed; /* a compile failed half-way: the nodes it added stay */
    int result;                        /* the value's node */
    int deriv[1 + ACT_EXPR_MAX_PARAMS]; /* d/dx, d/dp_k nodes */
    /* Costly values of the forward that the derivatives read again (an
     * exp, a sigmoid...): the forward stores them when it records, and the
     * backward reads them instead of computing them twice. A saved value
     * that is f itself is y, the output: no extra tensor. */
    int nsaved;
    int saved[EXPR_MAX_SAVED];
    expr_program forward;        /* outputs: f */
    expr_program forward_saving; /* outputs: f, then the saved values */
    expr_program backward;       /* outputs: gy f', gy df/dp_k */
    expr_program backward_x;     /* outputs: gy f' (no parameter grads) */
};

/* Builds (or finds) a node; the shared worker of act_expr_node and the
 * leaves, with simplification. fn names the caller in errors. */
act_status act_expr_make(act_context *ctx, act_expr *e, act_expr_op op, int a,
                         int b, int c, double value, int *node);

/* Adds the derivative nodes of e->result into e->deriv. */
act_status act_expr_differentiate(act_context *ctx, act_expr *e);

/* The INPUT node's value that names the gradient of y (x's is 0). */
#define EXPR_GY_INPUT 1.0

/* Fills e->saved: the forward's costly nodes the derivatives read. */
void act_expr_choose_saved(act_expr *e);

/* Compiles the nodes outs[0..nout-1] of e into p, then validates p. With
 * read_saved, the nodes e->saved are inputs, not computed. */
act_status act_expr_emit(act_context *ctx, const act_expr *e, int nout,
                         const int *outs, bool read_saved, expr_program *p);
void act_expr_program_free(expr_program *p);

/* Block size of the evaluator, in elements: each instruction is a loop
 * over a block, and each block pays a fixed cost (pointers set,
 * instructions dispatched). Traced ncu and silu, forward + backward, user
 * CPU of 3000 calls on 10^5 float32 / 300 calls on 10^6 (2 / 5 runs):
 * blocks of 256 0.20 / 0.28 s (ncu), 0.35 / 0.38 s (silu); 512 0.15 /
 * 0.24, 0.32 / 0.39; 1024 0.14 / 0.31, 0.30 / 0.46 (a register of 4 KiB
 * then competes with the streams for L1). */
#define EXPR_BLOCK 512

/* Runs p over n <= EXPR_BLOCK elements, all registers float or double
 * (regs: p->nregs pointers to blocks of at least n elements, inputs and
 * constants loaded by the caller). */
void act_expr_run_f32(const expr_program *p, float *const *regs, int n);
void act_expr_run_f64(const expr_program *p, double *const *regs, int n);

/* Programs compiled in a context whose `simd` is set (simd.h) run their
 * float32 exp, log, log1p, expm1, sqrt, sin, cos, tan, tanh, erf, sigmoid,
 * softplus and pow through act_simd_f32: results within a few ulp of the
 * scalar loops', the same bits for the same input wherever it sits in a
 * block. float64 stays scalar, so act_expr_op_eval equals what float64
 * programs compute. Their other float32 instructions run through
 * act_expr_run_one_f32_avx2 (expr_kernels_avx2.c): the baseline loops
 * compiled for AVX2, the same bits. */
void act_expr_run_one_f32_avx2(const expr_instr *in, float *const *regs, int n);

#endif /* ACT_EXPR_INTERNAL_H */
