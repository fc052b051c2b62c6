"""Noise as a regularizer, beyond what :mod:`lib.layers` has (``GaussianNoise`` on inputs or hidden
units, Keras' inverted ``Dropout``): noise on the weights, and dropout exactly as the lecture writes it.

Mirrors the university lecture "5. 딥러닝 최적화", §5.4.3 (잡음을 섞어 확대하는 기법) and §5.4.4
(드롭아웃, algorithm 5-8, (5.35) and figure 5-28)::

    weight noise:      the gradient is taken at w̃ = w + ε, ε ~ N(0, σ²I) drawn afresh every step,
                       and the step is applied to w:  w ← w − α ∇J(w̃)
    lecture dropout:   training   z̃ = z ⊙ π,  π_j ~ Bernoulli(1 − p) per sample and unit (no rescaling)
                       prediction z̃ = (1 − p) z   ("가중치에 생존 비율을 곱하여 전방 계산":
                                                   scaling the next layer's weights by 1 − p is the same)

Keras' ``Dropout`` is the *inverted* form: it divides by ``1 − p`` in training and does nothing at
prediction; both give predictions equal to the mean training-mode output of the layer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lib import checks
from lib.layers import Layer

__all__ = ["WeightNoise", "LectureDropout"]


class WeightNoise:
    """Wrap an optimizer so that every gradient is taken at noisy weights ``w + ε``,
    ``ε ~ N(0, stddev²)``, and the update is applied to the clean ``w`` (Graves 2011's weight noise,
    in its simplest form).  Works with :func:`lib.training.fit`, which asks ``lookahead(w)`` for the
    point where the gradient is taken."""

    def __init__(self, optimizer, stddev: float, *, seed=None) -> None:
        if not callable(getattr(optimizer, "step", None)):
            raise TypeError(f"optimizer must have a step(params, grads) method, got {optimizer!r}")
        if getattr(optimizer, "lookahead", None) is not None and type(optimizer).__name__ == "NesterovLookahead":
            raise ValueError("optimizer must not have its own look-ahead point (NesterovLookahead), got one")
        self.optimizer = optimizer
        self.stddev = checks.check_float(stddev, "stddev", "[0, inf)")
        self.rng = checks.as_generator(seed)

    def lookahead(self, params: list[np.ndarray]) -> list[np.ndarray]:
        """``w̃ = w + ε``, a fresh draw for every array (``params`` itself if ``stddev = 0``)."""
        if self.stddev == 0:
            return params
        return [w + (self.stddev * self.rng.standard_normal(w.shape)).astype(w.dtype) for w in params]

    def step(self, params, grads):
        """The wrapped optimizer's update of the clean weights."""
        return self.optimizer.step(params, grads)

    def __getattr__(self, name: str) -> Any:            # learning_rate, iterations … of the wrapped optimizer
        if name == "optimizer":
            raise AttributeError(name)
        return getattr(self.optimizer, name)

    def __repr__(self) -> str:
        return f"WeightNoise({self.optimizer!r}, stddev={self.stddev})"


class LectureDropout(Layer):
    """Dropout as algorithm 5-8 and (5.35) write it: in training each unit of each sample is kept
    with probability ``1 − rate`` (a Boolean mask π per sample) and *not* rescaled; at prediction
    every unit is multiplied by the keep probability ``1 − rate``::

        training:    a = z ⊙ π,          π ~ Bernoulli(1 − rate),   ∂J/∂z = δ ⊙ π
        prediction:  a = (1 − rate) z
    """

    def __init__(self, rate: float, seed=None) -> None:
        super().__init__()
        self.rate = checks.check_float(rate, "rate", "[0, 1)")
        self.rng = checks.as_generator(seed)

    def call(self, z, training):
        if not training:
            return self._remember(None, z * z.dtype.type(1 - self.rate))
        pi = (self.rng.random(z.shape) >= self.rate).astype(z.dtype)        # π: 1 = kept
        return self._remember(pi, z * pi)

    def backprop(self, dy):
        pi = self._cache
        return dy * pi if pi is not None else dy * dy.dtype.type(1 - self.rate)

    def _describe(self):
        return f"rate={self.rate}"
