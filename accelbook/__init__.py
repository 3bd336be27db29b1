"""accelbook: the package behind the executable textbook *Provable acceleration by momentum*.

Modules (imported on first use, so ``import accelbook as ab`` is cheap and torch loads only if needed)
-------
methods       gradient descent, heavy ball (Algorithms 1 and 2), Nesterov; a result object with named records
oracle        a cached oracle: one forward pass shared by a run's gradient and monitors
metrics       stacked norms, measured rates, iterations to a tolerance (one convention each)
explorer      the explorer definition (parameters, compute, draw) behind every front end
theory        momentum matrix, Theorem 5's constant, parameter choices, rates and bounds
quadratic     strongly convex quadratics with a prescribed spectrum; exact heavy-ball errors
residual      the residual recursion (8), its solution (15), the meta theorem (Theorem 6)
convex        smooth strongly convex test problems: logistic regression, Theorem 8's radius scan
lrp           the Lessard-Recht-Packard counterexample: heavy ball cycles; cycle detection and certificates
relu          one-hidden-layer ReLU networks in the NTK regime (Chapter 3)
deep_linear   deep linear networks (Chapter 4)
partition     the partition model and Nesterov's momentum (Chapter 5)
pep           certified worst cases (performance estimation with PEPit) and exact worst cases on quadratics
torch_bridge  torch.optim.SGD next to accelbook.methods
plotting      the book's figure style
widgets       the explorers of Chapters 1 and 2 (Explorer definitions) and their old callback names
webexplorer   the in-page HTML front end of an explorer (data precomputed at build time, or mirrored in JS)
webspecs      what each chapter's in-page explorer draws
tables        HTML tables from computed rows (for chapter cells)
homework      self-checks for exercises (judge answers by their properties)
claims        claims the prose makes, asserted in the cell that computes them
"""

import importlib

__version__ = "0.1.0"
__all__ = ["methods", "oracle", "metrics", "explorer", "theory", "quadratic", "residual", "convex", "lrp", "relu",
           "deep_linear", "partition", "pep", "homework", "torch_bridge", "plotting", "widgets", "webexplorer",
           "webspecs", "tables", "claims"]


def __getattr__(name):
    if name in __all__:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'accelbook' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
