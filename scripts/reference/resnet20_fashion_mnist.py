"""PyTorch referee for notebook 03-3 (article §3.3, issue #15): ResNet-20 (option A) on all of
Fashion-MNIST, the same network, data, augmentation and schedule as the notebook's full profile,
so the notebook can state what PyTorch reaches on this machine beside its own figure.

  /usr/bin/python3 scripts/reference/resnet20_fashion_mnist.py --out bench/reference/resnet20-fashion-mnist.json

Data: Debian's dataset-fashion-mnist IDX files, padded 28x28 -> 32x32 with 0 and scaled to [-1, 1]
as src/data/fashion-mnist.ts does. Training: Adam (betas 0.9/0.999, eps 1e-7 as TF.js), batch 128,
linear warm-up then cosine decay (src/training/lr-schedule.ts's learningRateAt), every batch
padded by 4 with -1, randomly cropped to 32x32 and mirrored with probability 0.5. Test accuracy on
all 10,000 test images after every epoch. Writes one JSON file (atomically) and prints it.
"""
import argparse
import gzip
import json
import math
import os
import platform
import sys
import tempfile
import time


DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"  # as src/data/locations.ts


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-dir", default=DEBIAN_DIR)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup-steps", type=int, default=200)
    p.add_argument("--min-lr-fraction", type=float, default=0.01)
    p.add_argument("--padding", type=int, default=4)
    p.add_argument("--flip", type=float, default=0.5)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--limit", type=int, default=0, help="use only the first N training and test images (a smoke test; 0 = all)")
    p.add_argument("--out", required=True, help="JSON file to write")
    return p.parse_args()


if __name__ == "__main__":
    ARGS = parse_args()
    # Before torch loads: Debian's torch uses OpenBLAS, which otherwise starts a thread per core
    # whatever torch.set_num_threads says (found by scripts/reference/tang_gpt.py).
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

from lr_schedule import learning_rate_at  # noqa: E402  (this folder is on sys.path)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
from torch_worker import CifarResNet  # noqa: E402  the bench's ResNet-20, same as src/models/resnet.ts



def read_idx(path, magic):
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    got = int.from_bytes(raw[:4], "big")
    if got != magic:
        raise SystemExit(f"{path}: IDX magic {got}, expected {magic}")
    return raw


def idx_file(directory, prefix, kind):
    for name in (f"{prefix}-{kind}-ubyte.gz", f"{prefix}-{kind}-ubyte"):
        p = os.path.join(directory, name)
        if os.path.exists(p):
            return p
    raise SystemExit(f"Fashion-MNIST file {prefix}-{kind}-ubyte[.gz] not found in {directory}; install Debian's dataset-fashion-mnist")


def load_split(directory, prefix):
    """X [n, 1, 32, 32] float32 in [-1, 1] (28x28 centred, border -1), y [n] int64."""
    images = read_idx(idx_file(directory, prefix, "images-idx3"), 2051)
    labels = read_idx(idx_file(directory, prefix, "labels-idx1"), 2049)
    n, rows, cols = (int.from_bytes(images[4 * i : 4 * i + 4], "big") for i in (1, 2, 3))
    x = torch.frombuffer(bytearray(images[16:]), dtype=torch.uint8).reshape(n, 1, rows, cols).float()
    x = F.pad((x / 255.0 - 0.5) / 0.5, (2, 2, 2, 2), value=-1.0)
    y = torch.frombuffer(bytearray(labels[8:]), dtype=torch.uint8).long()
    return x, y


def augment(x, padding, flip_p, gen):
    """Random crop of the -1-padded batch and a random mirror, per image: x [B, C, H, W]."""
    b, _, h, w = x.shape
    padded = F.pad(x, (padding,) * 4, value=-1.0)
    dy = torch.randint(0, 2 * padding + 1, (b,), generator=gen)
    dx = torch.randint(0, 2 * padding + 1, (b,), generator=gen)
    rows = (dy[:, None] + torch.arange(h))[:, None, :, None]  # [B, 1, H, 1]
    cols = (dx[:, None] + torch.arange(w))[:, None, None, :]  # [B, 1, 1, W]
    out = padded[torch.arange(b)[:, None, None, None], torch.arange(x.shape[1])[None, :, None, None], rows, cols]
    flip = torch.rand(b, generator=gen) < flip_p
    out[flip] = out[flip].flip(3)
    return out


def accuracy(net, x, y, batch=500):
    net.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (net(x[i : i + batch]).argmax(1) == y[i : i + batch]).sum().item()
    net.train()
    return correct / len(x)


def main(a):
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    x_train, y_train = load_split(a.data_dir, "train")
    x_test, y_test = load_split(a.data_dir, "t10k")
    if a.limit > 0:
        x_train, y_train, x_test, y_test = x_train[: a.limit], y_train[: a.limit], x_test[: a.limit], y_test[: a.limit]
    net = CifarResNet(20, 1, 10)
    params = sum(t.numel() for t in net.parameters())
    opt = torch.optim.Adam(net.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-7)
    n = len(x_train)
    per_epoch = math.ceil(n / a.batch)
    num_steps = a.epochs * per_epoch
    epochs, step, train_seconds = [], 0, 0.0
    for epoch in range(a.epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen)
        total, count = 0.0, 0
        for b in range(per_epoch):
            idx = perm[b * a.batch : (b + 1) * a.batch]
            for g in opt.param_groups:
                g["lr"] = learning_rate_at(step, a.lr, num_steps, a.warmup_steps, a.min_lr_fraction)
            xb = augment(x_train[idx], a.padding, a.flip, gen) if a.padding or a.flip else x_train[idx]
            loss = F.cross_entropy(net(xb), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
            count += 1
            step += 1
        train_seconds += time.perf_counter() - t0
        acc = accuracy(net, x_test, y_test)
        epochs.append({"epoch": epoch + 1, "trainLoss": total / count, "testAccuracy": acc, "trainSeconds": train_seconds})
        print(json.dumps(epochs[-1]), file=sys.stderr, flush=True)
    result = {
        "reference": "resnet20-fashion-mnist",
        "script": "scripts/reference/resnet20_fashion_mnist.py",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "cpu": platform.processor() or platform.machine(),
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "parameters": params,
        "settings": {"epochs": a.epochs, "batch": a.batch, "lr": a.lr, "warmupSteps": a.warmup_steps,
                     "minLrFraction": a.min_lr_fraction, "padding": a.padding, "flipProbability": a.flip,
                     "seed": a.seed, "trainImages": n, "testImages": len(x_test)},
        "epochs": epochs,
        "testAccuracy": epochs[-1]["testAccuracy"],
        "trainSeconds": train_seconds,
        "samplesPerSec": a.epochs * n / train_seconds,
    }
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(a.out)), suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    os.chmod(tmp, 0o644)  # mkstemp makes it private; the result is committed
    os.replace(tmp, a.out)
    print(json.dumps(result))


if __name__ == "__main__":
    main(ARGS)
