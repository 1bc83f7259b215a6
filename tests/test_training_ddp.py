"""Multi-process training: torchrun --nproc_per_node=2 on the CPU (gloo) agrees with one process."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from course_utils.training import distributed

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "train_mlp_ddp.py"
# Small and in order (no shuffling), so that the two processes' batches together are exactly the single
# process's batches; --batch-size is the total per step, split between the processes.
ARGS = ["--samples", "512", "--batch-size", "64", "--epochs", "2", "--no-shuffle", "--lr", "0.003"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _single_process(out: Path, monkeypatch) -> None:
    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    spec = importlib.util.spec_from_file_location("train_mlp_ddp_example", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    result = example.main(ARGS + ["--device", "cpu", "--no-checkpoint", "--out", str(out)])
    assert result["world_size"] == 1


@pytest.mark.integration
@pytest.mark.skipif(not (dist.is_available() and dist.is_gloo_available()), reason="needs torch.distributed + gloo")
def test_torchrun_two_processes_agree_with_one(tmp_path, monkeypatch):
    env = {**os.environ, "COURSE_DEVICE": "cpu", "COURSE_PROGRESS": "plain", "OMP_NUM_THREADS": "1",
           "COURSE_CHECKPOINT_DIR": str(tmp_path / "ckpt"), "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "torch.distributed.run", "--nnodes", "1", "--nproc_per_node", "2",
               "--master_addr", "127.0.0.1", "--master_port", str(_free_port()), str(EXAMPLE), *ARGS,
               "--out", str(tmp_path / "ddp")]
    # its own process group, so that a hanging rank is killed with the launcher, never left behind
    proc = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        pytest.fail("torchrun did not finish within 180 s (a rank hangs):\n" + stdout[-2000:] + stderr[-2000:])
    assert proc.returncode == 0, stdout[-3000:] + stderr[-3000:]
    epoch_lines = [line for line in stdout.splitlines() if line.startswith("epoch ")]
    assert len(epoch_lines) == 2, stdout  # only rank 0 prints
    assert "2 process(es)" in stdout
    assert [p.name for p in (tmp_path / "ckpt").iterdir()] == ["mlp_ddp_example.pt"]  # only rank 0 writes

    _single_process(tmp_path / "single", monkeypatch)
    ddp = json.loads((tmp_path / "ddp" / "history.json").read_text())
    single = json.loads((tmp_path / "single" / "history.json").read_text())
    assert ddp["world_size"] == 2 and single["world_size"] == 1
    assert len(ddp["history"]) == len(single["history"]) == 2
    for row_ddp, row_single in zip(ddp["history"], single["history"]):
        assert row_ddp.keys() == row_single.keys()
        for key in row_ddp:
            assert row_ddp[key] == pytest.approx(row_single[key], rel=1e-4, abs=1e-6), key
    weights_ddp = torch.load(tmp_path / "ddp" / "model.pt", weights_only=True)
    weights_single = torch.load(tmp_path / "single" / "model.pt", weights_only=True)
    for name, value in weights_single.items():
        torch.testing.assert_close(weights_ddp[name], value, rtol=1e-4, atol=1e-5)
    # the run trained: the weights moved away from the same initial ones
    assert ddp["history"][1]["train_loss"] < ddp["history"][0]["train_loss"]


def test_loaders_are_split_between_processes_without_overlap():
    data = TensorDataset(torch.arange(10).float().unsqueeze(1), torch.arange(10))
    shares = []
    for rank in range(2):
        info = distributed.DistInfo(enabled=True, rank=rank, world_size=2, local_rank=rank)
        train = distributed.distribute_loader(DataLoader(data, batch_size=2, shuffle=False), info, train=True)
        assert isinstance(train.sampler, DistributedSampler) and train.batch_size == 2
        val = distributed.distribute_loader(DataLoader(data, batch_size=4), info, train=False)
        shares.append(([int(i) for _, y in train for i in y], [int(i) for _, y in val for i in y]))
    assert shares[0][0] == [0, 2, 4, 6, 8] and shares[1][0] == [1, 3, 5, 7, 9]
    assert sorted(shares[0][1] + shares[1][1]) == list(range(10))  # validation: every sample exactly once


def test_only_dataloaders_can_be_split_and_torchrun_is_detected(monkeypatch):
    info = distributed.DistInfo(enabled=True, rank=0, world_size=2)
    with pytest.raises(TypeError, match="DataLoader"):
        distributed.distribute_loader([(torch.zeros(1), torch.zeros(1))], info, train=True)
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "1")
    assert distributed.launched_by_torchrun()
    monkeypatch.setenv("WORLD_SIZE", "1")
    assert not distributed.launched_by_torchrun()
    assert distributed.init(False) == distributed.DistInfo()
    with pytest.raises(RuntimeError, match="torchrun"):
        distributed.init(True)
