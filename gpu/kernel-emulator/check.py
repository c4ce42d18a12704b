"""Checks every CUDA kernel of core-tensor on the CPU, without a GPU: the .cu sources are compiled
as C++ against emu.h (one OS thread per CUDA thread of a block, blocks one after another) and
run through ctypes on random inputs; each result is compared with a NumPy reference written to
JavaBackend's semantics, launched the way CudaBackend launches it (same grids, same merged axes).
It validates indexing, thread/block mapping, reductions and synchronisation, not CUDA's own
math library (expf, erff, ... come from the host's libm here). Run: bash check.sh"""
import ctypes as C, numpy as np, math, sys
lib = C.CDLL(sys.argv[1] if len(sys.argv) > 1 else './libemu.so')
rng = np.random.default_rng(1)
F = C.POINTER(C.c_float); I = C.POINTER(C.c_int); D = C.POINTER(C.c_double)
class Dims(C.Structure):
    _fields_ = [('rank', C.c_int), ('shape', C.c_int * 8), ('sa', C.c_int * 8), ('sb', C.c_int * 8)]
def p(a, off=0):
    t = {np.float32: F, np.int32: I, np.float64: D}[a.dtype.type]
    return C.cast(a.ctypes.data + off * a.itemsize, t)
def dims(shape, sa, sb):
    d = Dims(); d.rank = len(shape)
    for k in range(8):
        d.shape[k] = shape[k] if k < len(shape) else 1
        d.sa[k] = sa[k] if k < len(shape) else 0
        d.sb[k] = sb[k] if k < len(shape) else 0
    return d
def blocks(n): return max(0, min(1 << 16, (n + 255) // 256))
fails = []
def close(what, exp, act, tol):
    exp = np.asarray(exp, np.float64); act = np.asarray(act, np.float64)
    both_nan = np.isnan(exp) & np.isnan(act)
    inf_ok = np.isinf(exp) & (exp == act)
    with np.errstate(invalid='ignore'):   # inf - inf where both are the same infinity
        gap = np.where(both_nan | inf_ok, 0, np.abs(exp - act) / (1 + np.abs(exp)))
    gap = np.where(np.isnan(gap), np.inf, gap)
    w = gap.max() if gap.size else 0
    print(f'{what:50s} max rel diff {w:.3g}')
    if w > tol: fails.append(what)
f32 = lambda a: np.asarray(a, np.float32)
def merge(shape, sa, sb):
    axes = []
    for k in range(len(shape)):
        if shape[k] == 1: continue
        if axes and axes[-1][1] == sa[k] * shape[k] and axes[-1][2] == sb[k] * shape[k]:
            axes[-1] = [axes[-1][0] * shape[k], sa[k], sb[k]]; continue
        axes.append([shape[k], sa[k], sb[k]])
    return [a[0] for a in axes], [a[1] for a in axes], [a[2] for a in axes]
def ref_strided(shape, off, strides):
    idx = np.zeros(shape, np.int64) + off
    for k, s in enumerate(shape):
        sh = [1] * len(shape); sh[k] = s
        idx = idx + (np.arange(s) * strides[k]).reshape(sh)
    return idx

# ---- copy
def copy(shape, ssize, soff, ss, dsize, doff, ds):
    src = f32(rng.uniform(-2, 2, ssize)); dst = f32(rng.uniform(-2, 2, dsize)); exp = dst.copy()
    n = int(np.prod(shape)) if shape else 1
    if n == 0: return
    exp[ref_strided(shape, doff, ds)] = src[ref_strided(shape, soff, ss)]
    m = merge(shape, ss, ds)
    lib.run_copy_strided(blocks(n), 1, 256, p(src, soff), p(dst, doff), dims(*m), n)
    close(f'copy {shape}', exp, dst, 0)
copy([1000], 1003, 3, [1], 1001, 1, [1])
copy([37, 53], 37*53, 0, [1, 37], 37*53, 0, [53, 1])
copy([6, 4, 5], 120, 0, [1, 30, 6], 125, 5, [20, 5, 1])
copy([4, 1000], 1000, 0, [0, 1], 4000, 0, [1000, 1])
copy([], 5, 2, [], 5, 4, [])
shape = [2, 3, 2, 3, 2, 2, 3, 2]; n = int(np.prod(shape))
cont = [int(np.prod(shape[k+1:])) for k in range(8)]; rev = [int(np.prod(shape[:k])) for k in range(8)]
copy(shape, n, 0, rev, n, 0, cont)

# ---- unary
def jerf(x):
    z = abs(x); t = 1.0 / (1.0 + 0.5 * z)
    erfc = t * math.exp(-z*z - 1.26551223 + t*(1.00002368 + t*(0.37409196 + t*(0.09678418 + t*(-0.18628806 + t*(0.27886807 + t*(-1.13520398 + t*(1.48851587 + t*(-0.82215223 + t*0.17087277)))))))))
    return 1.0 - erfc if x >= 0 else erfc - 1.0
cdf = lambda x: 0.5 * (1 + jerf(x / math.sqrt(2)))
def sig(x): return 1/(1+math.exp(-x)) if x >= 0 else math.exp(x)/(1+math.exp(x))
U = ['NEG','EXP','LOG','SQRT','TANH','SIGMOID','RELU','GELU','ABS','POW','ADD_SCALAR','MUL_SCALAR','RSUB_SCALAR','SOFTPLUS']
fwd = {'NEG': lambda x,p: -x, 'EXP': lambda x,p: math.exp(x), 'LOG': lambda x,p: math.log(x), 'SQRT': lambda x,p: math.sqrt(x),
       'TANH': lambda x,p: math.tanh(x), 'SIGMOID': lambda x,p: sig(x), 'RELU': lambda x,p: x if x > 0 else 0.0,
       'GELU': lambda x,p: x*cdf(x), 'ABS': lambda x,p: abs(x), 'POW': lambda x,p: x**p, 'ADD_SCALAR': lambda x,p: x+p,
       'MUL_SCALAR': lambda x,p: x*p, 'RSUB_SCALAR': lambda x,p: p-x, 'SOFTPLUS': lambda x,p: max(x,0)+math.log1p(math.exp(-abs(x)))}
der = {'NEG': lambda x,y,p: -1, 'EXP': lambda x,y,p: y, 'LOG': lambda x,y,p: 1/x, 'SQRT': lambda x,y,p: 0.5/y, 'TANH': lambda x,y,p: 1-y*y,
       'SIGMOID': lambda x,y,p: y*(1-y), 'RELU': lambda x,y,p: 1.0 if x > 0 else 0.0,
       'GELU': lambda x,y,p: cdf(x) + x*math.exp(-0.5*x*x)/math.sqrt(2*math.pi), 'ABS': lambda x,y,p: float(np.sign(x)),
       'POW': lambda x,y,p: p*x**(p-1), 'ADD_SCALAR': lambda x,y,p: 1, 'MUL_SCALAR': lambda x,y,p: p, 'RSUB_SCALAR': lambda x,y,p: -1,
       'SOFTPLUS': lambda x,y,p: sig(x)}
n = 1003
for op_i, op in enumerate(U):
    pp = 2.5 if op == 'POW' else 0.75
    x = f32(rng.uniform(0.05, 4, n) if op in ('LOG','SQRT','POW') else rng.uniform(-6, 6, n))
    y = np.zeros(n, np.float32)
    lib.run_unary(blocks(n), 1, 256, op_i, C.c_float(pp), p(x), p(y), n)
    exp = f32([fwd[op](float(v), np.float32(pp)) for v in x])
    close('unary ' + op, exp, y, 1e-5)
    gy = f32(rng.uniform(-2, 2, n)); gx = np.zeros(n, np.float32)
    lib.run_unary_backward(blocks(n), 1, 256, op_i, C.c_float(pp), p(x), p(exp), p(gy), p(gx), n)
    expg = f32([np.float32(g) * np.float32(der[op](float(a), float(b), float(np.float32(pp)))) for a, b, g in zip(x, exp, gy)])
    close('unaryBackward ' + op, expg, gx, 1e-5)
gx = np.zeros(n, np.float32); lib.run_unary_backward(blocks(n), 1, 256, 6, C.c_float(0), p(x), None, p(gy), p(gx), n)
close('unaryBackward RELU y=null', gy * (x > 0), gx, 0)

# ---- binary
B = ['ADD','SUB','MUL','DIV','MAX','EQ','GT','MASKED_FILL']
bf = {'ADD': np.add, 'SUB': np.subtract, 'MUL': np.multiply, 'DIV': np.divide, 'MAX': np.maximum,
      'EQ': lambda a,b: (a == b).astype(np.float32), 'GT': lambda a,b: (a > b).astype(np.float32),
      'MASKED_FILL': lambda a,b: np.where(b != 0, np.float32(-7), a)}
def binary(op_i, op, shape, asz, aoff, sa, bsz, boff, sb):
    a = f32(rng.integers(-4, 5, asz) * 0.5); b = f32(rng.integers(-4, 5, bsz) * 0.5)
    if op == 'DIV': b = f32(rng.uniform(0.5, 2, bsz))
    if op == 'MASKED_FILL': b = f32(b > 0)
    n = int(np.prod(shape)) if shape else 1
    out = f32(rng.uniform(-2, 2, n + 4)); exp = out.copy()
    if n == 0: return
    exp[4:] = bf[op](a[ref_strided(shape, aoff, sa)], b[ref_strided(shape, boff, sb)]).reshape(-1)
    m = merge(shape, sa, sb)
    lib.run_binary(blocks(n), 1, 256, op_i, C.c_float(-7), p(a, aoff), p(b, boff), p(out, 4), dims(*m), n)
    close(f'binary {op} {shape}', exp, out, 2e-6)
for i, op in enumerate(B):
    binary(i, op, [7, 33], 233, 2, [33, 1], 231, 0, [33, 1])
    binary(i, op, [7, 33], 231, 0, [33, 1], 33, 0, [0, 1])
    binary(i, op, [7, 33], 231, 0, [33, 1], 7, 0, [1, 0])
    binary(i, op, [5, 6, 4], 20, 0, [4, 0, 1], 25, 1, [0, 4, 1])
    binary(i, op, [9, 11], 99, 0, [1, 9], 99, 0, [11, 1])
    binary(i, op, [], 3, 1, [], 2, 1, [])

# ---- reduce
for is_max in (0, 1):
    for outer, ln, inner in [(3, 1000, 1), (4, 17, 33), (1, 4096, 1), (2, 0, 3), (5, 1, 1), (1, 300, 768), (6, 3, 2)]:
        x = f32(rng.uniform(-2, 2, outer*ln*inner)); y = np.zeros(outer*inner, np.float32)
        xr = x.reshape(outer, ln, inner).astype(np.float64)
        exp = (xr.max(axis=1) if ln else np.full((outer, inner), -np.inf)) if is_max else xr.sum(axis=1)
        if inner == 1: lib.run_reduce_rows(outer, 1, 256, is_max, p(x), p(y), ln)
        else: lib.run_reduce_columns(blocks(outer*inner), 1, 256, is_max, p(x), p(y), outer, ln, inner)
        close(f'reduce {"MAX" if is_max else "SUM"} [{outer},{ln},{inner}]', f32(exp.reshape(-1)), y, 1e-6)

# ---- sum of squares (gradient norms): per-block double partials, as CudaBackend.sumOfSquares launches them
for n in (1, 255, 4097, 70001):
    nb = min(256, (n + 256 * 16 - 1) // (256 * 16))
    for grid in sorted({nb, 1}):   # CudaBackend's grid, and one block striding over everything
        x = f32(rng.uniform(-2, 2, n + 3)); part = np.full(grid + 1, 7.0)   # sentinel after the partials
        lib.run_sum_squares_partials(grid, 1, 256, p(x, 3), n, p(part))
        close(f'sum_squares_partials n={n} grid={grid}', [np.sum(x[3:].astype(np.float64) ** 2), 7.0], [part[:grid].sum(), part[grid]], 1e-12)

# ---- softmax
for lg in (0, 1):
    for rows, cols in [(3, 1), (5, 1000), (2, 257), (1, 4096)]:
        x = f32(rng.uniform(-8, 8, rows*cols)).reshape(rows, cols)
        if rows > 1: x[0, :] = -np.inf; x[1, 0] = -np.inf
        y = np.zeros_like(x)
        lib.run_softmax(rows, 1, 256, lg, p(x), p(y), cols)
        exp = np.zeros_like(x, dtype=np.float64)
        for r in range(rows):
            mx = x[r].max(); mx = 0 if mx == -np.inf else mx
            e = np.exp((x[r] - np.float32(mx)).astype(np.float64)).astype(np.float32); s = e.astype(np.float64).sum()
            with np.errstate(all='ignore'):
                exp[r] = x[r] - (np.float32(math.log(s) if s > 0 else -np.inf) + np.float32(mx)) if lg else e * np.float32(0 if s == 0 else 1/s)
        close(f'{"log" if lg else ""}softmax [{rows},{cols}]', exp, y, 1e-5)
        yy = f32(rng.uniform(-1, 0, rows*cols) if lg else rng.uniform(0, 1, rows*cols)).reshape(rows, cols)
        gy = f32(rng.uniform(-2, 2, rows*cols)).reshape(rows, cols); gx = np.zeros_like(gy)
        lib.run_softmax_backward(rows, 1, 256, lg, p(yy), p(gy), p(gx), cols)
        if lg: dot = gy.astype(np.float64).sum(1, keepdims=True); e = gy - np.exp(yy.astype(np.float64)) * dot
        else: dot = (gy*yy).astype(np.float64).sum(1, keepdims=True); e = yy * (gy - dot)
        close(f'{"log" if lg else ""}softmax backward [{rows},{cols}]', e, gx, 1e-5)

# ---- layer norm
for rows, cols in [(4, 1), (6, 1000), (3, 768), (100, 33), (1, 1), (70, 5), (300, 3)]:
    x = f32(rng.uniform(-3, 5, rows*cols)).reshape(rows, cols); g = f32(rng.uniform(-2, 2, cols)); b = f32(rng.uniform(-2, 2, cols))
    y = np.zeros_like(x); mean = np.zeros(rows, np.float32); rstd = np.zeros(rows, np.float32)
    lib.run_layer_norm(rows, 1, 256, p(x), p(g), p(b), p(y), p(mean), p(rstd), cols, C.c_float(1e-5))
    xd = x.astype(np.float64); mu = xd.mean(1, keepdims=True); var = ((xd - mu)**2).mean(1, keepdims=True); inv = 1/np.sqrt(var + np.float32(1e-5))
    close(f'layerNorm y [{rows},{cols}]', f32((xd - mu) * inv) * g + b, y, 1e-5)
    close(f'layerNorm mean/rstd [{rows},{cols}]', np.r_[mu[:,0], inv[:,0]], np.r_[mean, rstd], 1e-6)
    m = f32(mu[:, 0]); r = f32(inv[:, 0])
    gy = f32(rng.uniform(-2, 2, rows*cols)).reshape(rows, cols); gx = np.zeros_like(gy)
    lib.run_layer_norm_backward_input(rows, 1, 256, p(x), p(g), p(m), p(r), p(gy), p(gx), cols)
    gg_ = (gy * g).astype(np.float64); xh = ((x - m[:, None]) * r[:, None]).astype(np.float64)
    mg = gg_.mean(1, keepdims=True); mgx = (gg_ * xh).mean(1, keepdims=True)
    close(f'layerNorm gx [{rows},{cols}]', r[:, None] * (gg_ - mg - xh * mgx), gx, 1e-5)
    chunk = max(32, (rows + 65534) // 65535); chunks = (rows + chunk - 1) // chunk
    pg = np.zeros(chunks*cols, np.float64); pb = np.zeros(chunks*cols, np.float64)
    ggam = f32(rng.uniform(-1, 1, cols)); gbet = f32(rng.uniform(-1, 1, cols)); e_gg = ggam.astype(np.float64).copy(); e_gb = gbet.astype(np.float64).copy()
    cb = (cols + 255) // 256
    lib.run_layer_norm_param_partials(cb, chunks, 256, p(x), p(m), p(r), p(gy), p(pg), p(pb), rows, cols, chunk)
    lib.run_layer_norm_param_finish(cb, 1, 256, p(pg), p(pb), p(ggam), p(gbet), chunks, cols)
    e_gg += (gy * f32((x - m[:, None]) * r[:, None])).astype(np.float64).sum(0); e_gb += gy.astype(np.float64).sum(0)
    close(f'layerNorm ggamma/gbeta [{rows},{cols}]', np.r_[e_gg, e_gb], np.r_[ggam, gbet], 1e-5)

# ---- indexing
for L in (7, 1, 1000):
    src = f32(rng.uniform(-2, 2, 10*L)); idx = np.array([3, 0, 9, 3, 3, 5], np.int32); dst = np.zeros(6*L, np.float32)
    lib.run_gather_rows(blocks(6*L), 1, 256, p(src), L, p(idx), 6, p(dst))
    close(f'gatherRows L={L}', src.reshape(10, L)[idx].reshape(-1), dst, 0)
    into = f32(rng.uniform(-2, 2, 10*L)); exp = into.reshape(10, L).astype(np.float64).copy(); frm = f32(rng.uniform(-2, 2, 6*L))
    np.add.at(exp, idx, frm.reshape(6, L))
    lib.run_scatter_add_rows(blocks(6*L), 1, 256, p(frm), L, p(idx), 6, p(into))
    close(f'scatterAddRows L={L}', exp.reshape(-1), into, 1e-6)
rows, cols = 20, 9
st = np.array([0, 4, 7, 19, 3, 12, 0], np.int32); en = np.array([20, 5, 7, 20, 11, 10, 1], np.int32)
src = f32(rng.integers(-4, 5, rows*cols) * 0.5).reshape(rows, cols)
dst = np.zeros(7*cols, np.float32); am = np.zeros(7*cols, np.float32)
lib.run_range_max(blocks(7*cols), 1, 256, p(src), cols, p(st), p(en), 7, p(dst), p(am))
ed = np.zeros((7, cols)); ea = np.full((7, cols), -1.0)
for r in range(7):
    if en[r] > st[r]:
        seg = src[st[r]:en[r]]; ed[r] = seg.max(0); ea[r] = st[r] + seg.argmax(0)
close('rangeMax values', ed.reshape(-1), dst, 0); close('rangeMax argmax', ea.reshape(-1), am, 0)
gd = f32(rng.uniform(-2, 2, 7*cols)); gs = f32(rng.uniform(-2, 2, rows*cols)); egs = gs.astype(np.float64).reshape(rows, cols).copy()
for r in range(7):
    for c in range(cols):
        t = int(ea[r, c])
        if t >= 0: egs[t, c] += gd[r*cols + c]
lib.run_range_max_backward(blocks(7*cols), 1, 256, p(gd), p(am), 7, cols, p(gs))
close('rangeMaxBackward', egs.reshape(-1), gs, 1e-6)

# ---- adamw, scale, fill
# JavaBackend.adamw: g' = g * grad_scale (clipping folded in), then
#   m = b1 m + (1 - b1) g';  v = b2 v + (1 - b2) g'^2;  p = (p keep - step m / (ds sqrt(v) + eps)) keepAfter
# with (keep, keepAfter) = (1 - decay, 1) when decaying before the update, else (1, 1 - decay).
for before, grad_scale in ((1, 1.0), (0, 1.0), (1, 0.37), (0, 0.37)):
    n = 1001; P = f32(rng.uniform(-2, 2, n)); G = f32(rng.uniform(-2, 2, n)); M = f32(rng.uniform(-.1, .1, n)); V = f32(rng.uniform(0, .1, n))
    G0 = G.copy()
    b1, b2, eps, ss, ds, dec, gsc = map(np.float32, (0.9, 0.999, 1e-8, 1e-3, 1.01, 1e-4, grad_scale))
    keep, keep_after = (np.float32(1) - dec, np.float32(1)) if before else (np.float32(1), np.float32(1) - dec)
    g = G * gsc
    eM = b1 * M + (np.float32(1) - b1) * g; eV = b2 * V + (np.float32(1) - b2) * g * g
    eP = (P * keep - ss * eM / (ds * np.sqrt(eV) + eps)) * keep_after
    lib.run_adamw(blocks(n), 1, 256, p(P), p(G), C.c_float(gsc), p(M), p(V), n, *[C.c_float(v) for v in (b1, b2, eps, ss, ds, dec)], before)
    close(f'adamw before={before} grad_scale={grad_scale}', np.r_[eP, eM, eV, G0], np.r_[P, M, V, G], 1e-6)
c = f32(rng.uniform(-2, 2, 5*8)); e = c.copy().reshape(5, 8); e[:, :6] *= np.float32(0.5)
lib.run_scale_matrix(blocks(30), 1, 256, p(c), 5, 6, 8, C.c_float(0.5)); close('scale_matrix', e.reshape(-1), c, 0)
c = f32(np.full(40, np.nan)); e = c.copy().reshape(5, 8); e[:, :6] = 0
lib.run_scale_matrix(blocks(30), 1, 256, p(c), 5, 6, 8, C.c_float(0)); close('scale_matrix beta=0 over NaN', e.reshape(-1), c, 0)
y = np.zeros(1010, np.float32); lib.run_fill(blocks(1000), 1, 256, p(y, 5), 1000, C.c_float(0.25)); e = np.zeros(1010); e[5:1005] = 0.25
close('fill', e, y, 0)

# ---- recurrent cells (CudaBackend: one grid-stride launch over rows * hidden, 256 threads a block)
# xt is one direction's half of a bidirectional projection: rows of stride xt_stride > gates * H,
# starting at an offset; hh, h, c and the incoming gradients start at offsets too, outputs at 0.
# Outputs get a tail of sentinels that must survive (no writes past the end).
sigm = lambda x: 1 / (1 + np.exp(-x))
PAD = 3
def padded(n): return f32(np.full(n + PAD, 7.0))
def with_tail(e): return np.r_[np.asarray(e, np.float64).reshape(-1), np.full(PAD, 7.0)]
def cell_inputs(rows, hidden, gates):
    gh = gates * hidden; stride = 2 * gh + 5; xoff = gh
    xt = f32(rng.uniform(-3, 3, rows * stride)); hh = f32(rng.uniform(-3, 3, 7 + rows * gh)); st = f32(rng.uniform(-2, 2, 3 + rows * hidden))

    x = np.stack([xt[xoff + r * stride: xoff + r * stride + gh] for r in range(rows)]).astype(np.float64)
    return xt, xoff, stride, x, hh, hh[7:].reshape(rows, gh).astype(np.float64), st, st[3:].reshape(rows, hidden).astype(np.float64)
def grid_variants(n):
    # CudaBackend's grid, and a single block (the grid-stride loop, as past the 65536-block cap)
    return [(blocks(n), 'grid'), (1, 'one block')] if n > 256 else [(blocks(n), 'grid')]
for rows, hidden in [(5, 37), (9, 70), (1, 1), (3, 300)]:
    H = hidden; n = rows * H
    for gx, how in grid_variants(n):
        tag = f'[{rows},{H}] {how}'
        # GRU: r = sig(xr + hr), z = sig(xz + hz), n = tanh(xn + r hn), h' = n + z (h - n)
        xt, xoff, stride, x, hh, a, hbuf, h = cell_inputs(rows, H, 3)
        r = sigm(x[:, :H] + a[:, :H]); z = sigm(x[:, H:2*H] + a[:, H:2*H]); nn = np.tanh(x[:, 2*H:] + r * a[:, 2*H:])
        hn_e = nn + z * (h - nn); gates_e = np.concatenate([r, z, nn], 1)
        hn = padded(n); gates = padded(3 * n)
        lib.run_gru_cell(gx, 1, 256, p(xt, xoff), stride, p(hh, 7), p(hbuf, 3), p(hn), p(gates), rows, H)
        close(f'gruCell h\' {tag}', with_tail(hn_e), hn, 1e-5); close(f'gruCell gates {tag}', with_tail(gates_e), gates, 1e-5)
        # backward from the forward's gates, d h' = g (at an offset): h' is linear in n, z, h; n's pre-activation
        # is xn + r hn, so d xn = d pre_n, d hn = d pre_n r, d r = d pre_n hn; then through the sigmoids.
        gbuf = f32(rng.uniform(-2, 2, 11 + n)); g = gbuf[11:].reshape(rows, H).astype(np.float64)
        G3 = gates[:3 * n].reshape(rows, 3 * H).astype(np.float64); r, z, nn = G3[:, :H], G3[:, H:2*H], G3[:, 2*H:]
        d_pre_n = g * (1 - z) * (1 - nn * nn); d_pre_r = d_pre_n * a[:, 2*H:] * r * (1 - r); d_pre_z = g * (h - nn) * z * (1 - z)
        # gxt rows at a stride of 3H + 5 (a row of a whole sequence's gradient): the gaps keep their sentinel
        gstride = 3 * H + 5
        gxt = padded(rows * gstride); ghh = padded(3 * n); gh = padded(n)
        lib.run_gru_cell_backward(gx, 1, 256, p(gates), p(hh, 7), p(hbuf, 3), p(gbuf, 11), p(gxt), gstride, p(ghh), p(gh), rows, H)
        e_gxt = np.full((rows, gstride), 7.0); e_gxt[:, :3 * H] = np.concatenate([d_pre_r, d_pre_z, d_pre_n], 1)
        close(f'gruCellBackward gxt {tag}', with_tail(e_gxt), gxt, 1e-5)
        close(f'gruCellBackward ghh {tag}', with_tail(np.concatenate([d_pre_r, d_pre_z, d_pre_n * r], 1)), ghh, 1e-5)
        close(f'gruCellBackward gh {tag}', with_tail(g * z), gh, 1e-5)
        # LSTM: [i f g o] = xt + hh; c' = f c + i g; h' = o tanh c'; out = [h', c'], act = [i, f, g, o, tanh c']
        xt, xoff, stride, x, hh, a, _, _ = cell_inputs(rows, H, 4)
        # c read at a row stride of 2H (the c half of a sequence's (h, c) slot), from offset 3
        cstride = 2 * H; cbuf = f32(rng.uniform(-2, 2, 3 + rows * cstride)); c = cbuf[3:].reshape(rows, cstride)[:, :H].astype(np.float64)
        pre = x + a; i_, f_, g_, o_ = sigm(pre[:, :H]), sigm(pre[:, H:2*H]), np.tanh(pre[:, 2*H:3*H]), sigm(pre[:, 3*H:])
        cn = f_ * c + i_ * g_; tc = np.tanh(cn)
        out = padded(2 * n); act = padded(5 * n)
        lib.run_lstm_cell(gx, 1, 256, p(xt, xoff), stride, p(hh, 7), p(cbuf, 3), cstride, p(out), p(act), rows, H)
        close(f'lstmCell out {tag}', with_tail(np.concatenate([o_ * tc, cn], 1)), out, 1e-5)
        close(f'lstmCell act {tag}', with_tail(np.concatenate([i_, f_, g_, o_, tc], 1)), act, 1e-5)
        # backward from the forward's act, (d h', d c') at an offset: d c'_total = d c' + d h' o (1 - tanh^2 c')
        gobuf = f32(rng.uniform(-2, 2, 5 + 2 * n)); go = gobuf[5:].reshape(rows, 2 * H).astype(np.float64)
        A = act[:5 * n].reshape(rows, 5 * H).astype(np.float64); i_, f_, g_, o_, tc = (A[:, k*H:(k+1)*H] for k in range(5))
        dh = go[:, :H]; dc = go[:, H:] + dh * o_ * (1 - tc * tc)
        e_gg = np.concatenate([dc * g_ * i_ * (1 - i_), dc * c * f_ * (1 - f_), dc * i_ * (1 - g_ * g_), dh * tc * o_ * (1 - o_)], 1)
        # gc written at a row stride of 2H + 3 (into a carry's c half): the gaps keep their sentinel
        gcstride = 2 * H + 3
        gg = padded(4 * n); gc = padded(rows * gcstride)
        lib.run_lstm_cell_backward(gx, 1, 256, p(act), p(cbuf, 3), cstride, p(gobuf, 5), p(gg), p(gc), gcstride, rows, H)
        e_gc = np.full((rows, gcstride), 7.0); e_gc[:, :H] = dc * f_
        close(f'lstmCellBackward gGates {tag}', with_tail(e_gg), gg, 1e-5); close(f'lstmCellBackward gc {tag}', with_tail(e_gc), gc, 1e-5)

# ---- span-hidden attention (attention.cu; SpanAttentionByProducts' two kernels, each a grid-stride
# launch of 256 threads a block over spans*len*heads resp. heads*len*len elements).
# Reference in float64: span s hides keys start_s <= j < end_s, the others are visible;
#   lse[s,h,t]   = log sum_{j visible} exp(scores[h,t,j])   (-inf when no visible key is finite)
#   p[s,t,h,j]   = exp(scores[h,t,j] - lse[s,h,t]) on visible keys, else 0 (all 0 when lse is -inf)
#   g[h,t,j]   (+)= sum_s p[s,t,h,j] (dp[s,t,h,j] - c[s,t,h]),   c[s,t,h] = sum_j p dp
# The kernel's p comes from its float32 lse: with scores near 60 that rounding (2^-24 |lse|) moves p
# by ~4e-6 relative, inside the 1e-5 tolerance.
def attention_weights_ref(scores, st, en):                                                      # -> p [S,L,H,L], lse [S,H,L]
    Ln = scores.shape[1]
    vis = np.array([[j < a or j >= b for j in range(Ln)] for a, b in zip(st, en)])                # [S, L]
    masked = np.where(vis[:, None, None, :], scores[None], -np.inf)                              # [S, H, L, L]
    m = masked.max(-1, keepdims=True); m_ok = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide='ignore'):
        lse = np.log(np.exp(masked - m_ok).sum(-1, keepdims=True)) + m_ok                        # [S, H, L, 1]
    ok = np.isfinite(lse)
    p = np.where(ok, np.exp(masked - np.where(ok, lse, 0)), 0)                                   # [S, H, L, L]
    return p.transpose(0, 2, 1, 3), lse[..., 0]
def span_attention(what, H, Ln, st, en, sc_fn=None):
    S = len(st); st = np.array(st, np.int32); en = np.array(en, np.int32)
    sc = f32(rng.uniform(-3, 3, 5 + H * Ln * Ln)); s3 = sc[5:].reshape(H, Ln, Ln)
    if sc_fn: sc_fn(s3)
    e_p, e_lse = attention_weights_ref(s3.astype(np.float64), st, en)
    n_w = S * Ln * H; n_g = H * Ln * Ln
    for one_block in (False, True):
        if one_block and max(n_w, n_g) <= 256: continue   # one block is already the grid
        grid = (lambda n: 1) if one_block else blocks
        tag = f'{what} {"one block" if one_block else "grid"}'
        pw = padded(n_w * Ln); lse = padded(n_w)
        lib.run_span_attention_weights(grid(n_w), 1, 256, p(sc, 5), p(st), p(en), S, H, Ln, p(pw), p(lse))
        close(f'spanAttention lse {tag}', with_tail(e_lse), lse, 1e-6)
        close(f'spanAttention p {tag}', with_tail(e_p), pw, 1e-5)
        # backward from the kernel's own p (zeros where they belong), random dp, c = sum_j p dp
        P = pw[:n_w * Ln].reshape(S, Ln, H, Ln); dpb = f32(rng.uniform(-2, 2, 4 + n_w * Ln)); dp = dpb[4:].reshape(S, Ln, H, Ln)
        cb = f32(np.r_[np.zeros(2), (P.astype(np.float64) * dp).sum(-1).reshape(-1)]); c = cb[2:].reshape(S, Ln, H)
        e_g = (P.astype(np.float64) * (dp.astype(np.float64) - c[..., None])).sum(0).transpose(1, 0, 2)   # [H, L, L]
        g = padded(n_g)
        lib.run_span_attention_grad_scores(grid(n_g), 1, 256, p(P), p(dpb, 4), p(cb, 2), S, H, Ln, 0, p(g))
        close(f'spanAttention gScores {tag}', with_tail(e_g), g, 1e-5)
        g = f32(np.r_[rng.uniform(-2, 2, n_g), np.full(PAD, 7.0)]); e_acc = g[:n_g].astype(np.float64).reshape(H, Ln, Ln) + e_g
        lib.run_span_attention_grad_scores(grid(n_g), 1, 256, p(P), p(dpb, 4), p(cb, 2), S, H, Ln, 1, p(g))
        close(f'spanAttention gScores accumulate {tag}', with_tail(e_acc), g, 1e-5)
def hidden_outscore(s3):
    # keys 2..4 score 60 above the others: spans hiding exactly them (or part of them) see e^-60 of the
    # row's mass under the row's max; the others see the boosted keys
    s3[:, :, 2:5] += 60
def unseeable_rows(s3):
    # row (h 0, t 1) is -inf outside keys 2..4: a span hiding exactly them sees only -inf; row (h 1, t 4)
    # is -inf everywhere (every span sees nothing finite); key 6 is -inf in every row (a padding key)
    s3[0, 1, [0, 1, 5, 6, 7]] = -np.inf; s3[1, 4, :] = -np.inf; s3[:, :, 6] = -np.inf
span_attention('H=3 L=7 S=6', 3, 7, [0, 2, 6, 3, 0, 1], [7, 3, 7, 5, 1, 6])
span_attention('H=2 L=6 S=6 length-1 spans', 2, 6, [0, 1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6])
span_attention('H=1 L=1 S=2 all hidden', 1, 1, [0, 0], [1, 1])
span_attention('H=3 L=7 S=6 hidden +60', 3, 7, [2, 1, 2, 3, 0, 2], [5, 5, 6, 4, 7, 3], hidden_outscore)
span_attention('H=2 L=8 S=5 -inf rows', 2, 8, [2, 0, 5, 0, 3], [5, 2, 8, 8, 4], unseeable_rows)
span_attention('H=4 L=37 S=23', 4, 37, *[list(t) for t in zip(*[sorted(rng.choice(38, 2, replace=False)) for _ in range(23)])])
print('FAILED:' if fails else 'ALL OK', fails)
sys.exit(1 if fails else 0)
