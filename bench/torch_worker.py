"""PyTorch reference for `npm run bench` (issue #14): every model the runbook trains, built with the
same architecture and parameter count as ours, trained with the same optimiser on seeded random data.

The bench (scripts/bench.ts) describes each case as a JSON spec (scripts/bench/cases.ts) and starts
one long-lived worker per PyTorch configuration (threads, allocator environment), so it can
alternate ours/torch without paying torch's import each time.

  torch_worker.py serve --threads N   one JSON request per stdin line, one JSON reply per stdout line:
      {"cmd": "train", "spec": {...}, "steps": S, "budget": B} -> {"rate": samples/s, "steps": done}
      {"cmd": "count", "spec": {...}}                           -> {"params": N, "comparable": N}
      {"cmd": "quit"}
    first line printed: {"ready": true, "torch": "<version>", "threads": N} (or {"ready": false, "error": ...})
  torch_worker.py count '<spec json>'  prints {"params": N, "comparable": N} and exits

"comparable" is the count to set beside ours: equal to "params" except for the GRU, whose PyTorch
cell has a second bias (b_hn, on the recurrent side: reset_after) that Keras/TF.js's reset-before
GRU does not have; its 3·units entries are left out.
"""
import argparse
import copy
import json
import math
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as e:  # torch not importable: the bench reports ours alone
    print(json.dumps({"ready": False, "error": f"{type(e).__name__}: {e}"}), flush=True)
    sys.exit(0)


# --- models ---------------------------------------------------------------------------------------


class LeNet(nn.Module):
    """The tutorial's network (article §5.2), unchanged: input [B, 3, 32, 32]."""

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


class BasicBlock(nn.Module):
    """3×3 conv (stride) → BN → ReLU → 3×3 conv → BN, plus an option-A shortcut, then ReLU."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
        self.stride = stride
        self.extra = cout - cin

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        sc = x
        if self.stride != 1 or self.extra:
            # Option A: subsample x[:, :, ::2, ::2] and zero-pad the new channels, half before, half after.
            sc = x[:, :, :: self.stride, :: self.stride]
            before = self.extra // 2
            sc = F.pad(sc, (0, 0, 0, 0, before, self.extra - before))
        return F.relu(h + sc)


class CifarResNet(nn.Module):
    """He et al.'s CIFAR ResNet (6n + 2 layers), src/models/resnet.ts's buildCifarResNet with shortcut A."""

    def __init__(self, depth, channels, classes):
        super().__init__()
        n = (depth - 2) // 6
        self.stem = nn.Conv2d(channels, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16, eps=1e-5, momentum=0.1)
        blocks, cin = [], 16
        for s, width in enumerate([16, 32, 64]):
            for b in range(n):
                blocks.append(BasicBlock(cin, width, 2 if b == 0 and s > 0 else 1))
                cin = width
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.blocks(F.relu(self.bn(self.stem(x))))
        return self.fc(x.mean((2, 3)))


class GptBlock(nn.Module):
    """Pre-LN block: x + Attn(LN(x)), x + MLP(LN(x)); causal multi-head attention, GELU (tanh)."""

    def __init__(self, d, heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(d, eps=1e-5)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d, eps=1e-5)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)
        self.heads = heads

    def forward(self, x, mask):
        B, T, d = x.shape
        H = self.heads
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q, k, v = (t.view(B, T, H, d // H).transpose(1, 2) for t in (q, k, v))  # [B, H, T, dh]
        att = torch.softmax(q @ k.transpose(-2, -1) * (1.0 / math.sqrt(d // H)) + mask[:T, :T], dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, d)
        x = x + self.proj(y)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate="tanh"))


class Gpt(nn.Module):
    """src/models/transformer.ts's Transformer: token + position embedding, pre-LN blocks, final LN, tied output."""

    def __init__(self, vocab, context, d, layers, heads):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(context, d) * 0.02)
        self.blocks = nn.ModuleList([GptBlock(d, heads) for _ in range(layers)])
        self.lnf = nn.LayerNorm(d, eps=1e-5)
        nn.init.normal_(self.tok.weight, std=0.02)
        self.register_buffer("mask", torch.full((context, context), float("-inf")).triu(1))

    def forward(self, tokens):
        T = tokens.shape[1]
        x = self.tok(tokens) + self.pos[:T]
        for block in self.blocks:
            x = block(x, self.mask)
        return self.lnf(x) @ self.tok.weight.t()  # [B, T, V], no output bias (GPT-2)


class Mlp(nn.Module):
    """buildMlp: dense ReLU layers, logits out."""

    def __init__(self, inputs, hidden, classes):
        super().__init__()
        sizes = [inputs, *hidden, classes]
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])])

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = F.relu(layer(x))
        return self.layers[-1](x)


class GruForecaster(nn.Module):
    """GRU(units) → dense(1) on the last state: input [B, L, F], output [B, 1]."""

    def __init__(self, features, units):
        super().__init__()
        self.gru = nn.GRU(features, units, batch_first=True)
        self.fc = nn.Linear(units, 1)

    def forward(self, x):
        _, h = self.gru(x)  # h [1, B, units]
        return self.fc(h[0])


def build(spec):
    m = spec["model"]
    if m == "lenet":
        return LeNet()
    if m == "resnet":
        return CifarResNet(spec["depth"], spec["inputShape"][2], spec["classes"])
    if m == "gpt":
        return Gpt(spec["vocab"], spec["context"], spec["dModel"], spec["layers"], spec["heads"])
    if m == "mlp":
        return Mlp(spec["inputs"], spec["hidden"], spec["classes"])
    if m == "gru":
        return GruForecaster(spec["features"], spec["units"])
    raise ValueError(f"spec.model: unknown model {m!r}; expected lenet, resnet, gpt, mlp or gru")


def count(spec):
    net = build(spec)
    params = sum(p.numel() for p in net.parameters())
    comparable = params - net.gru.bias_hh_l0.numel() if spec["model"] == "gru" else params
    return {"params": params, "comparable": comparable}


# --- data and training ----------------------------------------------------------------------------


def make_data(spec, gen):
    """Seeded random inputs and targets shaped as the case's: X [n, ...], Y [n] (or [n, 1] / [n, L])."""
    n, m = spec["n"], spec["model"]
    if m == "lenet" or m == "resnet":
        h, w, c = spec["inputShape"]
        return torch.rand((n, c, h, w), generator=gen), torch.randint(0, spec["classes"], (n,), generator=gen)
    if m == "gpt":
        seq = torch.randint(0, spec["vocab"], (n, spec["context"] + 1), generator=gen)
        return seq[:, :-1].contiguous(), seq[:, 1:].contiguous()
    if m == "mlp":
        return torch.randn((n, spec["inputs"]), generator=gen), torch.randint(0, spec["classes"], (n,), generator=gen)
    return torch.randn((n, spec["window"], spec["features"]), generator=gen), torch.randn((n, 1), generator=gen)


def optimizer_for(spec, params):
    o = spec["optimizer"]
    if o["kind"] == "sgd":
        return torch.optim.SGD(params, lr=o["lr"], momentum=o.get("momentum", 0))
    return torch.optim.Adam(params, lr=o["lr"], betas=(0.9, o.get("beta2", 0.999)), eps=o.get("eps", 1e-7))


def loss_of(spec, out, y):
    if spec["model"] == "gpt":
        return F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1))
    if spec["model"] == "gru":
        return F.l1_loss(out, y)
    return F.cross_entropy(out, y)


def train(spec, steps, budget):
    """Samples/s over `steps` optimiser steps (stopping early after `budget` s, at least 2 steps) after a warm-up."""
    gen = torch.Generator().manual_seed(0)
    X, Y = make_data(spec, gen)
    torch.manual_seed(1)
    net = build(spec)
    net.train()
    opt = optimizer_for(spec, net.parameters())
    n, batch = spec["n"], spec["batch"]
    # Classifier loops keep an epoch's last, smaller batch (trainClassifier); the LM loop drops it.
    per_epoch = math.ceil(n / batch) if spec.get("partialBatches", True) else n // batch
    val = make_data({**spec, "n": spec["validation"]}, gen) if spec.get("validation") else None
    best, best_loss = None, float("inf")
    state = {"perm": None, "step": 0}

    def step():
        b = state["step"] % per_epoch
        if b == 0:
            state["perm"] = torch.randperm(n, generator=gen)
        idx = state["perm"][b * batch : (b + 1) * batch]
        opt.zero_grad()
        loss = loss_of(spec, net(X[idx]), Y[idx])
        loss.backward()
        opt.step()
        state["step"] += 1
        if spec.get("readLoss"):
            loss.item()  # trainForecaster reads every step's loss
        return len(idx)

    def end_of_epoch():
        # trainForecaster's epoch end: validation MAE, keep the best weights.
        nonlocal best, best_loss
        with torch.no_grad():
            net.eval()
            v = F.l1_loss(net(val[0]), val[1]).item()
            net.train()
        if v < best_loss:
            best_loss, best = v, copy.deepcopy(net.state_dict())

    for _ in range(spec.get("warmup", 3)):
        step()
    state["step"] = 0
    t0 = time.perf_counter()
    samples = 0
    for i in range(steps):
        samples += step()
        if val is not None and state["step"] % per_epoch == 0:
            end_of_epoch()
        if i + 1 >= 2 and time.perf_counter() - t0 > budget:  # a starved setting (e.g. 2 threads on a busy machine)
            break
    if best is not None:
        net.load_state_dict(best)
    return {"rate": samples / (time.perf_counter() - t0), "steps": state["step"]}


def serve(threads):
    torch.set_num_threads(threads)
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            if req["cmd"] == "quit":
                break
            if req["cmd"] == "count":
                reply = count(req["spec"])
            elif req["cmd"] == "train":
                reply = train(req["spec"], int(req["steps"]), float(req.get("budget", 4.0)))
            else:
                reply = {"error": f"unknown cmd {req['cmd']!r}; expected train, count or quit"}
        except Exception as e:  # reported to the bench, which names the case
            reply = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--threads", type=int, default=1)
    c = sub.add_parser("count")
    c.add_argument("spec", help="a case spec as JSON")
    args = parser.parse_args()
    if args.command == "count":
        print(json.dumps(count(json.loads(args.spec))))
    else:
        serve(args.threads)
