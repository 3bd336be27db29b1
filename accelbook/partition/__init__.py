r"""Nesterov's momentum on the partition model (Liao & Kyrillidis 2024, arXiv 2306.08109): Chapter 5.

The partition model splits the parameters into a block :math:`x`, in which
:math:`f(x, u) = g(h(x, u))` is :math:`\mu`-strongly convex and :math:`L_1`-smooth, and a block
:math:`u` that only has to be mildly coupled to it (:math:`h` is :math:`G_1`-Lipschitz in :math:`u`,
:math:`\nabla_x f` is :math:`G_2`-Lipschitz in :math:`u`, :math:`g` is :math:`L_2`-smooth), plus
universal optimality :math:`\min_x f(x, u) = f^\star` near the start.  Nesterov's method runs on
both blocks jointly and never sees the partition.

Modules
-------
defaults     every choice the chapter makes where the source is silent (:data:`DEFAULTS`)
model        the additive model :math:`A_1x + \sigma(A_2u)` (Theorem 13) and its generators
network      the deep ReLU network with the last-layer partition (Lemma 14, Theorem 15)
theory       β, the rates and bounds of Theorems 6 and 7, the methods' parameters, a stable step
lemmas       the quantities of Lemma 8 and Lemma 9 (gradient dominance), Lipschitz quotients
training     runs with named records (:func:`train`), diagnostics along a run, counts and rates
experiments  the κ sweep, the three regimes, the bound check, the network width study, the rate table
figures      the chapter's figures (drawing only)
explorer     the κ explorer (``EXPLORER``; ``WEB``, what its page draws) and its old callback names

Every name below is importable as ``accelbook.partition.<name>``.
"""

from ..torch_bridge import nesterov_x_from_y as nesterov_x_from_torch
from .defaults import DEFAULTS, METHODS, PartitionDefaults
from .experiments import (SMALLNESS, bound_ratio, conditions_map, format_rate_table, kappa_sweep, network_runs,
                          rate_table, regime_runs, theorem_check_sweep, width_study)
from .explorer import (EXPLORER, WEB, draw_partition_explorer, partition_explorer, partition_explorer_callback,
                       partition_explorer_data, partition_explorer_static)
from .figures import (draw_block_steps, draw_conditions, draw_lemma_checks, draw_network, draw_regimes,
                      draw_theorem_check, draw_width_study)
from .lemmas import block_grad_norms, gradient_dominance_ratio, lemma8_ratio, lipschitz_ratios, pattern_G2
from .model import AdditiveModel, make_A1, make_A2, make_additive, relu
from .network import INIT_SCHEMES, ReluNetwork, init_network, make_regression_data, torch_network_loss
from .theory import (CONDITIONS, conditions_hold, method_parameters, nesterov_beta, safe_c, theorem6_bound,
                     theorem6_rate, theorem7_bound, theorem7_rate, theorem_conditions)
from .training import PartitionRun, iterations_to_tol, loglog_slope, measured_rate, run_diagnostics, train

__all__ = [
    "PartitionDefaults", "DEFAULTS", "METHODS",
    "nesterov_beta", "theorem6_rate", "theorem7_rate", "theorem6_bound", "theorem7_bound", "method_parameters",
    "safe_c", "CONDITIONS", "theorem_conditions", "conditions_hold",
    "relu", "make_A1", "make_A2", "AdditiveModel", "make_additive",
    "ReluNetwork", "INIT_SCHEMES", "init_network", "make_regression_data", "torch_network_loss", "nesterov_x_from_torch",
    "PartitionRun", "train", "iterations_to_tol", "measured_rate", "loglog_slope", "run_diagnostics",
    "block_grad_norms", "gradient_dominance_ratio", "lemma8_ratio", "lipschitz_ratios", "pattern_G2",
    "kappa_sweep", "regime_runs", "bound_ratio", "theorem_check_sweep", "network_runs", "width_study",
    "rate_table", "format_rate_table", "SMALLNESS", "conditions_map",
    "EXPLORER", "WEB", "partition_explorer_data", "draw_partition_explorer", "partition_explorer_callback",
    "partition_explorer", "partition_explorer_static",
    "draw_block_steps", "draw_regimes", "draw_lemma_checks", "draw_network", "draw_width_study", "draw_conditions",
    "draw_theorem_check",
]
