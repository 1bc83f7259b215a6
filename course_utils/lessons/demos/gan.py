"""A generative adversarial network (GAN) in one dimension.

The "data" are numbers drawn from a normal distribution ``N(mean, std)``. The generator ``G``
turns random noise into numbers; the discriminator ``D`` outputs a logit, "real" vs "fake".
They take turns: ``D`` learns to tell real from generated numbers, then ``G`` learns to make ``D``
call its numbers real. If both keep up, the generated numbers end up distributed like the data.

The notebook writes the training loop out; ``train_gan`` is the same loop, for reuse and tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn


@dataclass(frozen=True)
class Target:
    """The real data: ``N(mean, std)``."""

    mean: float = 4.0
    std: float = 1.25

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """``n`` real samples, shape ``(n, 1)``, float32."""
        return self.mean + self.std * torch.randn(n, 1, generator=generator)

    def pdf(self, x: np.ndarray) -> np.ndarray:
        """The density at ``x`` (for drawing over a histogram)."""
        return np.exp(-0.5 * ((x - self.mean) / self.std) ** 2) / (self.std * np.sqrt(2 * np.pi))


def make_generator(noise_dim: int = 4, hidden: int = 32) -> nn.Module:
    """Noise ``(batch, noise_dim)`` -> a number ``(batch, 1)``."""
    return nn.Sequential(nn.Linear(noise_dim, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1))


def make_discriminator(hidden: int = 32) -> nn.Module:
    """A number ``(batch, 1)`` -> a logit ``(batch, 1)``: large means "real"."""
    return nn.Sequential(nn.Linear(1, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
                         nn.Linear(hidden, 1))


@dataclass
class GANRun:
    """What ``train_gan`` returns.

    Attributes:
        generator, discriminator: the trained networks.
        d_loss, g_loss: the losses at every step.
        snapshots: ``{step: samples}``, generated numbers (a NumPy array) at the requested steps.
    """

    generator: nn.Module
    discriminator: nn.Module
    d_loss: list = field(default_factory=list)
    g_loss: list = field(default_factory=list)
    snapshots: dict = field(default_factory=dict)


def train_gan(steps: int = 1200, *, batch: int = 128, lr: float = 1e-3, noise_dim: int = 4,
              target: Target = Target(), snapshot_steps=(0, 100, 400, 1200), n_snapshot: int = 2000,
              seed: int = 0) -> GANRun:
    """Train a 1-D GAN with the standard (non-saturating) losses and Adam(lr, betas=(0.5, 0.999)).

    Snapshots are taken *before* the update of each step in ``snapshot_steps`` (step ``steps``
    means after training), from one fixed noise batch of ``n_snapshot`` rows.
    """
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    G, D = make_generator(noise_dim), make_discriminator()
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
    fixed_noise = torch.randn(n_snapshot, noise_dim, generator=gen)
    run = GANRun(G, D)
    for step in range(steps + 1):
        if step in snapshot_steps:
            with torch.no_grad():
                run.snapshots[step] = G(fixed_noise).squeeze(1).numpy()
        if step == steps:
            break
        # 1) discriminator: real -> 1, fake -> 0 (detach: do not update G here)
        real = target.sample(batch, gen)
        fake = G(torch.randn(batch, noise_dim, generator=gen))
        d_loss = bce(D(real), ones) + bce(D(fake.detach()), zeros)
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        # 2) generator: make D say 1 for fakes
        g_loss = bce(D(fake), ones)
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        run.d_loss.append(d_loss.item())
        run.g_loss.append(g_loss.item())
    return run


def plot_snapshots(snapshots: dict, target: Target = Target(), *, figsize=(11, 2.8)):
    """One histogram per snapshot, with the target density drawn over it. Returns the Figure."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(snapshots), figsize=figsize, sharey=True)
    axes = np.atleast_1d(axes)
    xs = np.linspace(target.mean - 4 * target.std, target.mean + 4 * target.std, 200)
    bins = np.linspace(xs[0] - 4, xs[-1], 50)
    for ax, (step, samples) in zip(axes, sorted(snapshots.items())):
        ax.hist(np.clip(samples, bins[0], bins[-1]), bins=bins, density=True, alpha=0.6, label="generated")
        ax.plot(xs, target.pdf(xs), "k", lw=1.5, label="real data")
        ax.set_title(f"step {step}: mean {samples.mean():.2f}, std {samples.std():.2f}", fontsize=9)
        ax.set_xlabel("value")
        ax.set_ylabel("density")
    axes[-1].legend(fontsize=8, loc="upper left")     # the last panel's upper left is empty: the data sit near the target
    fig.suptitle(f"Generated numbers vs the real N({target.mean}, {target.std})", y=1.0)
    fig.tight_layout()
    return fig
