/*
 * act.h — the actlua engine: tensors and the operations on them, in C11.
 *
 * This header is the engine's manual. The engine knows nothing of Lua; a C
 * host can use it alone:
 *
 *     act_context *ctx = act_context_new();
 *     act_manual_seed(ctx, 42);
 *     int64_t shape[2] = {4, 5};
 *     act_tensor *w = NULL, *x = NULL, *y = NULL;
 *     if (act_randn(ctx, ACT_DTYPE_F32, 2, shape, NULL, &w) != ACT_OK ||
 *         act_ones(ctx, ACT_DTYPE_F32, 2, (int64_t[]){5, 3}, &x) != ACT_OK ||
 *         act_matmul(ctx, w, x, &y) != ACT_OK)
 *         fprintf(stderr, "%s\n", act_context_error(ctx));
 *     act_tensor_free(y); act_tensor_free(x); act_tensor_free(w);
 *     act_context_free(ctx);
 *
 * Conventions
 * - Every function that can fail returns an act_status. On failure it leaves
 *   a message in the context (act_context_error) that names the function, the
 *   argument and what was wrong, writes nothing to its output parameter, and
 *   leaks nothing. The engine never prints, exits or aborts.
 * - A function that returns a tensor through `act_tensor **out` gives the
 *   caller one reference: release it with act_tensor_free. Views share the
 *   storage of their base; the storage lives while any view of it does.
 * - Dims and indices are 0-based. A negative dim counts from the end (-1 is
 *   the last dim), as in NumPy and PyTorch.
 * - Tensors and contexts are not thread-safe: a context and the tensors made
 *   with it belong to one thread at a time. Two contexts share nothing.
 * - dtypes: float32 (the default), float64, and int64 for indices. Arithmetic
 *   and mathematical functions take float tensors; int64 tensors are made by
 *   argmax/argmin and max/min along a dim, and are accepted as indices.
 */
#ifndef ACT_H
#define ACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ACT_VERSION "0.1.0"
#define ACT_MAX_DIMS 8

/* ---------------------------------------------------------------- status */

typedef enum act_status {
    ACT_OK = 0,
    ACT_E_ARG,         /* an argument is out of its domain (a dim, a count) */
    ACT_E_SHAPE,       /* shapes do not fit together */
    ACT_E_DTYPE,       /* a dtype the operation does not take */
    ACT_E_INDEX,       /* an index out of range */
    ACT_E_NOMEM,       /* an allocation failed or the size is absurd */
    ACT_E_IO,          /* a file could not be read or written */
    ACT_E_FORMAT,      /* a file's content is malformed */
    ACT_E_STATE,       /* the call is not valid in the object's state */
    ACT_E_UNSUPPORTED, /* the combination is valid but not implemented */
    ACT_STATUS_COUNT
} act_status;

/* The status's name, e.g. "ACT_E_SHAPE"; "ACT_E_?" for an unknown value. */
const char *act_status_name(act_status status);

/* ----------------------------------------------------------------- dtype */

typedef enum act_dtype {
    ACT_DTYPE_F32 = 0,
    ACT_DTYPE_F64,
    ACT_DTYPE_I64,
    ACT_DTYPE_COUNT
} act_dtype;

/* "float32", "float64", "int64"; NULL for an invalid value. */
const char *act_dtype_name(act_dtype dtype);
/* Bytes per element; 0 for an invalid value. */
size_t act_dtype_size(act_dtype dtype);
/* Parses "float32"/"float"/"float64"/"double"/"int64"/"long". Returns false
 * if the name is unknown. */
bool act_dtype_from_name(const char *name, act_dtype *out);

/* --------------------------------------------------------------- context */

/* The state the engine would otherwise keep in globals: the random
 * generator, the default dtype, the last error. The caller owns it and frees
 * it after every tensor made with it has been freed. */
typedef struct act_context act_context;

/* A new context, seeded with 0 and float32 as default dtype; NULL if out of
 * memory. */
act_context *act_context_new(void);
/* Frees the context. NULL is a no-op. */
void act_context_free(act_context *ctx);

/* The most recent failure's full message ("matmul: shapes [4,2] and [5,5]
 * cannot be multiplied: 2 ≠ 5"), or "" if nothing has failed yet. Successes
 * leave it as it was, so read it right after a call returns an error. Owned
 * by the context, valid until the next failure. */
const char *act_context_error(const act_context *ctx);
/* The same message without the function's name ("shapes [4,2] and ..."). */
const char *act_context_error_detail(const act_context *ctx);
/* The name of the function that failed ("matmul"), or "". */
const char *act_context_error_function(const act_context *ctx);
/* The 1-based position of the offending argument in the failing call,
 * counting the arguments after ctx, or 0 when no single argument is at
 * fault. Bindings turn it into "bad argument #N". */
int act_context_error_arg(const act_context *ctx);
/* The most recent failure's status (ACT_OK if nothing has failed yet). */
act_status act_context_status(const act_context *ctx);

act_dtype act_get_default_dtype(const act_context *ctx);
/* Sets the dtype that creation functions use when asked for the default.
 * Fails with ACT_E_DTYPE for int64: the default must be a float type. */
act_status act_set_default_dtype(act_context *ctx, act_dtype dtype);

/* Bytes the engine holds for this context: tensor data, tensor and storage
 * headers, autograd nodes. A garbage-collected host (the Lua bindings) uses
 * it to run its collector, which cannot see memory the engine allocates.
 * The context must outlive every tensor made with it. */
size_t act_context_live_bytes(const act_context *ctx);

/* ------------------------------------------------------------- generator */

/* A pseudo-random generator: xoshiro256** (Blackman and Vigna, 2018) seeded
 * through splitmix64, so the same seed gives the same bits on every run and
 * machine. Uniform float32 values use the top 24 bits of one draw, float64
 * values the top 53; normal values come from the Box-Muller transform on two
 * float64 uniforms, in double precision, and are rounded to the dtype. */
typedef struct act_generator act_generator;

/* A new generator with the given seed; NULL if out of memory. */
act_generator *act_generator_new(uint64_t seed);
void act_generator_free(act_generator *gen);
void act_generator_seed(act_generator *gen, uint64_t seed);
/* The next raw 64-bit draw. */
uint64_t act_generator_next(act_generator *gen);
/* A uniform double in [0, 1). */
double act_generator_uniform(act_generator *gen);
/* A standard normal double. */
double act_generator_normal(act_generator *gen);

/* Seeds the context's own generator, which random functions use when they
 * are given no generator. */
void act_manual_seed(act_context *ctx, uint64_t seed);
/* The context's generator (owned by the context). */
act_generator *act_context_generator(act_context *ctx);

/* ---------------------------------------------------------------- tensor */

/* A view of an n-d array: dtype, shape, strides (in elements) and an offset
 * into a reference-counted storage. Rank 0 is a scalar. */
typedef struct act_tensor act_tensor;

/* Drops one reference; the tensor (and its storage, when no view uses it any
 * more) is freed with the last one. NULL is a no-op. */
void act_tensor_free(act_tensor *t);
/* Adds a reference and returns t, for a second owner. */
act_tensor *act_tensor_retain(act_tensor *t);

act_dtype act_tensor_dtype(const act_tensor *t);
int act_tensor_dim(const act_tensor *t);
/* The extent of dim d (0-based; negative counts from the end); -1 if d is
 * out of range. */
int64_t act_tensor_size(const act_tensor *t, int d);
/* The shape and strides arrays (act_tensor_dim entries each); owned by t. */
const int64_t *act_tensor_shape(const act_tensor *t);
const int64_t *act_tensor_strides(const act_tensor *t);
int64_t act_tensor_offset(const act_tensor *t);
int64_t act_tensor_numel(const act_tensor *t);
/* True when the elements lie in row-major order without gaps. */
bool act_tensor_is_contiguous(const act_tensor *t);
/* True when a and b are views of the same storage. */
bool act_tensor_shares_storage(const act_tensor *a, const act_tensor *b);
/* The address of the first element (storage + offset); owned by the
 * storage. Elements are at data + sum(index[i] * strides[i]) elements. */
void *act_tensor_data(const act_tensor *t);

/* Reads or writes one element, converting to and from double. `index` has
 * act_tensor_dim entries. Fails with ACT_E_INDEX out of range. */
act_status act_tensor_get(act_context *ctx, const act_tensor *t,
                          const int64_t *index, double *out);
act_status act_tensor_set(act_context *ctx, act_tensor *t,
                          const int64_t *index, double value);
/* The single element of a tensor with numel 1 (any rank). */
act_status act_tensor_item(act_context *ctx, const act_tensor *t, double *out);
/* Copies all elements, in row-major order, into `out` (numel doubles). */
act_status act_tensor_to_doubles(act_context *ctx, const act_tensor *t,
                                 double *out);

/* -------------------------------------------------------------- creation */

/* Every creation function takes a dtype and a shape of `ndim` (0 to 8)
 * non-negative extents, and fails with ACT_E_ARG for a bad rank or a
 * negative extent, ACT_E_NOMEM when the element count overflows or the
 * memory cannot be had. */

/* Uninitialised elements (the caller fills them). */
act_status act_empty(act_context *ctx, act_dtype dtype, int ndim,
                     const int64_t *shape, act_tensor **out);
act_status act_zeros(act_context *ctx, act_dtype dtype, int ndim,
                     const int64_t *shape, act_tensor **out);
act_status act_ones(act_context *ctx, act_dtype dtype, int ndim,
                    const int64_t *shape, act_tensor **out);
act_status act_full(act_context *ctx, act_dtype dtype, int ndim,
                    const int64_t *shape, double value, act_tensor **out);
/* A tensor holding `data` (numel doubles, row-major), rounded to dtype. An
 * int64 tensor refuses a non-integral or out-of-range value. */
act_status act_from_doubles(act_context *ctx, act_dtype dtype, int ndim,
                            const int64_t *shape, const double *data,
                            act_tensor **out);
/* A scalar (rank 0) tensor. */
act_status act_scalar(act_context *ctx, act_dtype dtype, double value,
                      act_tensor **out);
/* start, start + step, ... while < end (> end for a negative step); 1-d.
 * Fails for step 0 or a non-finite bound. */
act_status act_arange(act_context *ctx, act_dtype dtype, double start,
                      double end, double step, act_tensor **out);
/* n points from a to b inclusive; 1-d. */
act_status act_linspace(act_context *ctx, act_dtype dtype, double a, double b,
                        int64_t n, act_tensor **out);
/* An n x m matrix with ones on the diagonal. */
act_status act_eye(act_context *ctx, act_dtype dtype, int64_t n, int64_t m,
                   act_tensor **out);

/* Random tensors. `gen` may be NULL for the context's generator. Elements
 * are drawn in row-major order, one draw each (normal: two uniforms per
 * pair of elements). Float dtypes only. */
act_status act_rand(act_context *ctx, act_dtype dtype, int ndim,
                    const int64_t *shape, act_generator *gen,
                    act_tensor **out);                 /* U[0, 1) */
act_status act_uniform(act_context *ctx, act_dtype dtype, int ndim,
                       const int64_t *shape, double a, double b,
                       act_generator *gen, act_tensor **out); /* U[a, b) */
act_status act_randn(act_context *ctx, act_dtype dtype, int ndim,
                     const int64_t *shape, act_generator *gen,
                     act_tensor **out);                /* N(0, 1) */
act_status act_normal(act_context *ctx, act_dtype dtype, int ndim,
                      const int64_t *shape, double mean, double std,
                      act_generator *gen, act_tensor **out);
/* Fills an existing float tensor in place (for initialisers). */
act_status act_uniform_(act_context *ctx, act_tensor *t, double a, double b,
                        act_generator *gen);
act_status act_normal_(act_context *ctx, act_tensor *t, double mean,
                       double std, act_generator *gen);

/* ------------------------------------------------- views (never copy) */

/* Each returns a new tensor sharing t's storage. */

/* The same elements in a new shape. One extent may be -1 (inferred). Fails
 * with ACT_E_SHAPE when the counts differ or t's strides cannot express the
 * new shape without a copy (use act_reshape). */
act_status act_view(act_context *ctx, const act_tensor *t, int ndim,
                    const int64_t *shape, act_tensor **out);
/* Like act_view, but copies into a contiguous tensor when a view is
 * impossible (as PyTorch's reshape). */
act_status act_reshape(act_context *ctx, const act_tensor *t, int ndim,
                       const int64_t *shape, act_tensor **out);
/* Swaps two dims. */
act_status act_transpose(act_context *ctx, const act_tensor *t, int d0, int d1,
                         act_tensor **out);
/* Reorders all dims: out dim i is t's dim perm[i]. */
act_status act_permute(act_context *ctx, const act_tensor *t, int ndim,
                       const int *perm, act_tensor **out);
/* The slice [start, start + length) of dim d (start may be negative). */
act_status act_narrow(act_context *ctx, const act_tensor *t, int d,
                      int64_t start, int64_t length, act_tensor **out);
/* Python-style slice of dim d: start, stop (exclusive), step > 0, each
 * clamped to the extent; negative start/stop count from the end. */
act_status act_slice(act_context *ctx, const act_tensor *t, int d,
                     int64_t start, int64_t stop, int64_t step,
                     act_tensor **out);
/* Index `index` of dim d, which disappears (negative counts from the end). */
act_status act_select(act_context *ctx, const act_tensor *t, int d,
                      int64_t index, act_tensor **out);
/* Broadcasts to `shape` (NumPy rules: dims of size 1 stretch, new dims are
 * prepended; -1 keeps an extent). Stretched dims get stride 0. */
act_status act_expand(act_context *ctx, const act_tensor *t, int ndim,
                      const int64_t *shape, act_tensor **out);
/* Removes dim d if its extent is 1 (else returns an unchanged view);
 * d = ACT_ALL_DIMS removes every extent-1 dim. */
#define ACT_ALL_DIMS (-100)
act_status act_squeeze(act_context *ctx, const act_tensor *t, int d,
                       act_tensor **out);
/* Inserts an extent-1 dim at position d (0..ndim; negative counts from the
 * end of the result). */
act_status act_unsqueeze(act_context *ctx, const act_tensor *t, int d,
                         act_tensor **out);

/* ------------------------------------------------------ copies and dtype */

/* t itself (one more reference) if contiguous, else a contiguous copy. */
act_status act_contiguous(act_context *ctx, const act_tensor *t,
                          act_tensor **out);
/* A contiguous copy with its own storage. */
act_status act_clone(act_context *ctx, const act_tensor *t, act_tensor **out);
/* A contiguous copy converted to dtype (a new copy even when equal). Float to
 * int64 truncates toward zero and fails for a non-finite or out-of-range
 * value. */
act_status act_to_dtype(act_context *ctx, const act_tensor *t, act_dtype dtype,
                        act_tensor **out);
/* Copies src into dst, broadcasting src to dst's shape and converting the
 * dtype. Overlapping storage is handled (src is read before dst is
 * written). */
act_status act_copy_(act_context *ctx, act_tensor *dst, const act_tensor *src);
/* Sets every element of dst to value. */
act_status act_fill_(act_context *ctx, act_tensor *dst, double value);

/* --------------------------------------------------------- element-wise */

/* Unary functions, y = f(x), float tensors only. */
typedef enum act_unary_op {
    ACT_UNARY_NEG = 0, /* -x */
    ACT_UNARY_ABS,     /* |x| */
    ACT_UNARY_EXP,     /* e^x */
    ACT_UNARY_LOG,     /* ln x (-inf at 0, NaN below) */
    ACT_UNARY_LOG1P,   /* ln(1 + x), accurate near 0 */
    ACT_UNARY_EXPM1,   /* e^x - 1, accurate near 0 */
    ACT_UNARY_SQRT,    /* sqrt x */
    ACT_UNARY_SIN,
    ACT_UNARY_COS,
    ACT_UNARY_TANH,
    ACT_UNARY_SIGMOID, /* 1 / (1 + e^-x), split so that no branch overflows */
    ACT_UNARY_SIGN,    /* -1, 0 or 1 */
    ACT_UNARY_COUNT
} act_unary_op;

/* Binary functions with NumPy broadcasting. The result dtype is float64 if
 * either input is float64, else float32 (int64 inputs are converted).
 * Comparisons give 1 or 0 in that dtype. */
typedef enum act_binary_op {
    ACT_BINARY_ADD = 0, /* a + b */
    ACT_BINARY_SUB,     /* a - b */
    ACT_BINARY_MUL,     /* a * b */
    ACT_BINARY_DIV,     /* a / b (IEEE: x/0 is ±inf, 0/0 NaN) */
    ACT_BINARY_POW,     /* a ^ b (C pow) */
    ACT_BINARY_MINIMUM, /* min(a, b); NaN if either is NaN */
    ACT_BINARY_MAXIMUM, /* max(a, b); NaN if either is NaN */
    ACT_BINARY_EQ,      /* a == b */
    ACT_BINARY_NE,
    ACT_BINARY_LT,
    ACT_BINARY_LE,
    ACT_BINARY_GT,
    ACT_BINARY_GE,
    ACT_BINARY_COUNT
} act_binary_op;

/* "neg", "exp", ...; "add", "sub", ... ; NULL for an invalid value. */
const char *act_unary_name(act_unary_op op);
const char *act_binary_name(act_binary_op op);

/* out = f(x), a new contiguous tensor of x's shape and dtype. */
act_status act_unary(act_context *ctx, act_unary_op op, const act_tensor *x,
                     act_tensor **out);
/* x = f(x) in place. */
act_status act_unary_(act_context *ctx, act_unary_op op, act_tensor *x);
/* out = a op b, a new tensor of the broadcast shape. */
act_status act_binary(act_context *ctx, act_binary_op op, const act_tensor *a,
                      const act_tensor *b, act_tensor **out);
/* a = a op b in place: b must broadcast to a's shape; the result is
 * converted to a's dtype. */
act_status act_binary_(act_context *ctx, act_binary_op op, act_tensor *a,
                       const act_tensor *b);
/* out = a op s and out = s op a for a number s, keeping a's dtype. */
act_status act_binary_scalar(act_context *ctx, act_binary_op op,
                             const act_tensor *a, double s, act_tensor **out);
act_status act_scalar_binary(act_context *ctx, act_binary_op op, double s,
                             const act_tensor *a, act_tensor **out);
/* a = a op s in place. */
act_status act_binary_scalar_(act_context *ctx, act_binary_op op,
                              act_tensor *a, double s);
/* min(max(x, lo), hi); pass -INFINITY or INFINITY for no bound. Fails for
 * lo > hi or a NaN bound. */
act_status act_clamp(act_context *ctx, const act_tensor *x, double lo,
                     double hi, act_tensor **out);
act_status act_clamp_(act_context *ctx, act_tensor *x, double lo, double hi);
/* cond != 0 ? a : b, the three broadcast together; the dtype is a's and b's
 * promoted as for act_binary. */
act_status act_where(act_context *ctx, const act_tensor *cond,
                     const act_tensor *a, const act_tensor *b,
                     act_tensor **out);

/* ----------------------------------------------------------- reductions */

/* Each reduces over every element (dim = ACT_ALL_DIMS, giving a rank-0
 * tensor) or along one dim, which keepdim keeps with extent 1. Float
 * tensors only; sums accumulate in double. Reducing an empty dim gives 0 for
 * sum, NaN for mean/var/std, -inf for logsumexp, and ACT_E_ARG for max, min,
 * argmax and argmin. NaN propagates through max and min. */
act_status act_sum(act_context *ctx, const act_tensor *x, int dim, bool keepdim,
                   act_tensor **out);
act_status act_mean(act_context *ctx, const act_tensor *x, int dim,
                    bool keepdim, act_tensor **out);
/* Variance and standard deviation with `correction` subtracted from the
 * count in the denominator (1: unbiased, PyTorch's default; 0: biased). */
act_status act_var(act_context *ctx, const act_tensor *x, int dim,
                   int64_t correction, bool keepdim, act_tensor **out);
act_status act_std(act_context *ctx, const act_tensor *x, int dim,
                   int64_t correction, bool keepdim, act_tensor **out);
/* log(sum(exp(x))), shifted by the maximum so that it neither overflows nor
 * underflows. */
act_status act_logsumexp(act_context *ctx, const act_tensor *x, int dim,
                         bool keepdim, act_tensor **out);
/* Values and, when `indices` is not NULL, the 0-based int64 positions of the
 * maximum (minimum); the first one on ties. With dim = ACT_ALL_DIMS the
 * index is into the row-major flattened tensor. */
act_status act_max(act_context *ctx, const act_tensor *x, int dim, bool keepdim,
                   act_tensor **values, act_tensor **indices);
act_status act_min(act_context *ctx, const act_tensor *x, int dim, bool keepdim,
                   act_tensor **values, act_tensor **indices);
act_status act_argmax(act_context *ctx, const act_tensor *x, int dim,
                      bool keepdim, act_tensor **out);
act_status act_argmin(act_context *ctx, const act_tensor *x, int dim,
                      bool keepdim, act_tensor **out);

/* --------------------------------------------------------------- matmul */

/* Matrix products, float tensors of one dtype:
 *   [n] . [n] -> []          (dot)
 *   [m,k] . [k] -> [m]       (matrix-vector)
 *   [k] . [k,n] -> [n]
 *   [m,k] . [k,n] -> [m,n]
 *   [b,m,k] . [b,k,n] -> [b,m,n], with a batch of 1 or a 2-d side broadcast;
 *   a 1-d side against a 3-d one works as in PyTorch ([k] . [b,k,n] -> [b,n]).
 * Large products go to OpenBLAS (cblas_sgemm/dgemm, gemv, dot); tiny ones run
 * in a plain loop, which is faster below 32 to 128 multiply-adds here.
 * Errors: ACT_E_SHAPE for a size mismatch or a 0-d side, ACT_E_DTYPE for
 * differing or int64 dtypes (matmul does not promote), ACT_E_UNSUPPORTED
 * above 3 dims. */
act_status act_matmul(act_context *ctx, const act_tensor *a,
                      const act_tensor *b, act_tensor **out);

/* A fully connected layer: y = x . weight^T + bias, with weight [out, in]
 * as in PyTorch and Torch7, x [*, in] (1-d, 2-d, or more leading dims,
 * which are kept: y is [*, out]) and bias [out] or NULL. Fused: the bias is
 * written into y's rows and one gemm adds the product onto them. Float
 * tensors of one dtype. Recorded for autograd: gx = gy . weight, gweight =
 * gy^T . x summed over x's leading dims, gbias = gy summed over all but its
 * last dim. Errors: ACT_E_DTYPE for an int64 tensor or differing dtypes
 * (naming both), ACT_E_SHAPE for a 0-d x, a weight that is not 2-d, x's
 * last dim differing from weight's in-features ("linear: input [4,3] and
 * weight [5,2]: input's last dim 3 ≠ weight's in-features 2"), or a bias
 * that is not [out]. */
act_status act_linear(act_context *ctx, const act_tensor *x,
                      const act_tensor *weight, const act_tensor *bias,
                      act_tensor **out);

/* ------------------------------------------------------------- indexing */

/* out[i][j][k] = x[i][index[i][j][k]][k] (for dim = 1): index has x's rank,
 * extents no larger than x's except along dim, and int64 or integral float
 * values in [0, x.size(dim)). */
act_status act_gather(act_context *ctx, const act_tensor *x, int dim,
                      const act_tensor *index, act_tensor **out);
/* The entries index[0], index[1], ... of dim `dim`; index is 1-d (int64 or
 * integral float). */
act_status act_index_select(act_context *ctx, const act_tensor *x, int dim,
                            const act_tensor *index, act_tensor **out);
/* Joins n tensors along an existing dim; the other extents must agree. A
 * list of one dtype keeps it; mixed dtypes promote as for act_binary. As in
 * PyTorch, 1-d empty tensors ([0]) are skipped; 0-d tensors are refused
 * (stack them). */
act_status act_cat(act_context *ctx, int n, const act_tensor *const *ts,
                   int dim, act_tensor **out);
/* Joins n tensors of one shape along a new dim. */
act_status act_stack(act_context *ctx, int n, const act_tensor *const *ts,
                     int dim, act_tensor **out);

/* out = index + delta as an int64 tensor of index's shape, after checking
 * that every value is an integer in [lo, hi] (ACT_E_INDEX otherwise, naming
 * the value and the range). Bindings use it to turn 1-based indices into
 * 0-based ones (delta -1) and back (delta 1, lo INT64_MIN, hi INT64_MAX). */
act_status act_index_shift(act_context *ctx, const act_tensor *index,
                           int64_t delta, int64_t lo, int64_t hi,
                           act_tensor **out);

/* ------------------------------------------------------------- autograd */

/* Reverse-mode automatic differentiation, define-by-run: while grad mode is
 * on (the default), every differentiable op whose inputs include a tensor
 * that requires grad records how to send gradients back; act_backward then
 * walks those records from a result to the leaves, accumulating into each
 * leaf's grad. In-place ops refuse tensors that require grad (while grad
 * mode is on), and a tensor saved for a backward that is later modified in
 * place makes that backward fail rather than give a wrong gradient. */

/* Marks a leaf (a tensor no op made) as needing a gradient. Float tensors
 * only; ACT_E_STATE for a non-leaf (use act_detach first). */
act_status act_tensor_set_requires_grad(act_context *ctx, act_tensor *t,
                                        bool requires_grad);
bool act_tensor_requires_grad(const act_tensor *t);
/* True for tensors no recorded op made (whether or not they require grad). */
bool act_tensor_is_leaf(const act_tensor *t);
/* The accumulated gradient of a leaf, or NULL before a backward reaches it.
 * Borrowed: owned by t. */
act_tensor *act_tensor_grad(const act_tensor *t);
/* Replaces t's gradient with grad (taking a new reference; NULL clears it).
 * ACT_E_SHAPE unless grad has t's shape. */
act_status act_tensor_set_grad(act_context *ctx, act_tensor *t,
                               act_tensor *grad);
/* The name of the op that made t ("mul", "matmul", ...), or NULL for a
 * leaf. Static storage. */
const char *act_tensor_grad_fn(const act_tensor *t);
/* A view of t's elements that no gradient flows through. */
act_status act_detach(act_context *ctx, const act_tensor *t, act_tensor **out);

bool act_grad_enabled(const act_context *ctx);
/* Turns recording on or off; returns the previous setting. */
bool act_set_grad_enabled(act_context *ctx, bool enabled);

/* Backpropagates from t: with grad NULL, t must have one element and its
 * gradient is 1; otherwise grad (t's shape) is t's gradient. Gradients
 * accumulate into the grad of every leaf that requires grad. The walk is
 * iterative, in reverse creation order. Unless retain_graph, the values
 * saved for the walk are freed, and a second backward through the same
 * graph fails with ACT_E_STATE. Errors: ACT_E_STATE when t does not
 * require grad, an op has no gradient, or a saved tensor was modified in
 * place; ACT_E_SHAPE for a grad of the wrong shape or a non-scalar t
 * without one. */
act_status act_backward(act_context *ctx, act_tensor *t, const act_tensor *grad,
                        bool retain_graph);

/* Checks the gradients of fn at inputs against float64 central
 * differences: for a fixed random weighting w of fn's output, compares
 * d(sum w*fn)/d(input) from act_backward with (f(x + eps) - f(x - eps)) /
 * 2 eps element by element, |analytic - numeric| <= atol + rtol |numeric|.
 * Inputs must be float64 leaves that require grad (others are held
 * constant). On a mismatch returns false and writes a report naming the
 * input and element into report (may be NULL). fn returns a new reference
 * or fails with a status. */
typedef act_status (*act_grad_fn)(act_context *ctx, int n,
                                  act_tensor *const *inputs, void *user,
                                  act_tensor **out);
act_status act_gradcheck(act_context *ctx, act_grad_fn fn, void *user, int n,
                         act_tensor *const *inputs, double eps, double atol,
                         double rtol, bool *passed, char *report,
                         size_t report_size);

/* ---------------------------------------------------------- activations */

/* Activation functions live in one registry: each has a descriptor saying
 * its name, parameters and defaults, where it is not differentiable and
 * what values it takes. PyTorch's formulas, defaults and conventions at
 * kinks are followed (relu'(0) = 0); inputs as large as ±1000 give no NaN
 * or Inf where the mathematics is finite. Ids are the enum below; new
 * activations are appended, so ids never change meaning.
 *
 *     act_tensor *y;
 *     double slope[1] = {0.2};
 *     act_activate(ctx, act_activation_find("leaky_relu"), x, slope, &y);
 *
 * Element-wise (p: the parameters, PyTorch's defaults in brackets):
 *   step        x > 0 ? 1 : 0 (Heaviside; its gradient is 0 everywhere)
 *   sigmoid     1 / (1 + e^-x)
 *   tanh        tanh x
 *   relu        max(0, x)
 *   relu6       min(max(0, x), 6)
 *   leaky_relu  x > 0 ? x : negative_slope x                    [0.01]
 *   rrelu       x > 0 ? x : a x, a ~ U[lower, upper] per element when
 *               training, a = (lower + upper) / 2 otherwise; the gradient is
 *               the slope used                     [1/8, 1/3, training 0]
 *   elu         x > 0 ? x : alpha (e^x - 1)                         [1]
 *   selu        scale (x > 0 ? x : alpha (e^x - 1)), PyTorch's constants
 *               alpha = 1.6732632423543772, scale = 1.0507009873554805
 *   celu        x > 0 ? x : alpha (e^(x/alpha) - 1)                 [1]
 *   gelu        x Phi(x) (approximate "none"), or with Phi(x) replaced by
 *               (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2 ("tanh")
 *   silu        x sigmoid(x) (alias swish)
 *   mish        x tanh(softplus(x))
 *   softplus    log(1 + e^(beta x)) / beta, and x where beta x > threshold
 *                                                           [beta 1, 20]
 *   softsign    x / (1 + |x|)
 *   hardtanh    min(max(x, min_val), max_val)                     [-1, 1]
 *   hardsigmoid min(max(x + 3, 0), 6) / 6
 *   hardswish   x min(max(x + 3, 0), 6) / 6
 *   logsigmoid  log sigmoid(x) = -softplus(-x)
 *   tanhshrink  x - tanh x
 *   softshrink  x > lambd ? x - lambd : x < -lambd ? x + lambd : 0  [0.5]
 *   hardshrink  |x| > lambd ? x : 0                                 [0.5]
 *   threshold   x > threshold ? x : value     [0, 0; PyTorch requires both]
 *   sine        sin x
 *   gcu         x cos x          (growing cosine unit)
 *   ncu         x - x^3          (non-monotonic cubic unit)
 *   squ         x^2 + x          (shifted quadratic unit)
 *   dsu         pi/2 (sinc(x - pi) - sinc(x + pi))  (decaying sine unit)
 *   ssu         pi sinc(x - pi)  (shifted sinc unit), sinc(z) = sin z / z,
 *               sinc(0) = 1
 * Along a dim (parameter "dim", a 0-based dim, default -1, the last):
 *   softmax     e^x_i / sum_j e^x_j, shifted by the maximum
 *   log_softmax x_i - max - log sum_j e^(x_j - max)
 *   softmin     softmax(-x)
 *   glu         a sigmoid(b), a and b the first and second half of the dim
 * With a weight tensor:
 *   prelu       x > 0 ? x : weight_c x (act_prelu)
 * At a kink the derivative is PyTorch's: 0 at the corners of relu, relu6,
 * hardtanh, hardsigmoid, threshold and the shrinks (relu'(0) = 0,
 * relu6'(6) = 0, softshrink'(±lambd) = 0); the negative side's slope for
 * leaky_relu, rrelu, prelu, elu and selu (elu'(0) = alpha);
 * hardswish'(-3) = -1/2 and hardswish'(3) = 1 (PyTorch's vectorised
 * kernel; its scalar tail gives 3/2). */
typedef enum act_activation {
    ACT_ACTIVATION_STEP = 0,
    ACT_ACTIVATION_SIGMOID,
    ACT_ACTIVATION_TANH,
    ACT_ACTIVATION_RELU,
    ACT_ACTIVATION_RELU6,
    ACT_ACTIVATION_LEAKY_RELU,
    ACT_ACTIVATION_RRELU,
    ACT_ACTIVATION_ELU,
    ACT_ACTIVATION_SELU,
    ACT_ACTIVATION_CELU,
    ACT_ACTIVATION_GELU,
    ACT_ACTIVATION_SILU,
    ACT_ACTIVATION_MISH,
    ACT_ACTIVATION_SOFTPLUS,
    ACT_ACTIVATION_SOFTSIGN,
    ACT_ACTIVATION_HARDTANH,
    ACT_ACTIVATION_HARDSIGMOID,
    ACT_ACTIVATION_HARDSWISH,
    ACT_ACTIVATION_LOGSIGMOID,
    ACT_ACTIVATION_TANHSHRINK,
    ACT_ACTIVATION_SOFTSHRINK,
    ACT_ACTIVATION_HARDSHRINK,
    ACT_ACTIVATION_THRESHOLD,
    ACT_ACTIVATION_SINE,
    ACT_ACTIVATION_GCU,
    ACT_ACTIVATION_NCU,
    ACT_ACTIVATION_SQU,
    ACT_ACTIVATION_DSU,
    ACT_ACTIVATION_SSU,
    ACT_ACTIVATION_SOFTMAX,
    ACT_ACTIVATION_LOG_SOFTMAX,
    ACT_ACTIVATION_SOFTMIN,
    ACT_ACTIVATION_GLU,
    ACT_ACTIVATION_PRELU,
    ACT_ACTIVATION_COUNT
} act_activation;

#define ACT_ACTIVATION_MAX_PARAMS 4
#define ACT_ACTIVATION_MAX_KINKS 4
#define ACT_ACTIVATION_MAX_ALIASES 2
#define ACT_PARAM_MAX_CHOICES 4

/* How a parameter's number is to be read. */
typedef enum act_param_kind {
    ACT_PARAM_NUMBER = 0, /* any number the activation accepts */
    ACT_PARAM_CHOICE,     /* 0, 1, ...: the index of one of `choices` */
    ACT_PARAM_FLAG,       /* 0 (false) or 1 (true) */
    ACT_PARAM_DIM         /* a 0-based dim, negative from the end */
} act_param_kind;

typedef struct act_activation_param {
    const char *name;  /* PyTorch's name: "negative_slope", "approximate" */
    double def;        /* the default */
    act_param_kind kind;
    const char *choices[ACT_PARAM_MAX_CHOICES]; /* CHOICE: names of 0, 1, ...;
                                                   NULL after the last */
} act_activation_param;

/* How the activation is applied. */
typedef enum act_activation_form {
    ACT_FORM_ELEMENTWISE = 0, /* y_i = f(x_i) */
    ACT_FORM_ALONG_DIM,       /* the softmax family and glu: param 0 a dim */
    ACT_FORM_WEIGHTED         /* prelu: takes a weight tensor (act_prelu) */
} act_activation_form;

/* An activation's descriptor (static storage, never freed). */
typedef struct act_activation_info {
    const char *name;    /* canonical: "silu" */
    const char *aliases[ACT_ACTIVATION_MAX_ALIASES]; /* "swish"; NULL-padded */
    const char *formula; /* one line for help texts */
    act_activation_form form;
    int nparams;
    act_activation_param params[ACT_ACTIVATION_MAX_PARAMS];
    bool derivative_from_y; /* backward saves the output, else the input */
    bool smooth;            /* infinitely differentiable on R */
    bool monotonic;         /* non-decreasing on R with default params */
} act_activation_info;

/* The number of activations (ACT_ACTIVATION_COUNT). */
int act_activation_count(void);
/* The descriptor of id, or NULL when id is out of range. */
const act_activation_info *act_activation_get(int id);
/* The id of a name or alias ("swish" finds silu), or -1. */
int act_activation_find(const char *name);
/* Up to max ids whose names are closest to an unknown `name` (Levenshtein
 * distance at most 1 + strlen(name) / 2, nearest first, ties in id order),
 * for "did you mean" messages. Returns how many were written. */
int act_activation_suggest(const char *name, int *ids, int max);
/* The index of the parameter called `name` in id's descriptor, or -1. */
int act_activation_param_index(int id, const char *name);

/* The points where the activation with these params (NULL: defaults) is
 * not differentiable, ascending, into kinks (ACT_ACTIVATION_MAX_KINKS
 * entries); returns their count (0 for an invalid id). A discontinuity
 * counts as a kink; so does softplus's switch to x at threshold / beta. */
int act_activation_kinks(int id, const double *params, double *kinks);
/* The infimum and supremum of the activation's values over R with these
 * params (NULL: defaults); ±INFINITY when unbounded. Along-dim and
 * weighted activations give their elements' range. */
void act_activation_range(int id, const double *params, double *lo,
                          double *hi);

/* Checks params (nparams numbers; NULL: the defaults) for activation id and
 * writes them, with the defaults where params is NULL, into out
 * (ACT_ACTIVATION_MAX_PARAMS entries). ACT_E_ARG names the activation and
 * the parameter: a NaN, a choice or flag out of range, hardtanh's min_val >
 * max_val, rrelu's lower > upper, celu's alpha or softplus's beta of 0, a
 * negative softshrink lambd. */
act_status act_activation_params(act_context *ctx, int id,
                                 const double *params, double *out);

/* y = f(x) for activation id with params (NULL: the defaults), a new
 * contiguous tensor of x's dtype (and shape, except glu, which halves its
 * dim). Recorded for autograd with a backward that computes
 * gx = gy * f'(x) in one pass. rrelu in training draws its slopes from
 * the context's generator (act_activate_gen takes another), one uniform per
 * element in row-major order. Errors: ACT_E_ARG for an unknown id or bad
 * params (act_activation_params) or a bad dim, ACT_E_DTYPE for a non-float
 * x, ACT_E_SHAPE for glu over an odd extent or a 0-d x; prelu is refused
 * with ACT_E_ARG (it takes a tensor: act_prelu). */
act_status act_activate(act_context *ctx, int id, const act_tensor *x,
                        const double *params, act_tensor **out);
act_status act_activate_gen(act_context *ctx, int id, const act_tensor *x,
                            const double *params, act_generator *gen,
                            act_tensor **out);

/* The softmax family along dim (negative counts from the end; a 0-d x is
 * one element, dim 0 or -1), max-shifted so that no logit overflows. */
act_status act_softmax(act_context *ctx, const act_tensor *x, int dim,
                       act_tensor **out);
act_status act_log_softmax(act_context *ctx, const act_tensor *x, int dim,
                           act_tensor **out);
act_status act_softmin(act_context *ctx, const act_tensor *x, int dim,
                       act_tensor **out);
/* Gated linear unit: x split into halves a, b along dim (an even extent),
 * out = a * sigmoid(b), with dim halved. */
act_status act_glu(act_context *ctx, const act_tensor *x, int dim,
                   act_tensor **out);
/* out = x > 0 ? x : weight_c x, where c is x's index along dim 1 (0-based)
 * and weight has 1 element (any x) or, as a 1-d tensor, x.size(1) of them
 * (x of 2 or more dims). weight has x's dtype and may require grad; its
 * gradient is sum(gy * x) over the elements with x <= 0 of its channel. */
act_status act_prelu(act_context *ctx, const act_tensor *x,
                     const act_tensor *weight, act_tensor **out);

/* ---------------------------------------------------- losses and optimizers */

/* Loss functions, fused: one pass computes every element's loss and the
 * reduction, and one pass in backward computes the gradients. PyTorch's
 * formulas, defaults and reductions are followed; arithmetic is in double
 * whatever the dtype. Inputs and targets must have the same shape: nothing
 * is broadcast (a [4,1] prediction against a [4] target is the classic
 * silent bug), except that class-index targets lack the class dim.
 *
 *     act_tensor *loss;
 *     if (act_mse_loss(ctx, y_hat, y, ACT_REDUCTION_MEAN, &loss) == ACT_OK)
 *         act_backward(ctx, loss, NULL, false);
 *
 * The result has the promoted dtype of input and target (float64 if either
 * is). With ACT_REDUCTION_NONE it is the per-element losses, of the input's
 * shape (the target's for class indices); otherwise a 0-d tensor. "mean"
 * over zero elements is NaN, as in PyTorch. Recorded for autograd: the
 * gradient flows to the input, and to a float target as well for every loss
 * but nll and class-index cross_entropy (PyTorch differentiates targets
 * too). Common errors: ACT_E_DTYPE for a non-float input or target,
 * ACT_E_SHAPE naming both shapes ("mse: input [4,1] and target [4]
 * differ"), ACT_E_ARG for a bad reduction or parameter. */
typedef enum act_reduction {
    ACT_REDUCTION_MEAN = 0, /* the sum over the number of elements */
    ACT_REDUCTION_SUM,
    ACT_REDUCTION_NONE,     /* the per-element losses */
    ACT_REDUCTION_BATCHMEAN, /* kl_div only: the sum over input's dim 0 */
    ACT_REDUCTION_COUNT
} act_reduction;

/* "mean", "sum", "none", "batchmean"; NULL for an invalid value. */
const char *act_reduction_name(act_reduction reduction);
/* Parses a reduction's name; false if unknown. */
bool act_reduction_from_name(const char *name, act_reduction *out);

/* (x - y)^2. */
act_status act_mse_loss(act_context *ctx, const act_tensor *input,
                        const act_tensor *target, act_reduction reduction,
                        act_tensor **out);
/* |x - y|; its gradient is sign(x - y), 0 where x = y. */
act_status act_l1_loss(act_context *ctx, const act_tensor *input,
                       const act_tensor *target, act_reduction reduction,
                       act_tensor **out);
/* d = x - y: |d| < beta ? d^2 / (2 beta) : |d| - beta / 2 (PyTorch's
 * SmoothL1Loss, default beta 1); beta = 0 is l1. ACT_E_ARG for beta < 0 or
 * NaN. */
act_status act_smooth_l1_loss(act_context *ctx, const act_tensor *input,
                              const act_tensor *target,
                              act_reduction reduction, double beta,
                              act_tensor **out);
/* d = x - y: |d| <= delta ? d^2 / 2 : delta (|d| - delta / 2) (default
 * delta 1). ACT_E_ARG unless delta > 0. */
act_status act_huber_loss(act_context *ctx, const act_tensor *input,
                          const act_tensor *target, act_reduction reduction,
                          double delta, act_tensor **out);
/* Binary cross entropy of probabilities p (input) against targets y:
 * -(y max(log p, -100) + (1 - y) max(log(1 - p), -100)); the clamp (as in
 * PyTorch) keeps p = 0 or 1 finite. Gradients as PyTorch's: (p - y) /
 * max(p (1 - p), 1e-12) for p, and max(log(1 - p), -100) - max(log p, -100)
 * for y. ACT_E_ARG for an input element outside [0, 1] (or NaN), naming
 * it. */
act_status act_bce_loss(act_context *ctx, const act_tensor *input,
                        const act_tensor *target, act_reduction reduction,
                        act_tensor **out);
/* The naive cost of the articles' experiments, unclamped:
 * -(y log p + (1 - y) log(1 - p)), which is NaN or inf when p reaches 0 or 1
 * (experiment E8 studies exactly that). One fused pass; its gradients are
 * the terms autograd would compose from that formula, -(y / p - (1 - y) /
 * (1 - p)) for p and log(1 - p) - log p for y, so they go NaN where the
 * composed form does. No range check. */
act_status act_bce_naive_loss(act_context *ctx, const act_tensor *input,
                              const act_tensor *target, act_reduction reduction,
                              act_tensor **out);
/* Binary cross entropy of logits x, in the stable form max(x, 0) - x y +
 * log(1 + e^-|x|) (finite for x = ±1000). pos_weight (NULL for none) weighs
 * the positive term: (1 - y) x + (1 + (pos_weight - 1) y) softplus(-x); it
 * must broadcast to the input's shape (one weight per class: shape [C]) and
 * is held constant (ACT_E_UNSUPPORTED if it requires grad while grad mode
 * is on). */
act_status act_bce_with_logits_loss(act_context *ctx, const act_tensor *input,
                                    const act_tensor *target,
                                    const act_tensor *pos_weight,
                                    act_reduction reduction, act_tensor **out);
/* Cross entropy of logits against classes: log_softmax over the class dim
 * (dim 1, or dim 0 of a 1-d input: [C], [N,C] or [N,C,d1,...]), then the
 * negative log-likelihood. The target is either
 * - class indices, 0-based, of the input's shape without the class dim
 *   ([], [N] or [N,d1,...]), int64 or integral float; an index outside
 *   [0, C) is ACT_E_INDEX naming it. The loss of one row is (1 - s) (-logp
 *   of its class) + s mean_c(-logp_c), s the label smoothing;
 * - or probabilities of the input's shape (float): -sum_c t'_c logp_c with
 *   t' = (1 - s) t + s / C.
 * "mean" divides by the number of rows (elements of the target for
 * indices). ACT_E_ARG unless 0 <= label_smoothing <= 1. */
act_status act_cross_entropy_loss(act_context *ctx, const act_tensor *input,
                                  const act_tensor *target,
                                  act_reduction reduction,
                                  double label_smoothing, act_tensor **out);
/* Negative log-likelihood of log-probabilities (input, shaped as for
 * cross_entropy) at class indices: -input[n, target[n]]. */
act_status act_nll_loss(act_context *ctx, const act_tensor *input,
                        const act_tensor *target, act_reduction reduction,
                        act_tensor **out);
/* Kullback-Leibler divergence with PyTorch's argument order: input holds
 * log-probabilities, target probabilities (log-probabilities with
 * log_target): target (log target - input), 0 where target = 0 (xlogy),
 * or e^target (target - input). ACT_REDUCTION_BATCHMEAN divides the sum by
 * input's dim 0 (the mathematically right KL per sample); "mean" divides by
 * every element, as PyTorch's. The target's gradient, log target + 1 -
 * input, is -inf where the target is 0. */
act_status act_kl_div_loss(act_context *ctx, const act_tensor *input,
                           const act_tensor *target, act_reduction reduction,
                           bool log_target, act_tensor **out);

/* Optimizers: PyTorch's update rules (torch.optim, single-tensor forms),
 * one call updating every parameter. An optimizer holds a reference to
 * each parameter and owns its state buffers, made at the parameter's first
 * step. A step writes into the parameters' data directly, whatever the
 * grad mode (parameters require grad, so ordinary in-place ops refuse
 * them), and bumps their versions, so a graph that saved a parameter
 * before the step refuses to backward through it. Parameters whose grad
 * is NULL are skipped, their step counts unchanged. Arithmetic is in
 * double; float32 and float64 parameters.
 *
 *     act_optim_options o;
 *     act_optim_defaults(ACT_OPTIM_ADAM, &o);
 *     o.lr = 1e-3;
 *     act_optimizer *opt;
 *     act_optimizer_new(ctx, ACT_OPTIM_ADAM, &o, n, params, &opt);
 *     ... act_backward(ctx, loss, NULL, false);
 *     act_optimizer_step(ctx, opt);
 *     act_optimizer_zero_grad(ctx, opt, true);
 *     ... act_optimizer_free(opt);
 *
 * With g the gradient, p the parameter, t its step count (from 1), lr the
 * learning rate and wd the weight decay:
 *   SGD      g += wd p; with momentum m: b = g at the first step, else
 *            b = m b + (1 - dampening) g; g = nesterov ? g + m b : b;
 *            p -= lr g
 *   Adam     g += wd p; m1 = b1 m1 + (1 - b1) g; m2 = b2 m2 + (1 - b2) g^2;
 *            (amsgrad: m2max = max(m2max, m2), used for m2 below)
 *            p -= lr / (1 - b1^t) m1 / (sqrt(m2) / sqrt(1 - b2^t) + eps)
 *   AdamW    p *= 1 - lr wd (decoupled decay), then Adam with wd = 0
 *   RMSprop  g += wd p; v = alpha v + (1 - alpha) g^2; centered: a = alpha
 *            a + (1 - alpha) g, d = sqrt(v - a^2) + eps, else d = sqrt(v) +
 *            eps; with momentum m: b = m b + g / d, p -= lr b; else p -= lr
 *            g / d
 *   Adagrad  g += wd p; s += g^2; p -= lr / (1 + (t - 1) lr_decay) g /
 *            (sqrt(s) + eps), s starting at initial_accumulator_value */
typedef enum act_optim_kind {
    ACT_OPTIM_SGD = 0,
    ACT_OPTIM_ADAM,
    ACT_OPTIM_ADAMW,
    ACT_OPTIM_RMSPROP,
    ACT_OPTIM_ADAGRAD,
    ACT_OPTIM_COUNT
} act_optim_kind;

/* Every kind's hyperparameters; each reads the ones it uses. */
typedef struct act_optim_options {
    double lr;           /* > 0 */
    double weight_decay; /* >= 0 */
    double momentum;     /* SGD, RMSprop: [0, 1) */
    double dampening;    /* SGD: [0, 1] */
    bool nesterov;       /* SGD: needs momentum > 0 and dampening 0 */
    double beta1, beta2; /* Adam, AdamW: [0, 1) */
    double eps;          /* Adam, AdamW, RMSprop, Adagrad: >= 0 */
    bool amsgrad;        /* Adam, AdamW */
    double alpha;        /* RMSprop: [0, 1] */
    bool centered;       /* RMSprop */
    double lr_decay;     /* Adagrad: >= 0 */
    double initial_accumulator_value; /* Adagrad: >= 0 */
} act_optim_options;

#define ACT_OPTIM_MAX_STATE 3

/* "SGD", "Adam", "AdamW", "RMSprop", "Adagrad"; NULL for an invalid value. */
const char *act_optim_name(act_optim_kind kind);
/* Parses a kind's name (as act_optim_name spells it); false if unknown. */
bool act_optim_from_name(const char *name, act_optim_kind *out);
/* PyTorch's defaults for kind: lr 1e-3 (SGD, Adam, AdamW; torch >= 2.2
 * for SGD) or 1e-2 (RMSprop, Adagrad), betas (0.9, 0.999), eps 1e-8 (1e-10
 * for Adagrad), weight decay 0 (1e-2 for AdamW), alpha 0.99, the rest 0 or
 * false. */
void act_optim_defaults(act_optim_kind kind, act_optim_options *out);
/* Checks the options kind uses: ACT_E_ARG naming the optimizer and the
 * value ("SGD: lr must be > 0, got -1") for a NaN, lr <= 0 or infinite, a
 * negative weight decay or eps, momentum outside [0, 1) (PyTorch only
 * refuses negative momentum), betas outside [0, 1), dampening or alpha
 * outside [0, 1], nesterov without momentum or with dampening, and a
 * negative lr_decay or initial accumulator. */
act_status act_optim_check(act_context *ctx, act_optim_kind kind,
                           const act_optim_options *opts);
/* The names of kind's state buffers, PyTorch's ("momentum_buffer";
 * "exp_avg", "exp_avg_sq", "max_exp_avg_sq"; "square_avg",
 * "momentum_buffer", "grad_avg"; "sum"), into names
 * (ACT_OPTIM_MAX_STATE entries); returns their count. A buffer the options
 * do not use (max_exp_avg_sq without amsgrad) is never made. */
int act_optim_state_names(act_optim_kind kind, const char **names);

typedef struct act_optimizer act_optimizer;

/* A new optimizer over params[0..n-1] (the caller keeps its references;
 * the optimizer takes its own). Errors: ACT_E_ARG for bad options
 * (act_optim_check), n < 1, a NULL or repeated parameter, or one that is
 * not a leaf; ACT_E_DTYPE for an int64 parameter; ACT_E_NOMEM. */
act_status act_optimizer_new(act_context *ctx, act_optim_kind kind,
                             const act_optim_options *opts, int n,
                             act_tensor *const *params, act_optimizer **out);
/* Frees the optimizer and its state, dropping its parameter references.
 * NULL is a no-op. */
void act_optimizer_free(act_optimizer *opt);
/* One update of every parameter that has a gradient. A gradient of another
 * dtype or layout is converted first. ACT_E_NOMEM if a state buffer cannot
 * be made (parameters updated before it keep their update). */
act_status act_optimizer_step(act_context *ctx, act_optimizer *opt);
/* Clears every parameter's gradient: to NULL with set_to_none (PyTorch's
 * default), else fills it with zeros. */
act_status act_optimizer_zero_grad(act_context *ctx, act_optimizer *opt,
                                   bool set_to_none);
act_optim_kind act_optimizer_kind(const act_optimizer *opt);
/* The options in force (borrowed). */
const act_optim_options *act_optimizer_options(const act_optimizer *opt);
double act_optimizer_lr(const act_optimizer *opt);
/* Sets the learning rate (schedulers). ACT_E_ARG for NaN, infinity or a
 * negative value; 0 is allowed, since annealing schedules reach it. */
act_status act_optimizer_set_lr(act_context *ctx, act_optimizer *opt,
                                double lr);
int act_optimizer_param_count(const act_optimizer *opt);
/* Parameter i (0-based; borrowed), or NULL out of range. */
act_tensor *act_optimizer_param(const act_optimizer *opt, int i);
/* How many steps parameter i has taken (0 out of range). */
int64_t act_optimizer_steps(const act_optimizer *opt, int i);
/* Parameter i's state buffer `slot` (an index into act_optim_state_names;
 * borrowed), or NULL before it is made or out of range. */
act_tensor *act_optimizer_state(const act_optimizer *opt, int i, int slot);
/* Restores parameter i's step count and state (a checkpoint): values[slot]
 * is copied into the buffer (made if needed; NULL leaves a buffer as it
 * is; a buffer the options do not use is ignored). ACT_E_INDEX for i out
 * of range, ACT_E_SHAPE unless each value has the parameter's shape,
 * ACT_E_ARG for a negative step count. */
act_status act_optimizer_set_state(act_context *ctx, act_optimizer *opt, int i,
                                   int64_t steps,
                                   const act_tensor *const *values);

/* Scales the gradients of params[0..n-1] (NULL gradients skipped) in place
 * so that their total norm_type-norm, taken over all of them together, is
 * at most max_norm: each is multiplied by max_norm / (total + 1e-6) when
 * that is below 1 (PyTorch's clip_grad_norm_; a NaN total scales by NaN).
 * norm_type is p > 0 or INFINITY (the largest |g|). The norm before
 * clipping goes to *total_norm (0 when no parameter has a gradient).
 * ACT_E_ARG for max_norm < 0 or NaN, norm_type <= 0 or NaN. */
act_status act_clip_grad_norm(act_context *ctx, int n,
                              act_tensor *const *params, double max_norm,
                              double norm_type, double *total_norm);

/* ------------------------------------------------------------- printing */

/* A readable rendering of t ("tensor([[1.0000, 2.0000], ...], dtype=...)"),
 * summarised with "..." beyond 1000 elements. The caller frees *out with
 * free(). */
act_status act_tensor_format(act_context *ctx, const act_tensor *t, char **out);

#ifdef __cplusplus
}
#endif
#endif /* ACT_H */
