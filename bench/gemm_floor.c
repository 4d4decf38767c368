/*
 * gemm_floor.c — the OpenBLAS floor of workload 2 (bench/mlp.lua): times
 * cblas_sgemm alone on each of the eight products one training step of the
 * 784-512-512-10 MLP makes, laid out as actlua's linear layer calls them,
 * and prints each one's time and rate and the floor of one step (their
 * sum), as "@ shape <name> <trans> <m> <n> <k> <s> <GFLOP/s>" and
 * "@ step_s <s>" lines for bench/run.lua.
 * Threads: OPENBLAS_NUM_THREADS, as for the workload itself.
 * Usage: gemm_floor [batch [seconds per shape]]
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
    const char *what;
    int ta, tb, m, n, k; /* C[m,n] = op(A)[m,k] . op(B)[k,n], row-major */
    float beta;
} shape;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static float *filled(size_t n)
{
    float *p = malloc(n * sizeof *p);
    for (size_t i = 0; p && i < n; i++)
        p[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    return p;
}

static void call(const shape *s, const float *a, const float *b, float *c)
{
    cblas_sgemm(CblasRowMajor, s->ta ? CblasTrans : CblasNoTrans,
                s->tb ? CblasTrans : CblasNoTrans, s->m, s->n, s->k, 1.0f, a,
                s->ta ? s->m : s->k, b, s->tb ? s->k : s->n, s->beta, c, s->n);
}

/* The time of one call in the fastest of 21 batches of calls (each ~1/21
 * of the budget, after a warm-up): a floor is what OpenBLAS can reach, and
 * on a shared machine load from elsewhere only ever slows a batch down. */
static double time_shape(const shape *s, double budget)
{
    enum { BATCHES = 21 };
    float *a = filled((size_t)s->m * s->k), *b = filled((size_t)s->k * s->n);
    float *c = filled((size_t)s->m * s->n);
    if (!a || !b || !c) {
        fprintf(stderr, "gemm_floor: out of memory\n");
        exit(1);
    }
    int reps = 1;
    double t0 = now();
    call(s, a, b, c);
    double one = now() - t0;
    if (one > 0)
        reps = (int)(budget / BATCHES / one) + 1;
    double times[BATCHES];
    for (int i = 0; i < BATCHES; i++) {
        t0 = now();
        for (int r = 0; r < reps; r++)
            call(s, a, b, c);
        times[i] = (now() - t0) / reps;
    }
    qsort(times, BATCHES, sizeof *times, cmp_double);
    free(a), free(b), free(c);
    return times[0];
}

int main(int argc, char **argv)
{
    int nb = argc > 1 ? atoi(argv[1]) : 128;
    double budget = argc > 2 ? atof(argv[2]) : 0.2;
    if (nb < 1 || budget <= 0) {
        fprintf(stderr, "usage: gemm_floor [batch >= 1 [seconds > 0]]\n");
        return 2;
    }
    /* linear: y = x . W^T (+ bias preloaded, beta = 1); gW = gy^T . x;
     * gx = gy . W (not for the first layer, whose input needs none). */
    const shape shapes[] = {
        {"fwd1", 0, 1, nb, 512, 784, 1}, /* 784 -> 512 */
        {"fwd2", 0, 1, nb, 512, 512, 1}, /* 512 -> 512 */
        {"fwd3", 0, 1, nb, 10, 512, 1},  /* 512 -> 10 */
        {"gW1", 1, 0, 512, 784, nb, 0},
        {"gW2", 1, 0, 512, 512, nb, 0},
        {"gW3", 1, 0, 10, 512, nb, 0},
        {"gx3", 0, 0, nb, 512, 10, 0},   /* layer 3's input gradient */
        {"gx2", 0, 0, nb, 512, 512, 0},
    };
    double step = 0;
    printf("@ openblas %s\n", openblas_get_config());
    printf("# %d threads, batch %d\n", openblas_get_num_threads(), nb);
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        const shape *s = &shapes[i];
        double t = time_shape(s, budget);
        double flops = 2.0 * s->m * s->n * s->k;
        printf("@ shape %s %c%c %d %d %d %.9f %.2f\n", s->what, s->ta ? 'T' : 'N',
               s->tb ? 'T' : 'N', s->m, s->n, s->k, t, flops / t * 1e-9);
        step += t;
    }
    printf("@ step_s %.9f\n", step);
    return 0;
}
