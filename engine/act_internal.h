/*
 * act_internal.h — what the engine's files share and a host never sees: the
 * layout of tensors, storages, contexts and generators, the error helper,
 * and the strided iterator that every element-wise kernel runs through.
 */
#ifndef ACT_INTERNAL_H
#define ACT_INTERNAL_H

#include "act.h"

#include <stdarg.h>
#include <stdio.h>

/* The small accessors of act.h, inline for the engine's own files: a deep
 * XOR step calls them a few hundred times, and a call costs more than
 * what they do. tensor.c and context.c, which define the public
 * functions, set ACT_OUT_OF_LINE_ACCESSORS first. */
_Static_assert(ACT_DTYPE_COUNT == 3, "act_dtype_size_inline knows 3 dtypes");
static inline size_t act_dtype_size_inline(act_dtype dtype)
{
    return dtype == ACT_DTYPE_F32 ? 4 : (unsigned)dtype < ACT_DTYPE_COUNT ? 8 : 0;
}

/* Elements are addressed as storage->data + (offset + sum i*stride) * size. */
typedef struct act_storage {
    int64_t refs;
    size_t nbytes;
    void *data;
    act_context *ctx;   /* the owner (pool, live count), or NULL: not pooled */
    uint64_t version;   /* bumped by every in-place write (autograd checks) */
} act_storage;

struct act_node;

/* The fields that freeing a tensor reads come first, in one cache line:
 * a tensor is often freed long after it was made (by the Lua collector),
 * when it is no longer in cache. */
struct act_tensor {
    int64_t refs;
    act_storage *storage;
    /* autograd (autograd.h): a leaf requires grad when the user says so; a
     * non-leaf has grad_fn, the node that made it. */
    act_tensor *grad;
    struct act_node *grad_fn;
    int64_t offset;                /* in elements */
    act_dtype dtype;
    int ndim;
    bool requires_grad;
    int64_t shape[ACT_MAX_DIMS];
    int64_t strides[ACT_MAX_DIMS]; /* in elements, may be 0 (expand) */
};

struct act_generator {
    uint64_t s[4];
};

static inline void *act_tensor_data_inline(const act_tensor *t)
{
    return (char *)t->storage->data +
           t->offset * (int64_t)act_dtype_size_inline(t->dtype);
}

static inline int64_t act_tensor_numel_inline(const act_tensor *t)
{
    int64_t n = 1;
    for (int i = 0; i < t->ndim; i++)
        n *= t->shape[i];
    return n;
}

static inline bool act_tensor_is_contiguous_inline(const act_tensor *t)
{
    int64_t expected = 1;
    for (int i = t->ndim - 1; i >= 0; i--) {
        if (t->shape[i] == 0)
            return true;
        if (t->shape[i] != 1 && t->strides[i] != expected)
            return false;
        expected *= t->shape[i];
    }
    return true;
}

#ifndef ACT_OUT_OF_LINE_ACCESSORS
#define act_dtype_size(dtype) act_dtype_size_inline(dtype)
#define act_tensor_data(t) act_tensor_data_inline(t)
#define act_tensor_numel(t) act_tensor_numel_inline(t)
#define act_tensor_is_contiguous(t) act_tensor_is_contiguous_inline(t)
#endif

#define ACT_MSG_SIZE 512

/* The build targets baseline x86-64 (SSE2: two doubles a vector); the
 * hottest plain loops (the SGD update, the bias gradient's column sums, the
 * float32 activations on vector math) are also compiled for AVX2 and
 * picked at load time. Without FMA (and C11 mode keeps contraction off)
 * the results are the same bits. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define ACT_AVX2_CLONE __attribute__((target_clones("avx2", "default")))
#else
#define ACT_AVX2_CLONE
#endif

/* One free list of the context's pool (pool.c). */
#define ACT_POOL_CLASSES 15 /* 64 bytes to 1 MiB */
typedef struct act_pool_class {
    void *free;
    int count;
} act_pool_class;

/* Blocks above the largest class, kept whole for reuse (pool.c). */
#define ACT_POOL_LARGE_SLOTS 32
typedef struct act_pool_large {
    void *block[ACT_POOL_LARGE_SLOTS];
    size_t bytes[ACT_POOL_LARGE_SLOTS]; /* oldest first */
    int n;
    size_t total;
} act_pool_large;

/* A growable list of autograd nodes (the backward walk's, tape.c). */
typedef struct act_node_list {
    struct act_node **items;
    size_t n, cap;
} act_node_list;

struct act_context {
    struct act_generator gen;
    act_dtype default_dtype;
    act_status status;
    int err_arg;
    char err_fn[48];
    char err_detail[ACT_MSG_SIZE];
    char err_full[ACT_MSG_SIZE + 64];
    size_t live_bytes; /* engine bytes alive, see act_context_live_bytes */
    act_pool_class pool[ACT_POOL_CLASSES];
    act_pool_large pool_large;
    bool grad_enabled; /* autograd records ops (act_set_grad_enabled) */
    uint64_t next_seq; /* creation number of the next autograd node */
    uint64_t epoch;    /* the current backward's visit mark */
    bool simd;         /* float32 kernels use simd.h's vector math */
    /* The backward walk's lists, kept between calls (capacity only), so
     * that a training step's backward allocates none. */
    act_node_list walk_stack, walk_order;
};

/* --------------------------------------------------------------- pool */

/* A block of at least size bytes (zeroed when asked) from the context's
 * pool, or from malloc when ctx is NULL or the block is large; NULL when
 * out of memory. Give it back with act_pool_put and the same size. */
void *act_pool_get(act_context *ctx, size_t size, bool zero);
void act_pool_put(act_context *ctx, void *p, size_t size);
/* Frees every pooled block (act_context_free, act_context_empty_cache). */
void act_pool_drain(act_context *ctx);
/* Bytes of the blocks pooled now. */
size_t act_pool_bytes(const act_context *ctx);

/* ------------------------------------------------------------- errors */

/* Records a failure: `fn` is the public function's name, `arg` the 1-based
 * position of the offending argument (0 for none). Returns `status` so a
 * caller can write `return act_fail(...)`. */
act_status act_fail(act_context *ctx, act_status status, const char *fn,
                    int arg, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Writes "[4,2]" into buf (truncated with "..." if it does not fit) and
 * returns buf. */
char *act_shape_str(char *buf, size_t size, int ndim, const int64_t *shape);
#define ACT_SHAPE_BUF 160

/* Normalises a dim (negative counts from the end) against `ndim` dims;
 * returns -1 if out of range. */
static inline int act_norm_dim(int d, int ndim)
{
    if (d < 0)
        d += ndim;
    return (d >= 0 && d < ndim) ? d : -1;
}

/* Checks a dim, records the failure. */
act_status act_check_dim(act_context *ctx, const char *fn, int arg, int d,
                         int ndim, int *out);

static inline bool act_is_float(act_dtype dtype)
{
    return dtype == ACT_DTYPE_F32 || dtype == ACT_DTYPE_F64;
}

/* Fails with ACT_E_DTYPE unless t is float32 or float64. */
act_status act_require_float(act_context *ctx, const char *fn, int arg,
                             const act_tensor *t);

/* float64 if either is float64, else float32 (int64 goes to float). */
act_dtype act_promote(act_dtype a, act_dtype b);

/* ----------------------------------------------------- tensor helpers */

/* Checks rank and extents, computes the element count; ACT_E_ARG or
 * ACT_E_NOMEM (overflow) on failure, reported as `fn`'s argument `arg`. */
act_status act_check_shape(act_context *ctx, const char *fn, int arg, int ndim,
                           const int64_t *shape, int64_t *numel);

/* A new contiguous tensor with fresh storage; zeroed when `zero`. */
act_status act_tensor_alloc(act_context *ctx, const char *fn, act_dtype dtype,
                            int ndim, const int64_t *shape, bool zero,
                            act_tensor **out);

/* A new tensor header sharing t's storage, with t's geometry (the caller
 * adjusts it) and no autograd state. Fails only for lack of memory. */
act_status act_tensor_alias(act_context *ctx, const char *fn,
                            const act_tensor *t, act_tensor **out);

/* act_contiguous, act_clone and act_to_dtype without autograd recording
 * (copy.c), for the engine's own temporaries: a copy an op makes of its
 * input is not part of the graph, the op records itself with the input. */
act_status act_contiguous_nograd(act_context *ctx, const act_tensor *t,
                                 act_tensor **out);
act_status act_clone_nograd(act_context *ctx, const act_tensor *t,
                            act_tensor **out);
act_status act_to_dtype_nograd(act_context *ctx, const act_tensor *t,
                               act_dtype dtype, act_tensor **out);

/* Whether two shapes are equal. A loop rather than memcmp: shapes have a
 * few dims, and the hot paths (every gradient sent, every element-wise op)
 * compare them. */
static inline bool act_same_shape(int na, const int64_t *a, int nb,
                                  const int64_t *b)
{
    if (na != nb)
        return false;
    for (int i = 0; i < na; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

/* Row-major contiguous strides for shape. */
void act_contiguous_strides(int ndim, const int64_t *shape, int64_t *strides);

/* Element pointer for a 0-based index vector. */
static inline char *act_elem_ptr(const act_tensor *t, const int64_t *index)
{
    int64_t off = t->offset;
    for (int i = 0; i < t->ndim; i++)
        off += index[i] * t->strides[i];
    return (char *)t->storage->data + off * (int64_t)act_dtype_size(t->dtype);
}

/* Reads/writes one element at a byte address as double. */
double act_load(act_dtype dtype, const void *p);
void act_store(act_dtype dtype, void *p, double v);

/* ------------------------------------------------------- broadcasting */

/* The NumPy broadcast of two shapes into out (ACT_MAX_DIMS entries). */
act_status act_broadcast_shapes(act_context *ctx, const char *fn, int na,
                                const int64_t *sa, int nb, const int64_t *sb,
                                int *nout, int64_t *out);

/* ------------------------------------------------------- the iterator */

/* Runs a loop body over up to ACT_ITER_MAX tensors of one (broadcast)
 * shape. Dims are coalesced where every operand's strides allow, so a
 * contiguous operation becomes one inner loop over all elements. The body is
 * called once per inner row with byte pointers and element strides. */
#define ACT_ITER_MAX 4

typedef void (*act_loop_fn)(int64_t n, char *const *ptrs,
                            const int64_t *strides, const void *aux);

typedef struct act_iter {
    int ndim; /* >= 1 after act_iter_init */
    int nargs;
    int64_t shape[ACT_MAX_DIMS];
    int64_t strides[ACT_ITER_MAX][ACT_MAX_DIMS];
    char *data[ACT_ITER_MAX];
    int64_t elsize[ACT_ITER_MAX];
} act_iter;

/* Operand i is args[i], right-aligned against `shape` (ndim dims); dims it
 * lacks or has with extent 1 are broadcast (stride 0). The caller has
 * checked that every operand broadcasts to shape. */
void act_iter_init(act_iter *it, int ndim, const int64_t *shape, int nargs,
                   const act_tensor *const *args);
void act_iter_run(const act_iter *it, act_loop_fn body, const void *aux);

/* True when a and b may touch the same bytes. */
bool act_may_overlap(const act_tensor *a, const act_tensor *b);

#endif /* ACT_INTERNAL_H */
