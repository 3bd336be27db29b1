// node --test tests/js/mirrors.test.js, with ACCELBOOK_MIRROR_REF=<json written by tests/test_mirrors_node.py>:
// the JavaScript mirrors of _ext/web/accelbook-mirrors.js against accelbook's Python values.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const M = require(path.join(__dirname, '..', '..', '_ext', 'web', 'accelbook-mirrors.js'));

const ref = JSON.parse(fs.readFileSync(process.env.ACCELBOOK_MIRROR_REF, 'utf8'));

// equal to rtol relative to the largest entry (rounding differences of cancelling components are absolute)
function close(actual, expected, rtol, what) {
  assert.strictEqual(actual.length, expected.length, what + ': length');
  const scale = expected.reduce((m, e) => Math.max(m, Math.abs(e)), 0);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    assert.ok(Math.abs(a - e) <= rtol * scale, `${what}[${i}]: ${a} vs ${e}`);
  }
}

const num = v => (typeof v === 'string' ? {inf: Infinity, '-inf': -Infinity, nan: NaN}[v] : v);

test('fmtG and fmtF format like Python', () => {
  for (const [v, p, s] of ref.fmtG) { assert.strictEqual(M.fmtG(num(v), p), s, `format(${v}, '.${p}g')`); }
  for (const [v, d, s] of ref.fmtF) { assert.strictEqual(M.fmtF(num(v), d), s, `format(${v}, '.${d}f')`); }
});

test('spectrum and blockRho equal accelbook.quadratic.spectrum and theory.block_spectral_radius', () => {
  for (const [n, kappa, lam] of ref.spectrum) { close(Array.from(M.spectrum(n, kappa)), lam, 1e-15, `spectrum(${n}, ${kappa})`); }
  for (const [z, beta, rho] of ref.blockRho) { close([M.blockRho(z, beta)], [rho], 1e-15, `blockRho(${z}, ${beta})`); }
});

test('heavyBall equals widgets.heavy_ball_explorer_data and its summary', () => {
  for (const c of ref.heavyBall) {
    const f = M.heavyBall(c.values);
    const what = JSON.stringify(c.values);
    for (const key of ['t', 'lam', 'error', 'gd_error']) { close(Array.from(f[key].v), c.data[key], 1e-12, `${what} ${key}`); }
    close(Array.from(f.per_direction.v), c.data.per_direction, 1e-12, `${what} per_direction`);
    assert.strictEqual(f.bound === null, c.data.bound === null, `${what}: bound present`);
    if (c.data.bound !== null) { close(Array.from(f.bound.v), c.data.bound, 1e-12, `${what} bound`); }
    for (const key of ['rho', 'gd_rate', 'lower']) { close([f[key]], [c.data[key]], 1e-14, `${what} ${key}`); }
    assert.strictEqual(f.c0 === null, c.data.c0 === null, `${what}: c0 present`);
    if (c.data.c0 !== null) { close([f.c0], [c.data.c0], 1e-13, `${what} c0`); }
    for (const key of ['diverged', 'iters_hb', 'iters_gd', 'message']) { assert.strictEqual(f[key], c.data[key], `${what} ${key}`); }
    assert.deepStrictEqual(f.summary, c.summary, `${what}: summary`);
  }
});

test('lrp derives the gaps and the last iterates like convex.lrp_function', () => {
  for (const c of ref.lrp) {
    const frame = M.lrp({x: {rows: c.x.length, cols: 1, n: c.x.length, stride: 1, v: Float64Array.from(c.x)}});
    close(Array.from(frame.gap.v), c.gap, 1e-15, 'gap');
    close(Array.from(frame.x_last.v), c.x.slice(-30), 0, 'x_last');
    close(Array.from(frame.f_last.v), c.gap.slice(-30), 1e-15, 'f_last');
    close(Array.from(frame.graph_f.v), c.graph_f, 1e-13, 'graph_f');
  }
});
