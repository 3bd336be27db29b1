/* accelbook-mirrors.js: the few accelbook functions the in-page explorers recompute in the browser.
 *
 * Each function mirrors one Python function line by line (same operations in the same order, float64),
 * and tests/test_mirrors_node.py checks it against accelbook with `node --test`:
 *   fmtG, fmtF           Python's format(v, ".{p}g") / format(v, ".{d}f")   (accelbook.explorer.format_value)
 *   spectrum             accelbook.quadratic.spectrum (log spacing)
 *   blockRho             accelbook.theory.block_spectral_radius
 *   heavyBall            accelbook.widgets.heavy_ball_explorer_data + heavy_ball_summary (Chapter 1)
 *   lrpF, lrp            accelbook.convex.lrp_function; the keys the Chapter 2 page derives from stored iterates
 * Loaded as a plain script in the page (window.accelbookMirrors) and with require() in node.
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) { module.exports = factory(); }
  else { root.accelbookMirrors = factory(); }
}(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  // ------------------------------------------------------------------ number formatting (Python's)
  function special(v) {
    if (Number.isNaN(v)) { return 'nan'; }
    if (!Number.isFinite(v)) { return v > 0 ? 'inf' : '-inf'; }
    return null;
  }

  function strip(s) {
    return s.indexOf('.') < 0 ? s : s.replace(/0+$/, '').replace(/\.$/, '');
  }

  /** format(v, '.{p}g') */
  function fmtG(v, p) {
    const s = special(v);
    if (s !== null) { return s; }
    if (p === 0) { p = 1; }
    if (v === 0) { return Object.is(v, -0) ? '-0' : '0'; }
    const e = v.toExponential(p - 1);                 // d.ddde+X, rounded to p significant digits
    const exp = parseInt(e.slice(e.indexOf('e') + 1), 10);
    if (exp < -4 || exp >= p) {
      const mant = strip(e.slice(0, e.indexOf('e')));
      const sign = exp < 0 ? '-' : '+';
      const digits = String(Math.abs(exp));
      return mant + 'e' + sign + (digits.length < 2 ? '0' + digits : digits);
    }
    return strip(v.toFixed(p - 1 - exp));
  }

  /** format(v, '.{d}f') */
  function fmtF(v, d) {
    const s = special(v);
    if (s !== null) { return s; }
    return v.toFixed(d);
  }

  // ------------------------------------------------------------------ quadratics (Chapter 1)
  /** numpy.logspace(0, log10(kappa), n): 10 ** (i * step), the last exponent exactly log10(kappa) */
  function spectrum(n, kappa) {
    const stop = Math.log10(kappa);
    const step = stop / (n - 1);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) { out[i] = Math.pow(10, i === n - 1 ? stop : i * step); }
    return out;
  }

  /** the largest modulus of the roots of x^2 - (1 + beta - z) x + beta */
  function blockRho(z, beta) {
    const b = 1 + beta - z;
    const disc = b * b - 4 * beta;
    if (disc >= 0) {
      const r = Math.sqrt(Math.abs(disc));
      return Math.max(Math.abs(b + r), Math.abs(b - r)) / 2;
    }
    return Math.sqrt(beta);
  }

  const GROWTH_CAP = 1e100;

  /** widgets._finite_errors: quadratic.eigen_errors over the longest of t_max, t_max // 2, ... steps that
   *  does not overflow, cut before the first row with a component beyond GROWTH_CAP;
   *  rows[t][i] = e_{t,i}, e_{t+1} = (1 + beta - z) e_t - beta e_{t-1}, e_{-1} = e_0 */
  function eigenErrors(z, beta, e0, tMax) {
    const n = z.length;
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) { a[i] = 1.0 + beta - z[i]; }
    const rows = [Float64Array.from(e0)];
    let prev = Float64Array.from(e0), cur = Float64Array.from(e0), firstBad = Infinity;
    for (let t = 0; t < tMax && firstBad === Infinity; t++) {
      const next = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        next[i] = a[i] * cur[i] - beta * prev[i];
        if (!Number.isFinite(next[i])) { firstBad = t + 1; }
      }
      prev = cur; cur = next; rows.push(next);
    }
    let keep = tMax;
    while (keep >= firstBad) { keep = Math.floor(keep / 2); }
    let k = 0;                                   // cut before the first row beyond GROWTH_CAP
    while (k <= keep && rows[k].every(v => Math.abs(v) <= GROWTH_CAP)) { k++; }
    return rows.slice(0, k);
  }

  function norm(row) {
    let s = 0;
    for (let i = 0; i < row.length; i++) { s += row[i] * row[i]; }
    return Math.sqrt(s);
  }

  /* theory.critical_damping_beta and theory.h, evaluated as accelbook does (cancellation-free forms,
   * compensated sums with a double-double square root), so the mirror agrees at the boundary too. */
  function criticalDampingBeta(z) { const q = (1.0 - z) / (1.0 + Math.sqrt(z)); return q * q; }
  function twoSum(a, b) { const s = a + b, bb = s - a; return [s, (a - (s - bb)) + (b - bb)]; }
  function split(a) { const c = 134217729.0 * a, hi = c - (c - a); return [hi, a - hi]; }
  function sqrtDouble(z) {
    const r = Math.sqrt(z), p = r * r, [rh, rl] = split(r);
    const q = ((rh * rh - p) + 2 * rh * rl) + rl * rl;
    return [r, r > 0 ? ((z - p) - q) / (2 * r) : 0.0];
  }
  function compensatedSum(terms) {
    let total = 0.0, carry = 0.0;
    for (const x of terms) { const [s, err] = twoSum(total, x); total = s; carry += err; }
    return total + carry;
  }
  function h(beta, z) {
    const [r, e] = sqrtDouble(z);
    return compensatedSum([beta, -1.0, -z, 2 * r, 2 * e]) * compensatedSum([1.0, z, -beta, 2 * r, 2 * e]);
  }

  /** quadratic.iterations_to_tolerance for one problem (the convention of accelbook.metrics): the first t
   *  from which ||e_t|| <= tol ||e_0|| holds for good, judged as the Python runner does: the run goes on until
   *  the error has stayed below the level for `chunk` consecutive iterations (or until tMax); -1 if the error
   *  is above the level at tMax or the recursion overflows. */
  function iterationsToTolerance(z, beta, e0, tol, tMax, chunk) {
    const n = z.length;
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) { a[i] = 1.0 + beta - z[i]; }
    const target = tol * norm(e0);
    let prev = Float64Array.from(e0), cur = Float64Array.from(e0);
    let lastAbove = 0;  // t = 0 is above the level (tol < 1)
    for (let t = 0; t < tMax; t++) {
      const next = new Float64Array(n);
      let s = 0;
      for (let i = 0; i < n; i++) { next[i] = a[i] * cur[i] - beta * prev[i]; s += next[i] * next[i]; }
      const size = Math.sqrt(s);
      if (!Number.isFinite(size)) { return -1; }
      if (!(size <= target)) { lastAbove = t + 1; } else if (t + 1 - lastAbove >= chunk) { return lastAbove + 1; }
      prev = cur; cur = next;
    }
    return lastAbove < tMax ? lastAbove + 1 : -1;
  }

  function column(values) { return {rows: values.length, cols: 1, n: values.length, stride: 1, v: Float64Array.from(values)}; }

  const TOL = 1e-6, COUNT_MAX = 20000, COUNT_CHUNK = 256;

  function count(k, rate) {
    if (rate >= 1.0) { return 'never: the rate is >= 1'; }
    return k >= 0 ? String(k) : 'more than ' + COUNT_MAX;
  }

  /** widgets.heavy_ball_explorer_data(eta_L, beta, kappa) (n = 6, t_max = 150) and heavy_ball_summary */
  function heavyBall(values, options) {
    const opts = options || {};
    const n = opts.n || 6, tMax = opts.t_max || 150;
    const etaL = values.eta_L, beta = values.beta, kappa = values.kappa;
    const lam = spectrum(n, kappa);
    const eta = etaL / lam[n - 1];
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) { z[i] = eta * lam[i]; }
    const e0 = new Float64Array(n).fill(1.0 / Math.sqrt(n));
    let rho = 0, gdRate = 0;
    for (let i = 0; i < n; i++) { rho = Math.max(rho, blockRho(z[i], beta)); gdRate = Math.max(gdRate, Math.abs(1.0 - z[i])); }
    const hb = eigenErrors(z, beta, e0, tMax), gd = eigenErrors(z, 0.0, e0, tMax);
    const k = Math.min(hb.length, gd.length);
    const diverged = rho > 1.0 || k < tMax + 1;
    const per = new Float64Array(k * n), err = new Float64Array(k), gdErr = new Float64Array(k), t = new Float64Array(k);
    for (let s = 0; s < k; s++) {
      t[s] = s; err[s] = norm(hb[s]); gdErr[s] = norm(gd[s]);
      for (let i = 0; i < n; i++) { per[s * n + i] = Math.abs(hb[s][i]); }
    }
    const sq = x => x * x;
    const zMin = eta * lam[0], zMax = eta * lam[n - 1];
    const lower = Math.max(criticalDampingBeta(zMin), criticalDampingBeta(zMax));
    const holds = lower < 1.0 && lower < beta && beta <= 1.0;
    let c0 = null, bound = null;
    if (holds) {
      const hLo = h(beta, zMin), hHi = h(beta, zMax);
      const zWorst = hLo <= hHi ? zMin : zMax, hmin = Math.min(hLo, hHi);
      c0 = ((1 + beta) + Math.hypot(1 - beta, 1 + beta - zWorst)) / Math.sqrt(hmin);
      const b = new Float64Array(k), sb = Math.sqrt(beta);
      for (let s = 0; s < k; s++) { b[s] = Math.pow(sb, s) * c0 * Math.sqrt(2.0); }
      bound = column(b);
    }
    const itersHb = rho < 1.0 ? iterationsToTolerance(z, beta, e0, TOL, COUNT_MAX, COUNT_CHUNK) : -1;
    const itersGd = gdRate < 1.0 ? iterationsToTolerance(z, 0.0, e0, TOL, COUNT_MAX, COUNT_CHUNK) : -1;
    const condition = lower >= 1.0 ? 'fails: no β satisfies it for this η'
      : (holds ? 'holds:' : 'fails: needs') + ' ' + fmtG(lower, 4) + ' < β ≤ 1';
    return {
      t: column(t), lam: column(lam), error: column(err), gd_error: column(gdErr), bound: bound,
      per_direction: {rows: k, cols: n, n: k, stride: 1, v: per},
      rho: rho, gd_rate: gdRate, lower: lower, c0: c0, diverged: diverged, iters_hb: itersHb, iters_gd: itersGd,
      message: diverged ? 'diverges: ρ(A) = ' + fmtG(rho, 4) + ' > 1' : '',
      summary: [
        ["ρ(A), heavy ball's rate", fmtF(rho, 6)],
        ["gradient descent's rate at the same η", fmtF(gdRate, 6)],
        ['condition of Theorem 5 of Wang et al.', condition],
        ['its constant C₀ (sharp)', c0 === null ? '—' : fmtG(c0, 4)],
        ['iterations to 10⁻⁶, heavy ball', count(itersHb, rho)],
        ['iterations to 10⁻⁶, gradient descent', count(itersGd, gdRate)],
      ],
    };
  }

  // ------------------------------------------------------------------ the counterexample (Chapter 2)
  /** convex.lrp_function */
  function lrpF(x) {
    return x < 1 ? 12.5 * x * x : (x < 2 ? 0.5 * x * x + 24 * x - 12 : 12.5 * x * x - 24 * x + 36);
  }

  /** From the stored iterates x: the gaps f(x_t) - f*, the last 30 iterates on the graph of f over [-3, 4] */
  function lrp(frame) {
    const x = frame.x.v, k = x.length, last = Math.min(30, k);
    const gap = new Float64Array(k);
    for (let i = 0; i < k; i++) { gap[i] = lrpF(x[i]); }
    const xl = x.slice(k - last), fl = new Float64Array(last);
    for (let i = 0; i < last; i++) { fl[i] = lrpF(xl[i]); }
    const gx = new Float64Array(400), gf = new Float64Array(400);
    for (let i = 0; i < 400; i++) { gx[i] = -3 + 7 * i / 399; gf[i] = lrpF(gx[i]); }
    frame.gap = {rows: k, cols: 1, n: frame.x.n, stride: frame.x.stride, v: gap};
    frame.x_last = column(xl); frame.f_last = column(fl);
    frame.graph_x = column(gx); frame.graph_f = column(gf);
    return frame;
  }

  return {fmtG: fmtG, fmtF: fmtF, spectrum: spectrum, blockRho: blockRho, eigenErrors: eigenErrors,
          iterationsToTolerance: iterationsToTolerance, heavyBall: heavyBall, lrpF: lrpF, lrp: lrp};
}));
