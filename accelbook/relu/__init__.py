r"""A wide one-hidden-layer ReLU network in the NTK regime (Chapter 3).

Wang, Lin & Abernethy (2021), Section 2.2, Lemma 3 (Section 3.3), Lemma 5 and Theorem 9 (Section 4.3),
Appendices B/F (proofs) and H (experiment). Modules by concern:

==============  ==================================================================================
``data``        inputs, labels, the initialisation, the argument checks shared by the modules
``model``       the network (2), loss (5), subgradient, Gram matrices (3), the problem object
``theory``      :math:`S_i^\perp`, Lemma 3's decomposition, Lemmas 5, 8, 10, Theorems 3 and 9
``training``    runners on :mod:`accelbook.methods` with named records, ``torch.optim.SGD``, the linearised model
``experiments`` Appendix H, Lemma 5 measured, the width and conditioning sweeps (data only)
``figures``     drawing (panels shared by the explorer and its static figure)
``explorer``    the explorer definition (``EXPLORER``; ``WEB``, what its page draws), its old callback names
==============  ==================================================================================

Every public name is importable from ``accelbook.relu`` itself (``ab.relu.ntk_gram``, ``ab.relu.train``, ...).
"""

from .data import METHODS, clustered_inputs, init_weights, random_labels, unit_inputs
from .experiments import (appendix_h_experiment, appendix_h_seeds, conditioning_sweep, gram_concentration,
                          iterations_to, width_sweep)
from .explorer import (EXPLORER, WEB, draw_relu_explorer, relu_explorer, relu_explorer_callback, relu_explorer_data,
                       relu_explorer_static, relu_explorer_summary)
from .figures import pattern_panel, residual_panel
from .model import (ReluProblem, activation_patterns, activation_probability, condition_number, gram,
                    gram_fluctuation, loss, make_problem, network_output, neuron_distances, ntk_gram,
                    pattern_change_fraction, subgradient)
from .theory import (gram_change_bound, lemma3_decomposition, lemma5_holds, lemma10_distance_bound,
                     lemma10_width, r_relu, required_width, s_perp, theorem3_rate, theorem9_bound,
                     theorem9_parameters)
from .training import (LinearisedRun, ReluRun, TorchRun, empirical_rate, linearised_residuals, stacked_norms,
                       torch_train, train)

__all__ = [
    # data, initialisation, the network
    "METHODS", "unit_inputs", "clustered_inputs", "random_labels", "init_weights", "ReluProblem", "make_problem",
    "network_output", "activation_patterns", "loss", "subgradient",
    # Gram matrices
    "gram", "ntk_gram", "activation_probability", "gram_fluctuation", "condition_number",
    # quantities of Lemma 3 / Appendix H
    "pattern_change_fraction", "neuron_distances", "s_perp", "gram_change_bound",
    # training
    "ReluRun", "train", "TorchRun", "torch_train", "LinearisedRun", "linearised_residuals", "stacked_norms",
    "empirical_rate",
    # Lemma 3, Lemmas 8-10, Theorems 3 and 9
    "lemma3_decomposition", "lemma10_distance_bound", "r_relu", "theorem9_parameters", "theorem9_bound",
    "theorem3_rate", "required_width", "lemma10_width", "lemma5_holds",
    # studies, figures and the explorer
    "gram_concentration", "width_sweep", "conditioning_sweep", "iterations_to", "appendix_h_experiment",
    "appendix_h_seeds", "residual_panel", "pattern_panel",
    "EXPLORER", "WEB", "relu_explorer_data", "draw_relu_explorer", "relu_explorer_summary", "relu_explorer_callback",
    "relu_explorer", "relu_explorer_static",
]
