"""Scaled dot-product attention, the core of the Transformer, and a toy word-alignment example.

``attention(Q, K, V) = softmax(Q Kᵀ / sqrt(d)) V``: each query row gets a probability
distribution over the keys (the *weights*, each row sums to 1) and returns the weighted average
of the values. Dividing by ``sqrt(d)`` keeps the scores' spread independent of the vector size
``d``; without it large ``d`` makes the softmax nearly one-hot and its gradients tiny.
"""

from __future__ import annotations

import math
from typing import Optional, Sequence, Union

import torch


def scaled_dot_product_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                                 mask: Optional[torch.Tensor] = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Attention output and weights.

    Args:
        q: queries ``(..., n_q, d)``; k: keys ``(..., n_k, d)``; v: values ``(..., n_k, d_v)``.
        mask: optional bool ``(..., n_q, n_k)``, ``True`` where a query may look at a key. Every
            query must be allowed at least one key.

    Returns:
        ``(output, weights)``: ``(..., n_q, d_v)`` and ``(..., n_q, n_k)`` (rows sum to 1).
    """
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


def toy_alignment(alignment: Sequence[Union[int, Sequence[int]]], n_keys: int, *, d: int = 32,
                  sharpness: float = 3.0, noise: float = 0.2, seed: int = 0
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Queries that "look for" given keys, as in a translation that reorders words.

    Key ``j`` is a random vector of length ``sqrt(d)`` (entries of about unit size). Query ``i`` is the sum of the keys
    listed in ``alignment[i]`` (an index, or several indices for a word that matches several),
    scaled so that its score with each of them is about ``sharpness``, plus noise; its scores
    with other keys are near 0. Values are one-hot (``v`` is the identity), so the attention
    output of a query *is* its row of weights.

    Returns:
        ``q`` ``(len(alignment), d)``, ``k`` ``(n_keys, d)``, ``v`` ``(n_keys, n_keys)``.
    """
    targets = [[a] if isinstance(a, int) else list(a) for a in alignment]
    if any(not targets_i or not all(0 <= j < n_keys for j in targets_i) for targets_i in targets):
        raise ValueError(f"alignment {list(alignment)} must hold key indices from 0 to {n_keys - 1}, "
                         "at least one per query.")
    gen = torch.Generator().manual_seed(seed)
    k = torch.randn(n_keys, d, generator=gen)
    k = k / k.norm(dim=1, keepdim=True) * math.sqrt(d)      # every key has k . k = d exactly
    # q . k_j / sqrt(d) is about sharpness when q = sharpness / sqrt(d) * k_j (k_j . k_j is about d)
    q = torch.stack([k[t].sum(0) for t in targets]) * (sharpness / math.sqrt(d))
    q = q + noise * torch.randn(len(targets), d, generator=gen)
    return q, k, torch.eye(n_keys)


def plot_weights(weights: torch.Tensor, query_labels: Sequence[str], key_labels: Sequence[str], *,
                 title: str = "Attention weights", figsize=(5, 4)):
    """Heatmap of a ``(n_q, n_k)`` weight matrix with the numbers written in. Returns the Figure."""
    import matplotlib.pyplot as plt

    w = weights.detach().cpu().numpy()
    fig, ax = plt.subplots(figsize=figsize)
    im = ax.imshow(w, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(key_labels)), key_labels, rotation=30)
    ax.set_yticks(range(len(query_labels)), query_labels)
    for i in range(w.shape[0]):
        for j in range(w.shape[1]):
            ax.text(j, i, f"{w[i, j]:.2f}", ha="center", va="center", fontsize=8,
                    color="white" if w[i, j] > 0.6 else "black")
    ax.set_xlabel("key (source word)")
    ax.set_ylabel("query (target word)")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, label="weight (each row sums to 1)")
    fig.tight_layout()
    return fig
