"""Benchmark cases for the network chapters, registered into bench/bench.py's extension lists.

Imports only :mod:`bench.common` (never :mod:`bench.bench`): bench.py imports this module, not the reverse.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

from bench.common import fitted_exponent, row


def relu_vs_torch():
    import torch
    import accelbook as ab
    X = ab.relu.unit_inputs(5, 10, seed=0)
    y = ab.relu.random_labels(5, seed=0)
    prob = ab.relu.make_problem(X, y, 1000, seed=0)
    eta, beta = prob.momentum_parameters()
    a = torch.as_tensor(prob.a) / np.sqrt(1000)
    Xt, yt = torch.as_tensor(X), torch.as_tensor(y)
    loss = lambda W: 0.5 * ((torch.relu(Xt @ W.T) @ a - yt) ** 2).sum()
    ours = lambda: ab.methods.heavy_ball(prob.grad, prob.W0, eta, beta, 200, store="last").x
    return ("ReLU network m=1000, n=5, d=10", ours, loss, prob.W0, eta, beta, 200)


def deep_linear_vs_torch():
    import accelbook as ab
    dl = ab.deep_linear
    prob = dl.source_problem(seed=0)
    depth = 20
    w0 = prob.init(50, depth, seed=0)
    eta, beta = prob.parameters(depth)
    ours = lambda: ab.methods.heavy_ball(prob.grad, w0, eta, beta, 100, store="last").x
    return ("deep linear d=20, m=50, L=20", ours, dl.torch_loss(prob.X, prob.Y), w0, eta, beta, 100)


def partition_batched():
    import accelbook as ab
    pm = ab.partition
    model, w0 = pm.make_additive(100.0, 0.01, n_trials=10, seed=0)
    eta, beta = pm.method_parameters("nesterov", 100.0, float(np.max(model.L1)))
    singles = [pm.make_additive(100.0, 0.01, n_trials=1, seed=s) for s in range(10)]
    return ("10 Nesterov trials, additive model kappa=100",
            lambda: pm.train(model, w0, "nesterov", 500, eta=eta, beta=beta),
            lambda: [pm.train(m, w, "nesterov", 500, eta=eta, beta=beta) for m, w in singles])


def relu_batched():
    import accelbook as ab
    X = ab.relu.unit_inputs(5, 10, seed=0)
    y = ab.relu.random_labels(5, seed=0)
    batch = ab.relu.make_problem(X, y, 1000, seed=0, trials=10)
    singles = [ab.relu.make_problem(X, y, 1000, seed=s) for s in range(10)]
    eta, beta = singles[0].momentum_parameters()
    return ("10 ReLU trials m=1000",
            lambda: ab.relu.train(batch, "heavy_ball", eta, beta, 200),
            lambda: [ab.relu.train(p, "heavy_ball", eta, beta, 200) for p in singles])


def _per_iteration(step, repeats=3):
    step()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def relu_width_scaling(gflops, widths=(10**2, 10**3, 10**4, 10**5, 10**6)):
    """Seconds and peak memory of one heavy-ball iteration against the width m (n=5, d=10)."""
    import accelbook as ab
    X = ab.relu.unit_inputs(5, 10, seed=0)
    y = ab.relu.random_labels(5, seed=0)
    rows, secs = [], []
    for m in widths:
        prob = ab.relu.make_problem(X, y, m, seed=0)
        state = {"W": prob.W0, "M": np.zeros_like(prob.W0)}

        def step():
            g = prob.grad(state["W"])
            state["M"] = 0.9 * state["M"] + g
            state["W"] = state["W"] - 1e-3 * state["M"]

        s = _per_iteration(step)
        tracemalloc.start()
        step()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        flops = 4 * 5 * 10 * m  # forward X W^T and backward xi-weighted X^T: two (n x d x m) products
        secs.append(s)
        rows.append(row("scaling", f"ReLU iteration, m={m:.0e}", 1e3 * s, "ms",
                        note=f"peak {peak / 2**20:.1f} MiB; {flops / s / 1e9:.2f} GFLOP/s = "
                             f"{100 * flops / s / 1e9 / gflops:.1f}% of the measured matmul rate"))
    rows.append(row("scaling", "ReLU time per iteration ~ m^p, fitted p (m >= 1e4)",
                    fitted_exponent(np.array(widths[2:]), np.array(secs[2:])), ""))
    return rows


def deep_linear_depth_scaling(gflops, depths=(10, 30, 100, 300, 1000)):
    """Seconds of one gradient evaluation of the deep linear network against the depth L (d=20, m=50)."""
    import accelbook as ab
    dl = ab.deep_linear
    prob = dl.source_problem(seed=0)
    rows, secs = [], []
    for depth in depths:
        w0 = prob.init(50, depth, seed=0)
        s = _per_iteration(lambda: prob.grad(w0))
        ok = all(np.all(np.isfinite(g)) for g in prob.grad(w0))
        flops = 2 * depth * 2 * (50 * 50 * 5)  # forward and backward products of width-50 layers, n = 5 columns
        secs.append(s)
        rows.append(row("scaling", f"deep linear gradient, L={depth}", 1e3 * s, "ms",
                        note=f"finite: {ok}; {flops / s / 1e9:.2f} GFLOP/s = "
                             f"{100 * flops / s / 1e9 / gflops:.1f}% of the measured matmul rate"))
    rows.append(row("scaling", "deep linear time per gradient ~ L^p, fitted p",
                    fitted_exponent(np.array(depths), np.array(secs)), ""))
    return rows


def register(bench):
    bench.EXTRA_VS_TORCH += [relu_vs_torch, deep_linear_vs_torch]
    bench.EXTRA_BATCHED += [relu_batched, partition_batched]
    bench.EXTRA_SCALING += [relu_width_scaling, deep_linear_depth_scaling, relu_torch_device_scaling, pep_cost]
    # the frames the live explorers open with (their sliders' default values)
    bench.EXTRA_WIDGETS += [("relu", "relu_explorer_callback", {"m": 1000, "angle_deg": 20.0}),
                            ("deep_linear", "deep_linear_explorer_callback", {"depth": 10, "width": 16, "kappa": 100.0}),
                            ("partition", "partition_explorer_callback", {"kappa": 100.0, "sigma_A2": 0.01})]


def relu_torch_device_scaling(gflops, widths=(10**4, 10**5, 10**6), n_iter=20):
    """The GPU path: seconds per heavy-ball iteration of the torch trainer on the best device present
    (CUDA when available, else the CPU), against the width m."""
    import torch
    import accelbook as ab
    device = "cuda" if torch.cuda.is_available() else "cpu"
    X = ab.relu.unit_inputs(5, 10, seed=0)
    y = ab.relu.random_labels(5, seed=0)
    rows, secs = [], []
    for m in widths:
        prob = ab.relu.make_problem(X, y, m, seed=0)
        eta, beta = 1e-3, 0.9
        ab.relu.torch_train(prob, eta, beta, 2, device=device, store="loss")  # warm-up
        t = time.perf_counter()
        curve = ab.relu.torch_train(prob, eta, beta, n_iter, device=device, store="loss").loss
        s = (time.perf_counter() - t) / n_iter
        secs.append(s)
        rows.append(row("scaling", f"torch ReLU iteration on {device}, m={m:.0e}", 1e3 * s, "ms",
                        note=f"loss {curve[0]:.3g} -> {curve[-1]:.3g}"))
    rows.append(row("scaling", f"torch ReLU ({device}) time per iteration ~ m^p, fitted p",
                    fitted_exponent(np.array(widths), np.array(secs)), ""))
    return rows


def pep_cost(gflops, steps=(2, 5, 10)):
    """Seconds of one certified worst case (PEPit SDP, Clarabel) against the number of steps n, and of the
    worst case over quadratics (no SDP), for heavy ball with Corollary 1's tuning at kappa = 25 (Chapter 2)."""
    import accelbook as ab
    from bench.bench import fitted_exponent, row, timeit
    eta, beta = ab.theory.corollary1_parameters(1.0, 25.0)
    ab.pep.heavy_ball_worst_case(1.0, 25.0, eta, beta, 1)  # imports PEPit, cvxpy and Clarabel
    rows, secs = [], []
    for n in steps:
        res = ab.pep.heavy_ball_worst_case(1.0, 25.0, eta, beta, n)
        s = timeit(lambda: ab.pep.heavy_ball_worst_case(1.0, 25.0, eta, beta, n), repeats=3, warmup=0)
        secs.append(s)
        rows.append(row("scaling", f"PEP SDP, heavy ball n={n}", 1e3 * s, "ms",
                        note=f"worst case {res.value:.4g}, gap {res.gap:.1e}, {res.solver}"))
    rows.append(row("scaling", "PEP SDP time ~ n^p, fitted p", fitted_exponent(np.array(steps), np.array(secs)), ""))
    for n in (10, 100):
        s = timeit(lambda: ab.pep.heavy_ball_worst_case(1.0, 25.0, eta, beta, n, function_class="quadratic"),
                   repeats=3)
        rows.append(row("scaling", f"worst case over quadratics, n={n}", 1e3 * s, "ms"))
    return rows
