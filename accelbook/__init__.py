"""accelbook: the package behind the executable textbook *Provable acceleration by momentum*.

Modules
-------
methods       gradient descent, heavy ball (Algorithms 1 and 2), Nesterov; a result object
theory        momentum matrix, Theorem 5's constant, parameter choices, rates and bounds
quadratic     strongly convex quadratics with a prescribed spectrum; exact heavy-ball errors
torch_bridge  torch.optim.SGD next to accelbook.methods (imports torch lazily)
plotting      the book's figure style
widgets       interactive explorers with headless-testable callbacks
"""

from . import methods, plotting, quadratic, theory, widgets

__version__ = "0.1.0"
__all__ = ["methods", "theory", "quadratic", "plotting", "widgets", "torch_bridge"]


def __getattr__(name):
    if name == "torch_bridge":  # imported on first use: torch is heavy
        import importlib
        return importlib.import_module(".torch_bridge", __name__)
    raise AttributeError(f"module 'accelbook' has no attribute {name!r}")
