"""PyTorch reference for `npm run bench` (issue #9): the §5 LeNet trained with SGD(lr 0.001,
momentum 0.9) on cross-entropy, random CIFAR-shaped data, timed over a fixed number of steps.

A long-lived worker so the bench can alternate ours/torch without paying torch's import each time.
Protocol (one request per stdin line, one JSON reply per stdout line):
  train <batch> <threads> <steps>   -> {"samples_per_sec": ...}
  infer <batch> <threads> <steps>   -> {"samples_per_sec": ...}
  quit
First line printed: {"ready": true, "torch": "<version>"} (or {"ready": false, "error": "..."}).
"""
import json
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as e:  # torch not importable: the bench reports ours alone
    print(json.dumps({"ready": False, "error": f"{type(e).__name__}: {e}"}), flush=True)
    sys.exit(0)


class Net(nn.Module):
    """The tutorial's network (article §5.2), unchanged."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


N = 4096
BUDGET_S = 4.0  # a timed run stops early after this many seconds (the rate is what is reported)
gen = torch.Generator().manual_seed(0)
# CIFAR-shaped random data [N, 32, 32, 3], laid out NCHW as the tutorial's DataLoader gives it.
X = torch.rand((N, 32, 32, 3), generator=gen).permute(0, 3, 1, 2).contiguous()
Y = torch.randint(0, 10, (N,), generator=gen)


def train(batch, steps):
    torch.manual_seed(1)
    net = Net()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    perm = torch.randperm(N, generator=torch.Generator().manual_seed(2))
    per_epoch = N // batch

    def step(i):
        idx = perm[(i % per_epoch) * batch:(i % per_epoch + 1) * batch]
        inputs, labels = X[idx], Y[idx]
        optimizer.zero_grad()
        loss = criterion(net(inputs), labels)
        loss.backward()
        optimizer.step()
        return loss

    for i in range(max(3, steps // 10)):  # warm-up
        step(i)
    t0 = time.perf_counter()
    done = 0
    for i in range(steps):
        loss = step(i)
        done += 1
        if done >= 20 and time.perf_counter() - t0 > BUDGET_S:  # a starved setting (e.g. 2 threads on a busy machine)
            break
    loss.item()
    return batch * done / (time.perf_counter() - t0)


def infer(batch, steps):
    torch.manual_seed(1)
    net = Net().eval()
    with torch.no_grad():
        net(X[:batch]).argmax(1)
        t0 = time.perf_counter()
        for i in range(steps):
            s = (i * batch) % (N - batch)
            net(X[s:s + batch]).argmax(1)
        return batch * steps / (time.perf_counter() - t0)


print(json.dumps({"ready": True, "torch": torch.__version__}), flush=True)
for line in sys.stdin:
    parts = line.split()
    if not parts or parts[0] == "quit":
        break
    kind, batch, threads, steps = parts[0], int(parts[1]), int(parts[2]), int(parts[3])
    torch.set_num_threads(threads)
    fn = train if kind == "train" else infer
    print(json.dumps({"samples_per_sec": fn(batch, steps)}), flush=True)
