// emu.h is included first by check.sh (-include); the kernel sources come from core-tensor's resources (-I).
#include "elementwise.cu"
#include "reduce.cu"
#include "rows.cu"
#include "index.cu"
#include "optim.cu"
#include "recurrent.cu"
#include "attention.cu"
// One C entry point per kernel for ctypes: run_<kernel>(grid_x, grid_y, block_x, <kernel parameters>).
#define UNPAREN(...) __VA_ARGS__
#define L(name, sync, PARAMS, ARGS) extern "C" void run_##name(int grid_x, int grid_y, int block_x, UNPAREN PARAMS) { run_grid(grid_x, grid_y, block_x, sync, [&] { name ARGS; }); }
L(fill, false, (float* y, int n, float v), (y, n, v))
L(scale_matrix, false, (float* c, int r, int co, int ld, float b), (c, r, co, ld, b))
L(copy_strided, false, (const float* s, float* d, Dims dd, int n), (s, d, dd, n))
L(unary, false, (int op, float p, const float* x, float* y, int n), (op, p, x, y, n))
L(unary_backward, false, (int op, float p, const float* x, const float* y, const float* gy, float* gx, int n), (op, p, x, y, gy, gx, n))
L(binary, false, (int op, float p, const float* a, const float* b, float* o, Dims d, int n), (op, p, a, b, o, d, n))
L(reduce_columns, false, (int m, const float* x, float* y, int o, int l, int i), (m, x, y, o, l, i))
L(reduce_rows, true, (int m, const float* x, float* y, int l), (m, x, y, l))
L(sum_squares_partials, true, (const float* x, int n, double* partial), (x, n, partial))
L(softmax, true, (int lg, const float* x, float* y, int c), (lg, x, y, c))
L(softmax_backward, true, (int lg, const float* y, const float* gy, float* gx, int c), (lg, y, gy, gx, c))
L(layer_norm, true, (const float* x, const float* g, const float* b, float* y, float* m, float* r, int c, float e), (x, g, b, y, m, r, c, e))
L(layer_norm_backward_input, true, (const float* x, const float* g, const float* m, const float* r, const float* gy, float* gx, int c), (x, g, m, r, gy, gx, c))
L(layer_norm_param_partials, false, (const float* x, const float* m, const float* r, const float* gy, double* pg, double* pb, int rows, int c, int ch), (x, m, r, gy, pg, pb, rows, c, ch))
L(layer_norm_param_finish, false, (const double* pg, const double* pb, float* gg, float* gb, int ch, int c), (pg, pb, gg, gb, ch, c))
L(gather_rows, false, (const float* s, int l, const int* idx, int cnt, float* d), (s, l, idx, cnt, d))
L(scatter_add_rows, false, (const float* s, int l, const int* idx, int cnt, float* d), (s, l, idx, cnt, d))
L(range_max, false, (const float* s, int c, const int* st, const int* en, int r, float* d, float* a), (s, c, st, en, r, d, a))
L(range_max_backward, false, (const float* g, const float* a, int r, int c, float* gs), (g, a, r, c, gs))
L(adamw, false, (float* p, const float* g, float gs, float* m, float* v, int n, float b1, float b2, float e, float s, float ds, float d, int db), (p, g, gs, m, v, n, b1, b2, e, s, ds, d, db))
L(gru_cell, false, (const float* xt, int xs, const float* hh, const float* h, float* hn, float* g, int r, int hd), (xt, xs, hh, h, hn, g, r, hd))
L(gru_cell_backward, false, (const float* g, const float* hh, const float* h, const float* ghn, float* gx, int gs, float* ghh, float* gh, int r, int hd), (g, hh, h, ghn, gx, gs, ghh, gh, r, hd))
L(lstm_cell, false, (const float* xt, int xs, const float* hh, const float* c, int cs, float* o, float* a, int r, int hd), (xt, xs, hh, c, cs, o, a, r, hd))
L(lstm_cell_backward, false, (const float* a, const float* c, int cs, const float* go, float* gg, float* gc, int gcs, int r, int hd), (a, c, cs, go, gg, gc, gcs, r, hd))
L(span_attention_weights, false, (const float* sc, const int* st, const int* en, int S, int H, int Ln, float* pw, float* l), (sc, st, en, S, H, Ln, pw, l))
L(span_attention_grad_scores, false, (const float* pw, const float* dp, const float* c, int S, int H, int Ln, int acc, float* gs), (pw, dp, c, S, H, Ln, acc, gs))
