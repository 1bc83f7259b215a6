"""Backpropagation in matrix form for a two-layer MLP, and the relative-error gradient check.

The network of notebook 03 (NumPy, float64 unless told otherwise), for a batch of ``N`` examples
with ``D`` features, ``H`` hidden units and ``C`` classes::

    Z1 = X @ W1 + b1        # (N, H)   W1: (D, H), b1: (H,)
    A1 = relu(Z1)           # (N, H)
    S  = A1 @ W2 + b2       # (N, C)   W2: (H, C), b2: (C,)   the scores (logits)
    L  = mean over the batch of cross_entropy(S[i], y[i])      y: (N,) integers in [0, C)

``backward`` returns the gradients ``(dW1, db1, dW2, db2)``, each of its parameter's shape, in the
order the backward pass finds them reversed: first the last layer, then the first. ``relative_error``
is the comparison of CS231n's gradient checks, ``|a - b| / max(|a|, |b|)``, element by element, the
largest one returned. ``autograd_gradients`` computes the same gradients with PyTorch, the reference
a hand-written backward pass is checked against.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

#: Names of the gradients ``backward`` returns, in order (the check of notebook 03 names them).
GRADIENT_NAMES = ("dW1", "db1", "dW2", "db2")


def init_params(d: int = 5, h: int = 7, c: int = 3, *, seed: int = 0,
                dtype=np.float64) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(W1, b1, W2, b2)`` with shapes ``(d, h), (h,), (h, c), (c,)``: He-scaled normal weights and small
    nonzero biases (so that a forgotten bias gradient shows), from their own seeded generator."""
    rng = np.random.default_rng(seed)
    w1 = rng.standard_normal((d, h)) * np.sqrt(2.0 / d)
    b1 = 0.1 * rng.standard_normal(h)
    w2 = rng.standard_normal((h, c)) * np.sqrt(2.0 / h)
    b2 = 0.1 * rng.standard_normal(c)
    return tuple(a.astype(dtype) for a in (w1, b1, w2, b2))


def toy_batch(n: int = 4, d: int = 5, c: int = 3, *, seed: int = 1,
              dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)``: ``X`` of shape ``(n, d)`` from ``N(0, 1)`` and integer labels ``y`` of shape ``(n,)``."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)).astype(dtype), rng.integers(0, c, size=n)


def forward(x: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray,
            b2: np.ndarray) -> tuple[np.ndarray, dict]:
    """The forward pass: ``(scores (N, C), cache)``; ``cache`` holds ``Z1`` and ``A1`` for the backward pass."""
    z1 = x @ w1 + b1
    a1 = np.maximum(z1, 0.0)
    return a1 @ w2 + b2, {"Z1": z1, "A1": a1}


def softmax_cross_entropy(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """``(loss, dS)``: the mean cross-entropy of ``scores`` (N, C) against labels ``y`` (N,), and its
    gradient with respect to ``scores``, ``(softmax(S) - onehot(y)) / N``, computed stably."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = scores.shape[0]
    loss = float(-log_probs[np.arange(n), y].mean())
    d_scores = np.exp(log_probs)
    d_scores[np.arange(n), y] -= 1.0
    return loss, d_scores / n


def loss(x: np.ndarray, y: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray) -> float:
    """The mean cross-entropy loss of the network on ``(x, y)``, a float."""
    return softmax_cross_entropy(forward(x, w1, b1, w2, b2)[0], y)[0]


def backward(x: np.ndarray, y: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray,
             b2: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(dW1, db1, dW2, db2)``: the gradients of ``loss`` by the chain rule in matrix form."""
    scores, cache = forward(x, w1, b1, w2, b2)
    _, d_scores = softmax_cross_entropy(scores, y)          # (N, C)
    d_w2 = cache["A1"].T @ d_scores                          # (H, N) @ (N, C) -> (H, C)
    d_b2 = d_scores.sum(axis=0)                              # one bias per class: sum over the batch
    d_a1 = d_scores @ w2.T                                   # (N, C) @ (C, H) -> (N, H)
    d_z1 = d_a1 * (cache["Z1"] > 0)                          # ReLU passes the gradient where it was active
    d_w1 = x.T @ d_z1                                        # (D, N) @ (N, H) -> (D, H)
    d_b1 = d_z1.sum(axis=0)
    return d_w1, d_b1, d_w2, d_b2


def relative_error(a, b, *, floor: float = 1e-300) -> float:
    """The largest element of ``|a - b| / max(|a|, |b|)``; 0 where both are 0 (``floor`` keeps 0/0 away).

    ``a`` and ``b``: arrays (or numbers) of the same shape. Returns a float: about 1e-16 to 1e-12
    for two float64 computations of the same formula, about 1e-7 to 1e-5 for float32, 1e-2 or more
    when one of them is wrong.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error needs two arrays of the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)))


def autograd_gradients(x: np.ndarray, y: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray,
                       b2: np.ndarray, *, dtype: Optional[str] = None) -> tuple[np.ndarray, ...]:
    """``(dW1, db1, dW2, db2)`` computed by PyTorch's autograd on the same network and loss.

    ``dtype``: ``"float64"`` or ``"float32"`` (default: the dtype of ``w1``). Returns NumPy arrays.
    """
    import torch

    dtype = dtype or str(np.asarray(w1).dtype)
    torch_dtype = {"float64": torch.float64, "float32": torch.float32}[dtype]
    params = [torch.tensor(np.asarray(p), dtype=torch_dtype, requires_grad=True) for p in (w1, b1, w2, b2)]
    xt, yt = torch.tensor(np.asarray(x), dtype=torch_dtype), torch.as_tensor(np.asarray(y), dtype=torch.long)
    scores = torch.relu(xt @ params[0] + params[1]) @ params[2] + params[3]
    torch.nn.functional.cross_entropy(scores, yt).backward()
    return tuple(p.grad.numpy() for p in params)


def buggy_backward(x: np.ndarray, y: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray,
                   b2: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``backward`` with one classic slip, for the lesson: the ReLU's mask is forgotten (``d_z1 = d_a1``).

    Only the first layer's gradients are wrong; the gradient check says which ones.
    """
    scores, cache = forward(x, w1, b1, w2, b2)
    _, d_scores = softmax_cross_entropy(scores, y)
    d_a1 = d_scores @ w2.T
    return x.T @ d_a1, d_a1.sum(axis=0), cache["A1"].T @ d_scores, d_scores.sum(axis=0)


def gradient_report(mine, reference, names=GRADIENT_NAMES) -> dict[str, float]:
    """``{name: relative_error(mine[k], reference[k])}`` for each gradient, in order."""
    return {name: relative_error(m, r) for name, m, r in zip(names, mine, reference)}
