/*
 * act.h — the actlua engine: tensors and the operations on them, in C11.
 *
 * This header is the engine's manual, with act_activations.h,
 * act_learning.h and act_expr.h, which it includes. The engine knows
 * nothing of Lua; a C host can use it alone:
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

/* Freed blocks are kept for reuse, so that a training loop allocates
 * nothing after its first steps: small ones per size class, and blocks
 * above 1 MiB up to 256 MiB in all (each new large block otherwise costs
 * the kernel a page fault per 4 KiB). Hands every kept block back to the
 * system; tensors alive are untouched. Like torch.cuda.empty_cache. */
void act_context_empty_cache(act_context *ctx);
/* Bytes of freed blocks kept for reuse (not counted as live). */
size_t act_context_cached_bytes(const act_context *ctx);

/* --------------------------------------------------------------- threads */

/* The engine's one thread pool is OpenBLAS's, used by matrix products; the
 * element-wise kernels, losses and optimizers run on the calling thread.
 * OpenBLAS keeps a single pool per process, so the count is process-wide,
 * not per context: it holds for every context in the process (and for any
 * other OpenBLAS caller in it). Until set, it is what OpenBLAS chose at
 * load time (OPENBLAS_NUM_THREADS, else one per core).
 *
 * act_set_num_threads fails with ACT_E_ARG for n < 1. OpenBLAS caps n at the
 * count it was built for (64 for Debian's); act_get_num_threads returns the
 * count in force. Two threads on a 2-core machine speed up the large
 * products of an MLP by ~1.9x; tiny products never reach the pool (they run
 * in a plain loop). Not to be called while another thread is inside a
 * product. */
act_status act_set_num_threads(act_context *ctx, int n);
int act_get_num_threads(void);

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
/* y = f(x . weight^T + bias) for an element-wise activation id with params
 * (NULL: the defaults): act_linear then act_activate, with the same values
 * and gradients, recorded as one node (one output, one backward step; the
 * activation's derivative and the layer's gradients in one go), which is
 * what a layer of a deep, narrow network mostly costs. The errors of
 * act_linear and act_activate; ACT_E_ARG as well for an activation that is
 * not element-wise, and for rrelu in training (it draws random slopes:
 * apply it on its own). */
act_status act_linear_activate(act_context *ctx, const act_tensor *x,
                               const act_tensor *weight,
                               const act_tensor *bias, int id,
                               const double *params, act_tensor **out);

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

/* ------------------------------------------------------------- printing */

/* A readable rendering of t ("tensor([[1.0000, 2.0000], ...], dtype=...)"),
 * summarised with "..." beyond 1000 elements. The caller frees *out with
 * free(). */
act_status act_tensor_format(act_context *ctx, const act_tensor *t, char **out);

#ifdef __cplusplus
}
#endif

/* The rest of the manual, one header per area. */
#include "act_activations.h"
#include "act_learning.h"
#include "act_expr.h"

#endif /* ACT_H */
