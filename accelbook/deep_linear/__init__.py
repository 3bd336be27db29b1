r"""Deep linear networks trained with gradient descent and heavy ball (Chapter 4): Wang, Lin & Abernethy
(2021), Sections 2.3, 3.4 and 4.4, Appendices B, G and H.2.

Modules by concern:

===============  =================================================================================
``model``        the network (4), the orthogonal initialisation, output, loss (5), gradients, Gram matrix (41)
``data``         assumption (A1): the problem object, random data with a prescribed κ, Appendix H.2's data,
                 the loss in PyTorch
``theory``       Lemma 13 (exact), Theorem 4's and Theorem 10's parameters, the bound (22), Lemmas 14-15
``training``     runners on :mod:`accelbook.methods` with named records; Lemma 4's terms along a run
``experiments``  the sweeps over κ, depth and width (data only)
``figures``      drawing (panels shared by the explorer and its static figure)
``explorer``     the explorer definition (``EXPLORER``; ``WEB``, what its page draws), its old callback names
===============  =================================================================================

Every public name is importable from ``accelbook.deep_linear`` itself (``ab.deep_linear.gram``,
``ab.deep_linear.run_with_decomposition``, ...).
"""

from .data import DeepLinearProblem, make_problem, source_problem, torch_loss
from .experiments import depth_sweep, kappa_sweep, theorem10_scaling_counterexample, width_sweep
from .explorer import (EXPLORER, WEB, deep_linear_explorer, deep_linear_explorer_callback, deep_linear_explorer_data,
                       deep_linear_explorer_static, deep_linear_explorer_summary, draw_deep_linear_explorer)
from .figures import residual_panel, terms_panel
from .model import (architecture, check_orthogonal_init, end_to_end, gradients, gram, gram_matvec, gram_operator,
                    layer_shapes, loss, orthogonal_init, output, output_derivative, unvec, vec)
from .theory import (data_condition_number, full_product_nested, full_product_unit_count, gradient_bound_89,
                     gram_at_init, lemma13_gram, lemma14_bounds, product_singular_values, r_l_linear, spread_limit_89,
                     theorem4_step, theorem10_bound, theorem10_corrected_width, theorem10_parameters,
                     theorem10_printed_width, theorem10_rate)
from .training import iterations_to_accuracy, measured_rate, oracle, run_with_decomposition, train

__all__ = [
    # the network, its initialisation, loss and Gram matrix
    "layer_shapes", "architecture", "orthogonal_init", "check_orthogonal_init",
    "vec", "unvec", "end_to_end", "output", "loss", "gradients", "output_derivative",
    "gram", "gram_matvec", "gram_operator",
    # data and the problem object
    "DeepLinearProblem", "make_problem", "source_problem", "torch_loss",
    # Lemma 13, Theorems 4 and 10, Lemmas 14-15
    "lemma13_gram", "gram_at_init", "product_singular_values", "full_product_unit_count", "full_product_nested",
    "data_condition_number", "theorem4_step", "theorem10_parameters", "theorem10_rate", "theorem10_bound",
    "theorem10_printed_width", "theorem10_corrected_width", "r_l_linear", "gradient_bound_89", "spread_limit_89",
    "lemma14_bounds",
    # training and Lemma 4 along a run
    "oracle", "train", "run_with_decomposition", "iterations_to_accuracy", "measured_rate",
    # experiments, figures and the explorer
    "kappa_sweep", "depth_sweep", "width_sweep", "theorem10_scaling_counterexample", "residual_panel", "terms_panel",
    "EXPLORER", "WEB", "deep_linear_explorer_data", "draw_deep_linear_explorer", "deep_linear_explorer_summary",
    "deep_linear_explorer_callback", "deep_linear_explorer", "deep_linear_explorer_static",
]
