"""accelbook.deep_linear.data: the problem object, random data with a prescribed condition number, the torch
loss (numpy and torch.optim.SGD trainings agree), scale invariance of the iterates, and bad inputs."""

import numpy as np
import pytest

from accelbook import deep_linear as dl
from accelbook import methods, torch_bridge


def test_make_problem_prescribes_kappa_and_a1():
    prob = dl.make_problem(6, 4, 3, kappa=50.0, seed=0)
    s = np.linalg.svd(prob.X, compute_uv=False)
    assert s[0] == pytest.approx(1.0) and prob.kappa == pytest.approx(50.0, rel=1e-10)
    # (A1): Y = W* X with W* = Y (X^T X)^{-1} X^T
    W = prob.Y @ np.linalg.solve(prob.X.T @ prob.X, prob.X.T)
    np.testing.assert_allclose(W @ prob.X, prob.Y, atol=1e-12)
    src = dl.source_problem(seed=0)
    assert (src.d, src.n, src.d_y) == (20, 5, 20)


@pytest.mark.parametrize("beta", [0.0, 0.7])
def test_numpy_and_torch_sgd_trainings_agree(beta):
    prob = dl.source_problem(seed=2)
    ws = prob.init(24, 30, seed=3)
    eta, _ = prob.parameters(30)
    ours = methods.heavy_ball(prob.grad, ws, eta, beta, 40)
    theirs = torch_bridge.sgd_iterates(prob.torch_loss(), ws, eta, beta, 40)
    assert ours.losses is None and len(theirs) == 41
    worst = max(np.abs(a - b).max() for wo, wt in zip(ours.iterates, theirs) for a, b in zip(wo, wt))
    assert worst < 1e-10
    assert prob.loss(ours.x) < 1e-3 * prob.loss(ws)  # and the runs did train


def test_scale_invariance_of_the_iterates():
    """(cX, cY) with Theorem 10's step eta/c^2 gives the same iterates: the width condition must be scale-free."""
    prob = dl.make_problem(5, 4, 3, kappa=20.0, seed=1)
    ws = prob.init(12, 8, seed=2)
    runs = []
    for c in (1.0, 1e3):
        scaled = dl.DeepLinearProblem(X=c * prob.X, Y=c * prob.Y)
        eta, beta = scaled.parameters(8)
        runs.append(methods.heavy_ball(scaled.grad, ws, eta, beta, 50, store="last").x)
    assert max(np.abs(a - b).max() for a, b in zip(*runs)) < 1e-10


def test_linear_model_loss_and_gradient():
    prob = dl.make_problem(4, 3, 2, seed=0)
    We = np.random.default_rng(1).standard_normal((2, 4))
    E = np.random.default_rng(2).standard_normal((2, 4))
    h = 1e-6  # the gradient is the derivative of the loss (central difference, exact for a quadratic)
    fd = (prob.linear_loss(We + h * E) - prob.linear_loss(We - h * E)) / (2 * h)
    assert fd == pytest.approx(np.sum(prob.linear_grad(We) * E), rel=1e-6)
    ws = prob.init(6, 3, seed=0)
    assert prob.linear_loss(dl.end_to_end(ws)) == pytest.approx(prob.loss(ws), rel=1e-12)


def test_bad_inputs_give_clear_errors():
    with pytest.raises(ValueError, match="n must be <= d"):
        dl.make_problem(3, 4, 2, seed=0)
    with pytest.raises(ValueError, match="X must have full column rank"):
        dl.DeepLinearProblem(X=np.ones((3, 2)), Y=np.ones((2, 2)))
    with pytest.raises(ValueError, match="Y must have one column per column of X"):
        dl.DeepLinearProblem(X=np.eye(3), Y=np.ones((2, 2)))
    with pytest.raises(ValueError, match="kappa must be 1 when n = 1"):
        dl.make_problem(3, 1, 2, kappa=4.0, seed=0)
    prob = dl.make_problem(4, 3, 2, seed=0)
    with pytest.raises(ValueError, match="We must have shape \\(2, 4\\)"):
        prob.linear_loss(np.ones((4, 2)))
