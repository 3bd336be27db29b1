r"""Every choice Chapter 5 makes where Liao & Kyrillidis (2024) are silent, in one place.

:data:`DEFAULTS` is read by the generators of :mod:`.model` and :mod:`.network` and by the experiments
of :mod:`.experiments`; passing an argument explicitly always overrides it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PartitionDefaults", "DEFAULTS", "METHODS"]

#: The three methods of the chapter, in the order they are drawn.
METHODS = ("gd", "heavy_ball", "nesterov")


@dataclass(frozen=True)
class PartitionDefaults:
    """Every choice Chapter 5 makes where the source is silent.

    Additive model: ``A1`` is ``dim_x × dim_x`` (square and invertible, as the theory needs) with
    singular values log-spaced in :math:`[1/\\sqrt\\kappa, 1]` (so :math:`L_1 = 1`, :math:`\\mu = 1/\\kappa`);
    ``A2`` is ``dim_x × dim_u`` Gaussian rescaled to :math:`\\sigma_{\\max}(A_2)` = the regime's value;
    ``b``, ``x0``, ``u0`` are standard Gaussian; ``weak_sigma`` is a weak-coupling regime comparable to panel (a)
    of the explainer's Fig. 3.  Network: ``n`` inputs on the unit sphere in :math:`\\mathbb{R}^{d_0}`, labels a
    centred and normalised :math:`\\sin(3\\langle a, x\\rangle)`, the paper's initialisation (hidden layers
    :math:`N(0, 1/d_{l-1})`, last layer :math:`N(0, d_{\\Lambda-1}^{-3/2})`; ``"he"`` for He's).  Step
    :math:`\\eta = c/L_1`.  Grids and run lengths of the chapter's experiments.
    """

    # additive model
    dim_x: int = 20
    dim_u: int = 20
    kappa: float = 100.0
    sigma_regimes: tuple = (0.01, 0.3, 5.0)  # the explainer's three regimes
    weak_sigma: float = 1e-4  # ||du||/||dx|| of order 1e-4, as in panel (a) of the explainer's Fig. 3
    c: float = 1.0
    n_trials: int = 10
    seed: int = 2024
    regime_iters: int = 1500
    tol_explorer: float = 1e-2  # the explainer's target accuracy
    sweep_kappas: tuple = (10.0, 10 ** 1.5, 100.0, 10 ** 2.5, 1000.0, 10 ** 3.5)
    check_sigmas: tuple = (0.01, 0.1, 0.3, 0.6, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)  # where the theorems stop holding
    check_iters: int = 400
    # deep ReLU network
    n_samples: int = 16
    input_dim: int = 16
    hidden_width: int = 32
    depth: int = 3
    penultimate_width: int = 512
    width_study: tuple = (64, 256, 1024)
    network_iters: int = 300
    network_trials: int = 5
    network_init: str = "paper"  # Theorem 15 of the source (Theorem 4 of the poster)


DEFAULTS = PartitionDefaults()
