"""The checks of homework 04 (the MLP) are fair: right in any correct style, wrong only where the mistake is.

Each case runs every task cell of the notebook (the solution, with one task replaced by a variant), then each visible
test cell and its task's grading questions, in this process (``_homework_harness``). A correct variant must pass
everything and earn every point; a planted mistake must fail its own task's self-check and lose points on that task
only, with a message that says what to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _homework_harness import Harness  # tests/ is on sys.path (pytest rootdir import mode)

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04_mlp_homework.ipynb"
SETUP = "import math\nimport numpy as np\nimport torch\nfrom torch import nn\n"


@pytest.fixture(scope="module")
def harness():
    return Harness(NOTEBOOK, SETUP)


def test_the_notebook_has_six_tasks_worth_fourteen_points(harness):
    assert list(harness.tasks) == ["mlp.model", "mlp.accuracy", "mlp.cross_entropy", "mlp.evaluate", "mlp.split",
                                   "mlp.train_step"]
    assert sum(harness.points.values()) == 14


def test_the_solution_passes_every_check_and_question(harness):
    run = harness.run({})
    assert run.self_check == {} and run.lost == {}
    assert run.points == run.worth


MODEL_RELU_MODULE = '''
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(784, 256)
        self.relu = nn.ReLU()
        self.out = nn.Linear(256, 10)
        self.init_params()

    def init_params(self):
        for layer in self.modules():
            if isinstance(layer, nn.Linear):
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
                nn.init.zeros_(layer.bias)

    def forward(self, x):
        return self.out(self.relu(self.hidden(x.view(x.size(0), -1))))
'''
MODEL_SEQUENTIAL = '''
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 256), nn.ReLU(), nn.Linear(256, 10))
        self.init_params()

    def init_params(self):
        for layer in self.modules():
            if isinstance(layer, nn.Linear):
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
                nn.init.zeros_(layer.bias)

    def forward(self, x):
        return self.net(x)
'''
STYLES = {
    "model: nn.ReLU module, other names, view": ("mlp.model", MODEL_RELU_MODULE),
    "model: nn.Sequential with nn.Flatten": ("mlp.model", MODEL_SEQUENTIAL),
    "accuracy: count / len": ("mlp.accuracy", "def accuracy(logits, y_true):\n"
                              "    return (logits.argmax(1) == y_true).sum().item() / len(y_true)\n"),
    "cross_entropy: gather": ("mlp.cross_entropy", "def cross_entropy(logits, y_true):\n"
                              "    return -torch.log_softmax(logits, 1).gather(1, y_true.unsqueeze(1)).mean()\n"),
    "cross_entropy: nll_loss": ("mlp.cross_entropy", "def cross_entropy(logits, y_true):\n"
                                "    return nn.functional.nll_loss(nn.functional.log_softmax(logits, dim=1), y_true)\n"),
    "split: randperm and Subset": ("mlp.split", '''
def train_val_split(dataset, val_fraction=0.1, seed=0):
    order = torch.randperm(len(dataset), generator=torch.Generator().manual_seed(seed)).tolist()
    n_val = round(len(dataset) * val_fraction)
    return torch.utils.data.Subset(dataset, order[n_val:]), torch.utils.data.Subset(dataset, order[:n_val])
'''),
}


@pytest.mark.parametrize("name", list(STYLES))
def test_another_correct_style_passes(harness, name):
    task_id, source = STYLES[name]
    run = harness.run({task_id: source})
    assert run.self_check == {} and run.lost == {}, (run.self_check, run.lost, run.messages(task_id))


# (task, piece of the solution, wrong replacement, words the failure message must contain)
MISTAKES = [
    ("mlp.model", "x.flatten(start_dim=1)", "x.flatten()", "keep the batch dimension"),     # batch flattened away
    ("mlp.model", "self.fc2(torch.relu(self.fc1(flat)))", "self.fc2(self.fc1(flat))", "linear"),  # no ReLU
    ("mlp.model", "self.fc2(torch.relu(self.fc1(flat)))", "torch.softmax(self.fc2(torch.relu(self.fc1(flat))), dim=1)",
     "no softmax"),
    ("mlp.model", "nn.Linear(256, 10)", "nn.Linear(256, 10, bias=False)", "biases"),
    ("mlp.accuracy", "(predicted == y_true).float().mean().item()", "(predicted == y_true).mean().item()", ".float()"),
    ("mlp.accuracy", "logits.argmax(dim=1)", "logits.argmax(dim=0)", "dimension 1"),
    ("mlp.accuracy", "(predicted == y_true).float().mean().item()", "(predicted == y_true).float().mean()", "float"),
    ("mlp.cross_entropy", "torch.log_softmax(logits, dim=1)", "torch.log(torch.softmax(logits, dim=1))", "overflow"),
    ("mlp.cross_entropy", "return -picked.mean()", "return -picked.sum()", "cross_entropy"),
    ("mlp.evaluate", "    model.eval()\n", "", "evaluation mode"),
    ("mlp.evaluate", "    model.train()\n", "", "model.train()"),
    ("mlp.evaluate", "loss_sum += loss_fn(logits, y).item() * len(y)", "loss_sum += loss_fn(logits, y).item()", "weigh"),
    ("mlp.split", "generator = torch.Generator().manual_seed(seed)", "generator = None", "seed"),
    ("mlp.split", "parts = torch.utils.data.random_split(dataset, [len(dataset) - n_val, n_val], generator=generator)",
     "parts = (torch.utils.data.Subset(dataset, range(len(dataset) - n_val)), "
     "torch.utils.data.Subset(dataset, range(len(dataset) - n_val, len(dataset))))", "random"),
    # issue 24: mistakes the old visible checks let through
    ("mlp.accuracy", "(predicted == y_true).float().mean().item()", "(predicted == y_true).sum().item() / logits.shape[1]",
     "accuracy on the toy batch"),
    ("mlp.split", "n_val = round(val_fraction * len(dataset))", "n_val = int(val_fraction * len(dataset))", "round"),
    ("mlp.split", "generator = torch.Generator().manual_seed(seed)", "generator = torch.manual_seed(seed)", "global"),
    ("mlp.model", "        self.init_params()\n", "", "init_params"),
    # issue 24: wrappers of shipped code where the task asks for the student's own
    ("mlp.cross_entropy", "    log_probs = torch.log_softmax(logits, dim=1)\n    picked = log_probs[torch.arange(len(y_true)), y_true]\n"
     "    return -picked.mean()", "    return nn.functional.cross_entropy(logits, y_true)", "build it yourself"),
    ("mlp.evaluate", "    model.eval()\n    loss_sum, correct, count = 0.0, 0.0, 0\n",
     "    from course_utils.training import evaluate as course_evaluate\n"
     "    found = course_evaluate(model, loader, loss_fn=loss_fn, device=device)\n"
     "    return found['loss'], found['acc']\n    loss_sum, correct, count = 0.0, 0.0, 0\n", "course_utils.training.evaluate"),
    # issue 26: the training step
    ("mlp.train_step", "    model.train()\n", "", "evaluation mode"),
    ("mlp.train_step", "    optimizer.zero_grad()\n", "", "reset the gradients"),
    ("mlp.train_step", "    return batch_loss.item()", "    return batch_loss", "float"),
    ("mlp.train_step", "    optimizer.step()\n", "", "did not change"),
]


@pytest.mark.parametrize("task_id,old,new,words", MISTAKES, ids=[f"{t}:{n.strip()[:40]}" for t, _, n, _ in MISTAKES])
def test_a_mistake_costs_its_own_task_only_with_a_message(harness, task_id, old, new, words):
    run = harness.run({task_id: harness.replace(task_id, old, new)})
    failed = run.self_check
    assert list(failed) == [task_id], failed
    assert failed[task_id].startswith("CheckFailure"), failed[task_id]
    assert words in failed[task_id], failed[task_id]
    assert list(run.lost) == [task_id], (run.lost, run.messages(task_id))
    assert run.points[task_id] < run.worth[task_id]
