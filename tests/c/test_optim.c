/*
 * test_optim.c — the optimizers from C: a few steps of each against values
 * worked out by hand, parameters without a gradient skipped, float32 and
 * non-contiguous parameters, gradients of another dtype, state read and
 * restored, zero_grad, clip_grad_norm, and the errors by status and words.
 */
#include "test_support.h"

/* ------------------------------------------------------------ helpers */

static act_tensor *leaf(act_dtype dt, int n, const double *v)
{
    act_tensor *t = NULL;
    assert_int_equal(act_from_doubles(ctx, dt, 1, (int64_t[]){n}, v, &t), ACT_OK);
    assert_int_equal(act_tensor_set_requires_grad(ctx, t, true), ACT_OK);
    return t;
}

/* Sets p's gradient to g (a new tensor of p's dtype and shape). */
static void set_grad(act_tensor *p, const double *g)
{
    act_tensor *t = NULL;
    assert_int_equal(act_from_doubles(ctx, act_tensor_dtype(p), act_tensor_dim(p),
                                      act_tensor_shape(p), g, &t),
                     ACT_OK);
    assert_int_equal(act_tensor_set_grad(ctx, p, t), ACT_OK);
    act_tensor_free(t);
}

static void assert_values(act_tensor *t, const double *want, int n, double tol)
{
    double got[16];
    assert_int_equal(act_tensor_to_doubles(ctx, t, got), ACT_OK);
    for (int i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= tol * (1 + fabs(want[i])))) {
            print_error("element %d: got %.17g, want %.17g\n", i, got[i], want[i]);
            fail();
        }
}

/* Runs `steps` steps of kind/o on one parameter [1] with gradient 1 each
 * time and checks the value after each against want. */
static void run_constant(act_optim_kind kind, const act_optim_options *o,
                         act_dtype dt, int steps, const double *want, double tol)
{
    act_tensor *p = leaf(dt, 1, (double[]){1});
    act_optimizer *opt = NULL;
    assert_int_equal(act_optimizer_new(ctx, kind, o, 1, &p, &opt), ACT_OK);
    for (int s = 0; s < steps; s++) {
        set_grad(p, (double[]){1});
        assert_int_equal(act_optimizer_step(ctx, opt), ACT_OK);
        assert_values(p, &want[s], 1, tol);
    }
    assert_int_equal(act_optimizer_steps(opt, 0), steps);
    act_optimizer_free(opt);
    act_tensor_free(p);
}

/* ------------------------------------------------------------- rules */

static void test_sgd_by_hand(void **state)
{
    act_optim_options o;
    act_optim_defaults(ACT_OPTIM_SGD, &o);
    o.lr = 0.1;
    o.momentum = 0.9;
    /* b = 1, p = 0.9; b = 0.9 + 1 = 1.9, p = 0.9 - 0.19 */
    run_constant(ACT_OPTIM_SGD, &o, ACT_DTYPE_F64, 2, (double[]){0.9, 0.71}, 1e-15);
    run_constant(ACT_OPTIM_SGD, &o, ACT_DTYPE_F32, 2, (double[]){0.9, 0.71}, 1e-7);
    /* nesterov: d = 1 + 0.9 * 1, then 1 + 0.9 * 1.9 */
    o.nesterov = true;
    run_constant(ACT_OPTIM_SGD, &o, ACT_DTYPE_F64, 2, (double[]){0.81, 0.539}, 1e-15);
    /* dampening 0.5 and weight decay 0.1: d = 1 + 0.1 p */
    o.nesterov = false;
    o.dampening = 0.5;
    o.weight_decay = 0.1;
    double b1 = 1.1, p1 = 1 - 0.1 * b1, b2 = 0.9 * b1 + 0.5 * (1 + 0.1 * p1);
    run_constant(ACT_OPTIM_SGD, &o, ACT_DTYPE_F64, 2, (double[]){p1, p1 - 0.1 * b2},
                 1e-15);
}

/* The vectorised SGD-with-momentum loop (optim_rules.inc) against the rule
 * written out here one element at a time in the parameter's type, over
 * lengths around the vector widths and several steps: the same bits,
 * float32 and float64. */
static void sgd_fast_matches_plain(act_dtype dt, int n)
{
    enum { STEPS = 4 };
    double *p0 = malloc(sizeof(double) * (size_t)n * (STEPS + 1));
    double *want = malloc(sizeof(double) * (size_t)n), *got = malloc(sizeof(double) * (size_t)n);
    double *buf = calloc((size_t)n, sizeof(double));
    assert_non_null(p0), assert_non_null(want), assert_non_null(got), assert_non_null(buf);
    double *g = p0 + n;
    act_generator *gen = act_generator_new(7);
    for (int i = 0; i < n * (STEPS + 1); i++)
        p0[i] = act_generator_normal(gen);
    act_generator_free(gen);
    act_optim_options o;
    act_optim_defaults(ACT_OPTIM_SGD, &o);
    o.lr = 0.01, o.momentum = 0.9, o.dampening = 0.25;
    act_tensor *p = leaf(dt, n, p0);
    act_optimizer *opt = NULL;
    assert_int_equal(act_optimizer_new(ctx, ACT_OPTIM_SGD, &o, 1, &p, &opt), ACT_OK);
    assert_int_equal(act_tensor_to_doubles(ctx, p, want), ACT_OK); /* rounded */
    for (int s = 0; s < STEPS; s++, g += n) {
        act_tensor *gt = NULL;
        assert_int_equal(act_from_doubles(ctx, dt, 1, (int64_t[]){n}, g, &gt), ACT_OK);
        assert_int_equal(act_tensor_to_doubles(ctx, gt, g), ACT_OK); /* rounded */
        assert_int_equal(act_tensor_set_grad(ctx, p, gt), ACT_OK);
        act_tensor_free(gt);
        assert_int_equal(act_optimizer_step(ctx, opt), ACT_OK);
        for (int i = 0; i < n; i++) { /* in the parameter's type */
            if (dt == F32) {
                float b = s == 0 ? (float)g[i] : 0.9f * (float)buf[i] + 0.75f * (float)g[i];
                buf[i] = b;
                want[i] = (float)want[i] - 0.01f * b;
            } else {
                buf[i] = s == 0 ? g[i] : 0.9 * buf[i] + 0.75 * g[i];
                want[i] = want[i] - 0.01 * buf[i];
            }
        }
        assert_int_equal(act_tensor_to_doubles(ctx, p, got), ACT_OK);
        for (int i = 0; i < n; i++)
            if (got[i] != want[i]) {
                print_error("n %d step %d element %d: got %.17g, want %.17g\n",
                            n, s, i, got[i], want[i]);
                fail();
            }
    }
    act_optimizer_free(opt);
    act_tensor_free(p);
    free(p0), free(want), free(got), free(buf);
}

static void test_sgd_fast_path(void **state)
{
    static const int lengths[] = {1, 3, 4, 7, 8, 17, 1000, 4099};
    for (size_t i = 0; i < sizeof lengths / sizeof *lengths; i++) {
        sgd_fast_matches_plain(F32, lengths[i]);
        sgd_fast_matches_plain(F64, lengths[i]);
    }
}

static void test_adam_by_hand(void **state)
{
    act_optim_options o;
    act_optim_defaults(ACT_OPTIM_ADAM, &o);
    o.lr = 0.1;
    /* A constant gradient: bias correction makes every step lr / (1 + eps). */
    double u = 0.1 / (1 + 1e-8);
    run_constant(ACT_OPTIM_ADAM, &o, ACT_DTYPE_F64, 3,
                 (double[]){1 - u, 1 - 2 * u, 1 - 3 * u}, 1e-15);
    o.amsgrad = true;
    run_constant(ACT_OPTIM_ADAM, &o, ACT_DTYPE_F32, 2, (double[]){1 - u, 1 - 2 * u}, 1e-7);
    /* AdamW: p (1 - lr wd) first. */
    act_optim_defaults(ACT_OPTIM_ADAMW, &o);
    o.lr = 0.1;
    o.weight_decay = 0.5;
    double p1 = 0.95 - u;
    run_constant(ACT_OPTIM_ADAMW, &o, ACT_DTYPE_F64, 2,
                 (double[]){p1, p1 * 0.95 - u}, 1e-15);
}

static void test_rmsprop_adagrad_by_hand(void **state)
{
    act_optim_options o;
    act_optim_defaults(ACT_OPTIM_RMSPROP, &o);
    /* v = 0.01, then 0.0199; p -= 0.01 / (sqrt v + eps) */
    double p1 = 1 - 0.01 / (0.1 + 1e-8);
    double p2 = p1 - 0.01 / (sqrt(0.0199) + 1e-8);
    run_constant(ACT_OPTIM_RMSPROP, &o, ACT_DTYPE_F64, 2, (double[]){p1, p2}, 1e-15);
    /* centered: a = 0.01, d = sqrt(0.01 - 0.0001) + eps */
    o.centered = true;
    run_constant(ACT_OPTIM_RMSPROP, &o, ACT_DTYPE_F64, 1,
                 (double[]){1 - 0.01 / (sqrt(0.0099) + 1e-8)}, 1e-15);
    act_optim_defaults(ACT_OPTIM_ADAGRAD, &o);
    o.lr = 0.1;
    o.lr_decay = 0.5;
    /* s = 1, 2; clr = 0.1, then 0.1 / 1.5 */
    double q1 = 1 - 0.1 / (1 + 1e-10);
    double q2 = q1 - 0.1 / 1.5 / (sqrt(2) + 1e-10);
    run_constant(ACT_OPTIM_ADAGRAD, &o, ACT_DTYPE_F64, 2, (double[]){q1, q2}, 1e-15);
}

/* ------------------------------------------------ parameters and state */

static void test_skips_and_layouts(void **state)
{
    act_optim_options o;
    act_optim_defaults(ACT_OPTIM_ADAM, &o);
    o.lr = 0.1;
    act_tensor *a = leaf(ACT_DTYPE_F64, 2, (double[]){1, 1});
    /* A non-contiguous leaf: the transpose of a [2,2] matrix. */
    act_tensor *m = NULL, *mt = NULL;
    assert_int_equal(act_from_doubles(ctx, ACT_DTYPE_F64, 2, (int64_t[]){2, 2},
                                      (double[]){1, 2, 3, 4}, &m), ACT_OK);
    assert_int_equal(act_transpose(ctx, m, 0, 1, &mt), ACT_OK);
    assert_int_equal(act_tensor_set_requires_grad(ctx, mt, true), ACT_OK);
    act_tensor *params[2] = {a, mt};
    act_optimizer *opt = NULL;
    assert_int_equal(act_optimizer_new(ctx, ACT_OPTIM_ADAM, &o, 2, params, &opt), ACT_OK);
    /* Only mt has a gradient, of another dtype (float32). */
    act_tensor *g = NULL;
    assert_int_equal(act_ones(ctx, ACT_DTYPE_F32, 2, (int64_t[]){2, 2}, &g), ACT_OK);
    assert_int_equal(act_tensor_set_grad(ctx, mt, g), ACT_OK);
    act_tensor_free(g);
    assert_int_equal(act_optimizer_step(ctx, opt), ACT_OK);
    double u = 0.1 / (1 + 1e-8);
    assert_values(a, (double[]){1, 1}, 2, 0);
    assert_values(mt, (double[]){1 - u, 3 - u, 2 - u, 4 - u}, 4, 1e-15);
    assert_values(m, (double[]){1 - u, 2 - u, 3 - u, 4 - u}, 4, 1e-15);
    assert_int_equal(act_optimizer_steps(opt, 0), 0);
    assert_int_equal(act_optimizer_steps(opt, 1), 1);
    assert_null(act_optimizer_state(opt, 0, 0));
    assert_non_null(act_optimizer_state(opt, 1, 1));
    assert_null(act_optimizer_state(opt, 1, 2)); /* no amsgrad */
    const char *names[ACT_OPTIM_MAX_STATE];
    assert_int_equal(act_optim_state_names(ACT_OPTIM_ADAM, names), 3);
    assert_string_equal(names[1], "exp_avg_sq");
    /* zero_grad to zeros, then to NULL. */
    assert_int_equal(act_optimizer_zero_grad(ctx, opt, false), ACT_OK);
    assert_values(act_tensor_grad(mt), (double[]){0, 0, 0, 0}, 4, 0);
    assert_int_equal(act_optimizer_zero_grad(ctx, opt, true), ACT_OK);
    assert_null(act_tensor_grad(mt));
    act_optimizer_free(opt);
    act_tensor_free(a);
    act_tensor_free(mt);
    act_tensor_free(m);
}

static void test_state_restore(void **state)
{
    act_optim_options o;
    act_optim_defaults(ACT_OPTIM_SGD, &o);
    o.lr = 0.1;
    o.momentum = 0.9;
    act_tensor *p = leaf(ACT_DTYPE_F64, 1, (double[]){1});
    act_optimizer *opt = NULL;
    assert_int_equal(act_optimizer_new(ctx, ACT_OPTIM_SGD, &o, 1, &p, &opt), ACT_OK);
    /* As if one step with g = 1 had been taken: b = 1. */
    act_tensor *b = NULL;
    assert_int_equal(act_ones(ctx, ACT_DTYPE_F32, 1, (int64_t[]){1}, &b), ACT_OK);
    const act_tensor *values[ACT_OPTIM_MAX_STATE] = {b};
    assert_int_equal(act_optimizer_set_state(ctx, opt, 0, 1, values), ACT_OK);
    set_grad(p, (double[]){1});
    assert_int_equal(act_optimizer_step(ctx, opt), ACT_OK);
    assert_values(p, (double[]){1 - 0.19}, 1, 1e-15); /* b = 1.9, not a fresh 1 */
    assert_int_equal(act_optimizer_steps(opt, 0), 2);
    act_tensor *wrong = NULL;
    assert_int_equal(act_ones(ctx, ACT_DTYPE_F64, 1, (int64_t[]){2}, &wrong), ACT_OK);
    values[0] = wrong;
    assert_error(act_optimizer_set_state(ctx, opt, 0, 1, values), ACT_E_SHAPE,
                 "state 'momentum_buffer' has shape [2], but parameter 1 has [1]");
    assert_error(act_optimizer_set_state(ctx, opt, 3, 1, NULL), ACT_E_INDEX, "out of range");
    assert_int_equal(act_optimizer_set_lr(ctx, opt, 0), ACT_OK);
    assert_error(act_optimizer_set_lr(ctx, opt, -1), ACT_E_ARG, "SGD: lr must be");
    assert_true(act_optimizer_lr(opt) == 0);
    act_tensor_free(wrong);
    act_tensor_free(b);
    act_optimizer_free(opt);
    act_tensor_free(p);
}

/* ------------------------------------------------------------- errors */

static void test_option_errors(void **state)
{
    act_tensor *p = leaf(ACT_DTYPE_F32, 1, (double[]){1});
    act_optimizer *opt = NULL;
    act_optim_options o;
    act_optim_defaults(ACT_OPTIM_SGD, &o);
    o.lr = -1;
    assert_error(act_optimizer_new(ctx, ACT_OPTIM_SGD, &o, 1, &p, &opt), ACT_E_ARG,
                 "SGD: lr must be > 0, got -1");
    assert_null(opt);
    o.lr = NAN;
    assert_error(act_optim_check(ctx, ACT_OPTIM_SGD, &o), ACT_E_ARG, "got nan");
    o.lr = 0.1;
    o.momentum = 1;
    assert_error(act_optim_check(ctx, ACT_OPTIM_SGD, &o), ACT_E_ARG,
                 "momentum must be in [0, 1), got 1");
    o.momentum = 0;
    o.nesterov = true;
    assert_error(act_optim_check(ctx, ACT_OPTIM_SGD, &o), ACT_E_ARG,
                 "nesterov needs momentum > 0");
    act_optim_defaults(ACT_OPTIM_ADAM, &o);
    o.beta2 = 1;
    assert_error(act_optim_check(ctx, ACT_OPTIM_ADAM, &o), ACT_E_ARG,
                 "Adam: beta2 must be in [0, 1), got 1");
    act_optim_defaults(ACT_OPTIM_RMSPROP, &o);
    o.eps = -1;
    assert_error(act_optim_check(ctx, ACT_OPTIM_RMSPROP, &o), ACT_E_ARG,
                 "RMSprop: eps must be >= 0");
    act_optim_defaults(ACT_OPTIM_ADAGRAD, &o);
    o.initial_accumulator_value = -0.5;
    assert_error(act_optim_check(ctx, ACT_OPTIM_ADAGRAD, &o), ACT_E_ARG,
                 "initial_accumulator_value must be >= 0");
    act_tensor_free(p);
}

static void test_param_errors(void **state)
{
    act_optim_options o;
    act_optim_defaults(ACT_OPTIM_SGD, &o);
    act_tensor *p = leaf(ACT_DTYPE_F32, 1, (double[]){1}), *q = NULL, *i = NULL;
    act_optimizer *opt = NULL;
    assert_error(act_optimizer_new(ctx, ACT_OPTIM_SGD, &o, 0, &p, &opt), ACT_E_ARG,
                 "the parameter list is empty");
    act_tensor *twice[2] = {p, p};
    assert_error(act_optimizer_new(ctx, ACT_OPTIM_SGD, &o, 2, twice, &opt), ACT_E_ARG,
                 "parameter 2 is parameter 1 again");
    assert_int_equal(act_binary_scalar(ctx, ACT_BINARY_MUL, p, 2, &q), ACT_OK);
    assert_error(act_optimizer_new(ctx, ACT_OPTIM_SGD, &o, 1, &q, &opt), ACT_E_ARG,
                 "parameter 1 is not a leaf (it was made by 'mul')");
    assert_int_equal(act_zeros(ctx, ACT_DTYPE_I64, 1, (int64_t[]){2}, &i), ACT_OK);
    assert_error(act_optimizer_new(ctx, ACT_OPTIM_SGD, &o, 1, &i, &opt), ACT_E_DTYPE,
                 "parameter 1 is int64");
    assert_null(opt);
    act_optimizer_free(NULL);
    act_tensor_free(q);
    act_tensor_free(i);
    act_tensor_free(p);
}

/* ----------------------------------------------------- clip_grad_norm */

static void test_clip_grad_norm(void **state)
{
    act_tensor *a = leaf(ACT_DTYPE_F64, 2, (double[]){0, 0});
    act_tensor *b = leaf(ACT_DTYPE_F32, 1, (double[]){0});
    act_tensor *c = leaf(ACT_DTYPE_F64, 1, (double[]){0}); /* no gradient */
    set_grad(a, (double[]){3, 0});
    set_grad(b, (double[]){-4});
    act_tensor *ps[3] = {a, b, c};
    double total = 0;
    assert_int_equal(act_clip_grad_norm(ctx, 3, ps, 100, 2, &total), ACT_OK);
    assert_true(total == 5);
    assert_values(act_tensor_grad(a), (double[]){3, 0}, 2, 0);
    assert_int_equal(act_clip_grad_norm(ctx, 3, ps, 1, 2, &total), ACT_OK);
    double k = 1 / (5 + 1e-6);
    assert_values(act_tensor_grad(a), (double[]){3 * k, 0}, 2, 1e-15);
    assert_values(act_tensor_grad(b), (double[]){-4 * k}, 1, 1e-7);
    assert_int_equal(act_clip_grad_norm(ctx, 3, ps, 10, INFINITY, &total), ACT_OK);
    assert_true(fabs(total - 4 * k) < 1e-7);
    assert_int_equal(act_clip_grad_norm(ctx, 3, ps, 10, 1, &total), ACT_OK);
    assert_true(fabs(total - 7 * k) < 1e-7);
    assert_error(act_clip_grad_norm(ctx, 3, ps, -1, 2, &total), ACT_E_ARG,
                 "max_norm must be >= 0");
    assert_error(act_clip_grad_norm(ctx, 3, ps, 1, 0, &total), ACT_E_ARG,
                 "norm_type must be > 0");
    assert_int_equal(act_clip_grad_norm(ctx, 0, ps, 1, 2, &total), ACT_OK);
    assert_true(total == 0);
    act_tensor_free(a);
    act_tensor_free(b);
    act_tensor_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sgd_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sgd_fast_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_adam_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rmsprop_adagrad_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_skips_and_layouts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_restore, setup, teardown),
        cmocka_unit_test_setup_teardown(test_option_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_param_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clip_grad_norm, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
