"""The demos of notebooks 02 and 03: shapes, determinism, and that each shows what it claims."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest
import torch

from course_utils.lessons.demos import (
    activations,
    attention,
    backprop,
    contrastive,
    gan,
    loading,
    mlp_backprop,
    optim,
    residual,
)

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models run much faster on one thread (no thread hand-offs); restore afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _close(fig):
    import matplotlib.pyplot as plt

    for ax in fig.axes:
        if ax.get_label() != "<colorbar>":
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel(), ax
    plt.close(fig)


# --------------------------------------------------------------------------- optimisers
def test_run_optimizer_records_the_path_and_is_the_usual_loop():
    surface = optim.SURFACES["ravine"]
    path = optim.run_optimizer(surface, lambda p: torch.optim.SGD(p, lr=0.5), steps=3)
    assert path.shape == (4, 3)
    assert tuple(path[0, :2]) == surface.start
    # one SGD step by hand: w <- w - lr * grad, grad = (0.02 w1, 2 w2)
    w1, w2 = surface.start
    assert path[1, 0] == pytest.approx(w1 - 0.5 * 0.02 * w1)
    assert path[1, 1] == pytest.approx(w2 - 0.5 * 2 * w2)
    assert path[0, 2] == pytest.approx(0.01 * w1**2 + w2**2)


def test_on_the_ravine_momentum_and_adam_beat_plain_sgd_early():
    surface = optim.SURFACES["ravine"]
    paths = optim.compare(surface, {
        "SGD": lambda p: torch.optim.SGD(p, lr=0.9),
        "momentum": lambda p: torch.optim.SGD(p, lr=0.2, momentum=0.9),
        "Adam": lambda p: torch.optim.Adam(p, lr=0.5),
    }, steps=50)
    assert list(paths) == ["SGD", "momentum", "Adam"]
    assert paths["momentum"][-1, 2] < paths["SGD"][-1, 2] / 10
    assert paths["Adam"][-1, 2] < paths["SGD"][-1, 2] / 10
    # SGD diverges above lr = 2 / (largest curvature) = 1
    diverged = optim.run_optimizer(surface, lambda p: torch.optim.SGD(p, lr=1.05), steps=50)
    assert diverged[-1, 2] > diverged[0, 2]


def test_hand_written_update_rules_follow_torch_optim():
    surface = optim.SURFACES["ravine"]
    torch_momentum = optim.run_optimizer(surface, lambda p: torch.optim.SGD(p, lr=0.2, momentum=0.9), 40)
    assert np.allclose(optim.run_update_rule(surface, "momentum", optim.momentum_step, 40, lr=0.2, momentum=0.9),
                       torch_momentum)
    torch_adam = optim.run_optimizer(surface, lambda p: torch.optim.Adam(p, lr=0.3, betas=(0.8, 0.99)), 40)
    assert np.allclose(optim.run_update_rule(surface, "adam", optim.adam_step, 40, lr=0.3, beta1=0.8, beta2=0.99),
                       torch_adam)
    # Adam's first step has size lr in every coordinate (bias correction), whatever the gradient's scale
    w, m, v = optim.adam_step([0.0, 0.0], [100.0, 0.01], [0.0, 0.0], [0.0, 0.0], 1, 0.1)
    assert np.allclose(w, [-0.1, -0.1], atol=1e-6)
    with pytest.raises(ValueError, match="momentum"):
        optim.run_update_rule(surface, "rmsprop", optim.momentum_step, 3)


def test_learning_rate_search_scores_divergence_as_inf():
    surface = optim.SURFACES["ravine"]
    best, scores = optim.tune_learning_rate(surface, lambda lr: (lambda p: torch.optim.SGD(p, lr=lr)),
                                            [0.1, 0.5, 0.9, 1.5], steps=30)
    assert scores[1.5] == math.inf and best in (0.5, 0.9)
    assert scores[best] == min(scores.values())
    _close(optim.plot_lr_search({"SGD": scores}, steps=30))


def test_optimizer_figure_and_grid():
    surface = optim.SURFACES["rosenbrock"]
    W1, W2, L = optim.grid(surface, n=30)
    assert W1.shape == W2.shape == L.shape == (30, 30)
    assert L.min() >= 0
    paths = optim.compare(surface, {"Adam": lambda p: torch.optim.Adam(p, lr=0.1)}, steps=5)
    _close(optim.plot_trajectories(surface, paths))


# --------------------------------------------------------------------------- residual
def test_two_spirals_shapes_balance_and_determinism():
    x, y = residual.two_spirals(100, seed=3)
    assert x.shape == (100, 2) and x.dtype == torch.float32
    assert y.shape == (100,) and y.dtype == torch.long and int(y.sum()) == 50
    x2, y2 = residual.two_spirals(100, seed=3)
    assert torch.equal(x, x2) and torch.equal(y, y2)
    assert not torch.equal(x, residual.two_spirals(100, seed=4)[0])


def test_deep_mlp_same_parameters_with_or_without_skips_and_kaiming_init():
    torch.manual_seed(0)
    plain, res = residual.DeepMLP(depth=5, residual=False), residual.DeepMLP(depth=5, residual=True)
    assert sum(p.numel() for p in plain.parameters()) == sum(p.numel() for p in res.parameters())
    assert plain(torch.zeros(7, 2)).shape == (7, 2)
    big = residual.DeepMLP(depth=1, width=400)
    assert big.hidden[0].weight.std().item() == pytest.approx(math.sqrt(2 / 400), rel=0.05)
    assert torch.all(big.hidden[0].bias == 0)


def test_degradation_deeper_plain_trains_worse_residual_does_not():
    """The paper's claim in miniature: training loss, plain 24 layers > plain 3 layers > residual 24 layers."""
    results = residual.compare(seeds=(0, 1), steps=120)
    final = {name: res["loss"][:, -1] for name, res in results.items()}
    assert results["plain, 3 layers"]["loss"].shape == (2, 120)
    assert np.all(final["plain, 24 layers"] > final["plain, 3 layers"])            # degradation, every seed
    assert np.all(final["residual, 24 layers"] < final["plain, 3 layers"])
    # not a vanishing gradient: the deep plain net's first layer gets at least the shallow one's gradient
    assert np.median(results["plain, 24 layers"]["first_grad"][:, 0]) > np.median(results["plain, 3 layers"]["first_grad"][:, 0])
    # no unexplained spikes: the residual loss never jumps by more than half of its value
    res_loss = results["residual, 24 layers"]["loss"]
    assert np.all(res_loss[:, 1:] < 1.5 * res_loss[:, :-1] + 1e-3)
    again = residual.compare({"residual, 24 layers": (24, True)}, seeds=(0,), steps=120)
    assert np.array_equal(again["residual, 24 layers"]["loss"][0], res_loss[0])   # deterministic
    _close(residual.plot_comparison(results))


# --------------------------------------------------------------------------- attention
def test_attention_rows_sum_to_one_and_match_torch():
    g = torch.Generator().manual_seed(0)
    q, k, v = torch.randn(2, 3, 5, 8, generator=g), torch.randn(2, 3, 7, 8, generator=g), torch.randn(2, 3, 7, 4, generator=g)
    out, w = attention.scaled_dot_product_attention(q, k, v)
    assert out.shape == (2, 3, 5, 4) and w.shape == (2, 3, 5, 7)
    assert torch.allclose(w.sum(-1), torch.ones(2, 3, 5))
    assert torch.allclose(out, torch.nn.functional.scaled_dot_product_attention(q, k, v), atol=1e-5)


def test_attention_by_hand_and_mask():
    q = torch.tensor([[1.0, 0.0]])
    k = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    v = torch.tensor([[10.0], [20.0]])
    out, w = attention.scaled_dot_product_attention(q, k, v)
    s = 1 / math.sqrt(2)                                        # scores (1, 0) / sqrt(2)
    w0 = math.exp(s) / (math.exp(s) + 1)
    assert w[0, 0].item() == pytest.approx(w0)
    assert out.item() == pytest.approx(10 * w0 + 20 * (1 - w0))
    out, w = attention.scaled_dot_product_attention(q, k, v, mask=torch.tensor([[False, True]]))
    assert w.tolist() == [[0.0, 1.0]] and out.item() == pytest.approx(20.0)


def test_toy_alignment_puts_the_weight_where_asked():
    q, k, v = attention.toy_alignment([2, 0, (1, 3)], 4, seed=1)
    assert q.shape == (3, 32) and k.shape == (4, 32) and torch.equal(v, torch.eye(4))
    _, w = attention.scaled_dot_product_attention(q, k, v)
    assert w.argmax(1)[:2].tolist() == [2, 0]
    assert w[2, 1] + w[2, 3] > 0.7 and min(w[2, 1], w[2, 3]) > 0.2
    with pytest.raises(ValueError, match="key indices"):
        attention.toy_alignment([5], 4)
    _close(attention.plot_weights(w, ["a", "b", "c"], ["w", "x", "y", "z"]))


# --------------------------------------------------------------------------- GAN
def test_gan_shapes():
    g, d = gan.make_generator(noise_dim=3), gan.make_discriminator()
    assert g(torch.zeros(5, 3)).shape == (5, 1)
    assert d(torch.zeros(5, 1)).shape == (5, 1)


def test_gan_learns_the_target_and_is_deterministic():
    target = gan.Target(4.0, 1.25)
    run = gan.train_gan(600, snapshot_steps=(0, 600), target=target, n_snapshot=1000)
    start, end = run.snapshots[0], run.snapshots[600]
    assert abs(start.mean() - target.mean) > 3                   # starts far away
    assert abs(end.mean() - target.mean) < 0.5
    assert 0.5 < end.std() < 2.0
    assert len(run.d_loss) == len(run.g_loss) == 600
    again = gan.train_gan(600, snapshot_steps=(600,), target=target, n_snapshot=1000)
    assert np.array_equal(again.snapshots[600], end)
    assert gan.Target().pdf(np.array([4.0]))[0] == pytest.approx(1 / (1.25 * math.sqrt(2 * math.pi)))
    _close(gan.plot_snapshots(run.snapshots, target))


# --------------------------------------------------------------------------- contrastive
def _nt_xent_by_hand(z1, z2, t):
    """The SimCLR formula with explicit loops."""
    z = [v / np.linalg.norm(v) for v in np.concatenate([z1, z2])]
    n = len(z1)
    total = 0.0
    for i in range(2 * n):
        p = (i + n) % (2 * n)
        num = math.exp(float(z[i] @ z[p]) / t)
        den = sum(math.exp(float(z[i] @ z[k]) / t) for k in range(2 * n) if k != i)
        total += -math.log(num / den)
    return total / (2 * n)


def test_nt_xent_matches_a_hand_computation():
    z1 = np.array([[1.0, 0.0], [0.0, 2.0]])
    z2 = np.array([[1.0, 1.0], [-1.0, 1.0]])
    got = contrastive.nt_xent_loss(torch.tensor(z1), torch.tensor(z2), temperature=0.5).item()
    assert got == pytest.approx(_nt_xent_by_hand(z1, z2, 0.5))
    # random sizes as well
    g = np.random.default_rng(0)
    a, b = g.normal(size=(6, 3)), g.normal(size=(6, 3))
    assert contrastive.nt_xent_loss(torch.tensor(a), torch.tensor(b), 0.2).item() == pytest.approx(
        _nt_xent_by_hand(a, b, 0.2))


def test_nt_xent_limits_and_errors():
    # all embeddings equal: every view is as similar to all 2N-1 others -> log(2N - 1)
    z = torch.ones(4, 3)
    assert contrastive.nt_xent_loss(z, z).item() == pytest.approx(math.log(7))
    # views that match and are orthogonal to the rest: the loss is lower
    e = torch.eye(4)
    assert contrastive.nt_xent_loss(e, e).item() < math.log(7)
    with pytest.raises(ValueError, match="shape"):
        contrastive.nt_xent_loss(torch.ones(4, 3), torch.ones(3, 3))


def test_augment_keeps_shape_and_shifts():
    x, y = contrastive.shifted_signals(8, seed=0)
    assert x.shape == (8, 32) and y.shape == (8,) and int(y.max()) < 4
    view = contrastive.augment(x, torch.Generator().manual_seed(0), noise=0.0)
    assert view.shape == x.shape
    # a rolled signal has the same values in another order
    assert torch.allclose(view.sort(dim=1).values, x.sort(dim=1).values)


def test_simclr_embedding_beats_raw_signals_without_labels():
    result = contrastive.train_simclr(steps=100)
    assert result["loss"][-1] < result["loss"][0] - 0.8
    assert result["knn_after"] > max(result["knn_raw"], result["knn_before"]) + 0.2
    assert result["z_after"].shape == (400, 16)
    _close(contrastive.plot_simclr(result))


# --------------------------------------------------------------------------- activations
def test_kaiming_keeps_the_signal_and_default_init_loses_it():
    stds = {init: activations.activation_stds(activations.relu_stack(20, 128, init)) for init in activations.INITS}
    assert all(len(s) == 20 for s in stds.values())
    assert 0.3 < stds["kaiming"][-1] < 2.0
    assert stds["default"][-1] < 1e-5 and stds["normal"][-1] < 1e-12
    # the measured per-layer factor follows the theory
    ratio = (stds["default"][-1] / stds["default"][9]) ** (1 / 10)
    assert ratio == pytest.approx(activations.expected_std_ratio("default", 128), rel=0.15)
    assert activations.activation_stds(activations.relu_stack(3, 16, "kaiming")) == \
        activations.activation_stds(activations.relu_stack(3, 16, "kaiming"))
    with pytest.raises(ValueError, match="not one of"):
        activations.relu_stack(init="xavier")
    _close(activations.plot_activation_stds(stds))


@pytest.mark.parametrize("init", activations.INITS)
def test_the_measured_preactivation_std_follows_the_prediction(init):
    """Notebook 03's theory, std(layer L) = sqrt(n v) (n v / 2)^((L-1)/2), against 20 real layers: within a
    factor of 2 at every layer (one random network; the values span up to 19 powers of ten)."""
    model = activations.relu_stack(20, 256, init, seed=0)
    measured = activations.preactivation_stds(model)
    v = activations.weight_variance(init, 256)
    predicted = [activations.predicted_std(v, 256, layer) for layer in range(1, 21)]
    assert len(measured) == 20
    for m, p in zip(measured, predicted):
        assert 0.5 < m / p < 2.0, (init, m, p)
    assert measured[0] == pytest.approx(predicted[0], rel=0.05)        # one layer: the law of large numbers


def test_inputs_and_weights_come_from_independent_streams():
    """relu_stack(seed=0) seeds torch's global generator with 0; the inputs must not replay those numbers
    (they did once: the first layer's weights were then correlated with its inputs, std 1.74 instead of 1.41)."""
    model = activations.relu_stack(1, 256, "kaiming", seed=0)
    assert activations.preactivation_stds(model)[0] == pytest.approx(math.sqrt(2), rel=0.03)


def test_predicted_std_and_weight_variance():
    assert activations.weight_variance("kaiming", 256) == 2 / 256
    assert activations.weight_variance("default", 256) == pytest.approx(1 / 768)
    assert activations.weight_variance("normal", 256, std=0.01) == pytest.approx(1e-4)
    assert activations.predicted_std(2 / 256, 256, 20) == pytest.approx(math.sqrt(2))
    assert activations.predicted_std(1 / 768, 256, 1) == pytest.approx(math.sqrt(1 / 3))
    assert activations.predicted_std(1 / 768, 256, 3) == pytest.approx(math.sqrt(1 / 3) / 6)
    with pytest.raises(ValueError, match="count from 1"):
        activations.predicted_std(1.0, 1, 0)


# --------------------------------------------------------------------------- backprop in matrix form
def test_relative_error_is_cs231ns_and_zero_where_both_are_zero():
    assert mlp_backprop.relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])) == pytest.approx(0.2 / 2.2)
    assert mlp_backprop.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert mlp_backprop.relative_error(3.0, -3.0) == pytest.approx(2.0)
    assert mlp_backprop.relative_error(np.array([]), np.array([])) == 0.0
    with pytest.raises(ValueError, match="same shape"):
        mlp_backprop.relative_error(np.zeros(2), np.zeros(3))


@pytest.mark.parametrize("n, d, h, c, seed", [(4, 5, 7, 3, 0), (32, 10, 16, 4, 1), (1, 3, 2, 2, 5)])
def test_backward_agrees_with_autograd_and_finite_differences(n, d, h, c, seed):
    from course_utils.checks.exercise import _central_difference

    params = mlp_backprop.init_params(d, h, c, seed=seed)
    x, y = mlp_backprop.toy_batch(n, d, c, seed=seed + 1)
    mine = mlp_backprop.backward(x, y, *params)
    assert [g.shape for g in mine] == [p.shape for p in params]
    report = mlp_backprop.gradient_report(mine, mlp_backprop.autograd_gradients(x, y, *params))
    assert max(report.values()) < 1e-10, report
    for k, param in enumerate(params):
        def f(v, k=k):
            q = list(params)
            q[k] = v
            return mlp_backprop.loss(x, y, *q)
        assert mlp_backprop.relative_error(mine[k], _central_difference(f, param, 1e-6)) < 1e-5


def test_the_planted_bug_shows_in_layer_1_only_and_float32_is_only_rounding():
    params = mlp_backprop.init_params(10, 16, 4, seed=0)
    x, y = mlp_backprop.toy_batch(32, 10, 4, seed=1)
    reference = mlp_backprop.autograd_gradients(x, y, *params)
    bug = mlp_backprop.gradient_report(mlp_backprop.buggy_backward(x, y, *params), reference)
    assert bug["dW1"] > 0.1 and bug["db1"] > 0.1 and bug["dW2"] < 1e-10 and bug["db2"] < 1e-10
    low = [p.astype(np.float32) for p in params]
    single = mlp_backprop.gradient_report(mlp_backprop.backward(x.astype(np.float32), y, *low), reference)
    assert all(1e-10 < e < 1e-3 for e in single.values()), single
    loss, d_scores = mlp_backprop.softmax_cross_entropy(np.array([[2.0, 0.5, -1.0]]), np.array([0]))
    assert loss == pytest.approx(0.241311, abs=1e-6)                 # notebook 01's worked example
    assert d_scores.sum() == pytest.approx(0.0, abs=1e-12)


# --------------------------------------------------------------------------- broadcasting
@pytest.mark.parametrize("a, b", [((3, 1), (4,)), ((2, 3), (3,)), ((5, 1, 4), (3, 1)), ((1,), (1,)), ((4, 1), (4, 1))])
def test_explain_agrees_with_torch(a, b):
    from course_utils.lessons.demos import broadcast

    shape, lines = broadcast.explain(a, b)
    assert shape == tuple(torch.broadcast_shapes(a, b))
    assert len(lines) == len(shape) + 1 and lines[0].startswith("align right")


def test_explain_names_the_clashing_dimension():
    from course_utils.lessons.demos import broadcast

    with pytest.raises(ValueError, match="dimension 1 .* sizes are 3 and 4"):
        broadcast.explain((2, 3), (4,))


def test_plot_broadcast_figure():
    from course_utils.lessons.demos import broadcast

    _close(broadcast.plot_broadcast(torch.arange(3.0).view(3, 1), torch.arange(4.0)))
    with pytest.raises(ValueError, match="at most 2-D"):
        broadcast.plot_broadcast(torch.zeros(2, 1, 1), torch.zeros(3))


# --------------------------------------------------------------------------- backpropagation by hand
def test_backprop_by_hand_matches_autograd():
    values = backprop.forward(w=0.8, b=-0.5, x=1.5, t=1.0)
    assert values["z"] == pytest.approx(0.8 * 1.5 - 0.5)
    grads = backprop.backward(values)
    w = torch.tensor(0.8, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(-0.5, dtype=torch.float64, requires_grad=True)
    loss = (torch.sigmoid(w * 1.5 + b) - 1.0) ** 2
    loss.backward()
    assert loss.item() == pytest.approx(values["L"])
    assert grads["dL/dw"] == pytest.approx(w.grad.item()) and grads["dL/db"] == pytest.approx(b.grad.item())
    assert backprop.reference_gradients() == (pytest.approx(w.grad.item()), pytest.approx(b.grad.item()))
    fig = backprop.draw_graph(values, grads)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "sigmoid" in texts and any(t.startswith("dL/dw = ") for t in texts)
    import matplotlib.pyplot as plt

    plt.close(fig)


# --------------------------------------------------------------------------- DataLoader workers
def test_augmented_digits_and_timing():
    images = np.random.default_rng(0).integers(0, 256, size=(6, 28, 28), dtype=np.uint8)
    data = loading.AugmentedDigits(images, np.arange(6))
    x, y = data[2]
    assert x.shape == (1, 28, 28) and x.dtype == torch.float32 and y == 2
    assert 0.0 <= x.min().item() and x.max().item() <= 1.0
    times = loading.time_epochs(data, workers=(0,), batch_size=3)
    assert set(times) == {0} and times[0]["wall"] > 0 and times[0]["main_cpu"] >= 0
    fig = loading.plot_epoch_times({0: {"wall": 1.0, "main_cpu": 0.9}, 2: {"wall": 0.6, "main_cpu": 0.05}}, cpus=2)
    assert [ax.get_xlabel() for ax in fig.axes] == ["num_workers", "num_workers"]
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_augmented_digits_pickles_by_reference():
    """A module-level Dataset class is what spawned DataLoader workers can import."""
    import pickle

    data = loading.AugmentedDigits(np.zeros((1, 28, 28), dtype=np.uint8), np.zeros(1, dtype=int))
    blob = pickle.dumps(data)
    assert b"course_utils.lessons.demos.loading" in blob and b"AugmentedDigits" in blob
