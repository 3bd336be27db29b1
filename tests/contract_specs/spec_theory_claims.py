"""Contract tables for the functions added to accelbook.theory for Chapters 1-2's claims (issue 14)."""

import numpy as np

from . import Spec

SPECS = {
    "accelbook.theory.corollary1_constant": Spec(
        lambda: dict(kappa=10.0), dict(kappa=("real", [0.5]), form="str")),
    "accelbook.theory.lemma6_eigenvectors": Spec(
        lambda: dict(H=np.diag([0.1, 1.0]), eta=1.0, beta=0.9),
        dict(H=("matrix", [np.diag([-1.0, 1.0])]), eta="pos_real", beta=("real", [0.1, 1.5]))),
}
