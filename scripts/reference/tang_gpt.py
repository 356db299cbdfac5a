"""PyTorch referee for notebook 08 (article §8, issue #15): the notebook's GPT trained in PyTorch on the
same windows, from the same initial weights, with the same batch order, schedule and optimiser, so the
notebook can state what PyTorch reaches on this machine beside its own validation perplexity.

  node dist/scripts/reference/export-tang-lm.js --out DIR      (the inputs; see that script)
  /usr/bin/python3 scripts/reference/tang_gpt.py --data DIR --out FILE [--threads 1] [--steps N]

The model is bench/torch_worker.py's Gpt (pre-LN blocks, GELU tanh, LayerNorm eps 1e-5, scores
scaled by 1/sqrt(d/heads), learned position embedding, output tied to the token embedding without a
bias), with the exported weights of src/models/transformer.ts copied in (our dense weights are
[in, out]; torch's Linear holds [out, in], so they are transposed). Training: Adam (0.9, 0.99, 1e-8;
TF.js's and torch's update are the same formula), learning rate per step from
src/training/lr-schedule.ts's learningRateAt (linear warm-up, cosine decay to 10%), batch b of epoch
e = rows [b*B, (b+1)*B) of the exported shuffledIndices(n, seed + e), loss = mean next-token
cross-entropy. Validation: mean loss over every predicted token of the validation windows
(evaluateLanguageModel), every epoch and at the end. Writes one JSON file (atomically) and prints a
summary; with the export's ours.json present it also prints our losses beside torch's.
"""
import argparse
import datetime
import hashlib
import json
import math
import os
import sys
import tempfile
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
from torch_worker import Gpt  # noqa: E402  the bench's GPT, the architecture of src/models/transformer.ts


def fail(message):
    raise SystemExit(f"tang_gpt.py: {message}")


def read_meta(data_dir):
    path = os.path.join(data_dir, "meta.json")
    if not os.path.exists(path):
        fail(f"{path} not found; produce it with: node dist/scripts/reference/export-tang-lm.js --out {data_dir}")
    with open(path) as f:
        meta = json.load(f)
    for key in ("settings", "config", "vocabSize", "windowLength", "trainWindows", "valWindows", "schedule", "files"):
        if key not in meta:
            fail(f"{path} has no {key!r}; re-export with export-tang-lm.js")
    return meta


def read_file(data_dir, meta, name):
    """The bytes of an exported file, checked against the sha256 meta.json recorded."""
    path = os.path.join(data_dir, name)
    if name not in meta["files"]:
        fail(f"{name} is not listed in {data_dir}/meta.json's files")
    if not os.path.exists(path):
        fail(f"{path} not found (listed in meta.json); re-export")
    raw = open(path, "rb").read()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != meta["files"][name]:
        fail(f"{path} has sha256 {digest}; meta.json expects {meta['files'][name]} (a partial or stale export)")
    return raw


def int32_rows(raw, path, rows, cols):
    """Little-endian int32 [rows, cols] as int64 (torch's index type)."""
    expected = rows * cols * 4
    if len(raw) != expected:
        fail(f"{path} has {len(raw)} bytes; expected {expected} ({rows} x {cols} int32)")
    return torch.frombuffer(bytearray(raw), dtype=torch.int32).reshape(rows, cols).long()


def load_weights(data_dir, meta, net):
    """Copy the exported initial weights of our Transformer into torch_worker's Gpt, by name."""
    c = meta["config"]
    if c["dFF"] != 4 * c["dModel"] or not c["tieWeights"]:
        fail(f"config dFF {c['dFF']}, tieWeights {c['tieWeights']}: the bench's Gpt has dFF = 4·dModel and a tied output")
    with open(os.path.join(data_dir, "weights.json")) as f:
        manifest = json.load(f)
    if hashlib.sha256(open(os.path.join(data_dir, "weights.json"), "rb").read()).hexdigest() != meta["files"]["weights.json"]:
        fail(f"{data_dir}/weights.json does not match meta.json's sha256; re-export")
    targets = {"tokEmb": (net.tok.weight, False), "posEmb": (net.pos, False), "lnf.g": (net.lnf.weight, False), "lnf.b": (net.lnf.bias, False)}
    for l, block in enumerate(net.blocks):
        targets.update({
            f"h{l}.ln1.g": (block.ln1.weight, False), f"h{l}.ln1.b": (block.ln1.bias, False),
            f"h{l}.attn.wqkv": (block.qkv.weight, True), f"h{l}.attn.bqkv": (block.qkv.bias, False),
            f"h{l}.attn.wo": (block.proj.weight, True), f"h{l}.attn.bo": (block.proj.bias, False),
            f"h{l}.ln2.g": (block.ln2.weight, False), f"h{l}.ln2.b": (block.ln2.bias, False),
            f"h{l}.mlp.w1": (block.fc1.weight, True), f"h{l}.mlp.b1": (block.fc1.bias, False),
            f"h{l}.mlp.w2": (block.fc2.weight, True), f"h{l}.mlp.b2": (block.fc2.bias, False),
        })
    names = [w["name"] for w in manifest]
    if sorted(names) != sorted(targets):
        fail(f"weights.json names {sorted(set(names) ^ set(targets))} do not match the Gpt's parameters")
    with torch.no_grad():
        for w in manifest:
            raw = read_file(data_dir, meta, w["file"])
            shape = w["shape"]
            if len(raw) != 4 * math.prod(shape):
                fail(f"{data_dir}/{w['file']} has {len(raw)} bytes; expected {4 * math.prod(shape)} (float32 {shape})")
            value = torch.frombuffer(bytearray(raw), dtype=torch.float32).reshape(shape)
            param, transpose = targets[w["name"]]
            value = value.t() if transpose else value  # ours [in, out] -> torch Linear [out, in]
            if tuple(value.shape) != tuple(param.shape):
                fail(f"{w['name']}: exported {shape} does not fit the Gpt's {list(param.shape)}")
            param.copy_(value)
    if sum(p.numel() for p in net.parameters()) != meta["parameters"]:
        fail(f"the Gpt has {sum(p.numel() for p in net.parameters())} parameters; ours has {meta['parameters']}")


def learning_rate_at(step, lr, num_steps, warmup, min_frac):
    """src/training/lr-schedule.ts's learningRateAt."""
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, num_steps - warmup))
    return lr * (min_frac + (1 - min_frac) * 0.5 * (1 + math.cos(math.pi * progress)))


def mean_loss(net, windows, batch=128):
    """Mean next-token cross-entropy over every predicted token of `windows` [n, L] (evaluateLanguageModel)."""
    net.eval()
    total, tokens = 0.0, 0
    with torch.no_grad():
        for start in range(0, windows.shape[0], batch):
            w = windows[start : start + batch]
            logits = net(w[:, :-1])  # [b, T, V]
            total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), w[:, 1:].reshape(-1), reduction="sum").item()
            tokens += w[:, 1:].numel()
    net.train()
    return total / tokens


def write_atomic(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.tmp-")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def compare_with_ours(data_dir, step_losses, val_loss):
    """Print our per-step losses (export --ours) beside torch's: the first-step and end agreement."""
    path = os.path.join(data_dir, "ours.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        ours = json.load(f)
    n = min(len(ours["stepLosses"]), len(step_losses))
    diffs = [abs(a - b) for a, b in zip(ours["stepLosses"][:n], step_losses[:n])]
    print(f"ours ({ours['engine']}) vs torch over {n} steps:")
    for i in sorted({0, 1, 2, n // 2, n - 1}):
        print(f"  step {i + 1:5d}: ours {ours['stepLosses'][i]:.6f}  torch {step_losses[i]:.6f}  |diff| {diffs[i]:.2e}")
    print(f"  max |diff| {max(diffs):.2e}; val loss ours {ours['valLoss']:.6f} torch {val_loss:.6f} (|diff| {abs(ours['valLoss'] - val_loss):.2e})")
    return {"engine": ours["engine"], "firstStepDiff": diffs[0], "maxStepDiff": max(diffs), "valLoss": ours["valLoss"], "valLossDiff": abs(ours["valLoss"] - val_loss)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="the folder export-tang-lm.js wrote")
    parser.add_argument("--out", required=True, help="the JSON result file to write")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=None, help="optimiser steps (default: the exported numSteps)")
    args = parser.parse_args()
    if args.threads < 1:
        fail(f"--threads must be at least 1; got {args.threads}")
    torch.set_num_threads(args.threads)

    meta = read_meta(args.data)
    s, c, sched = meta["settings"], meta["config"], meta["schedule"]
    num_steps = args.steps if args.steps is not None else s["numSteps"]
    if num_steps < 1:
        fail(f"--steps must be at least 1; got {num_steps}")
    L, n, B = meta["windowLength"], meta["trainWindows"], s["batchSize"]
    train = int32_rows(read_file(args.data, meta, "train-windows.i32"), "train-windows.i32", n, L)
    val = int32_rows(read_file(args.data, meta, "val-windows.i32"), "val-windows.i32", meta["valWindows"], L)
    order = int32_rows(read_file(args.data, meta, "batch-order.i32"), "batch-order.i32", sched["numEpochs"], n)
    per_epoch = sched["batchesPerEpoch"]
    if math.ceil(num_steps / per_epoch) > sched["numEpochs"]:
        fail(f"{num_steps} steps need {math.ceil(num_steps / per_epoch)} epochs of batch order; the export has {sched['numEpochs']}")
    for name, t in (("train", train), ("val", val)):
        if int(t.min()) < 0 or int(t.max()) >= meta["vocabSize"]:
            fail(f"{name} windows hold ids outside [0, {meta['vocabSize']})")

    net = Gpt(meta["vocabSize"], c["contextLength"], c["dModel"], c["numLayers"], c["numHeads"])
    load_weights(args.data, meta, net)
    net.train()
    opt = torch.optim.Adam(net.parameters(), lr=s["lr"], betas=(sched["beta1"], sched["beta2"]), eps=sched["epsilon"])
    initial_val = mean_loss(net, val)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s): V {meta['vocabSize']}, {n} windows, {num_steps} steps; initial val loss {initial_val:.5f}", flush=True)

    step_losses, curve, validation = [], [], []
    log_every, eval_seconds = sched["logEvery"], 0.0
    t0 = time.perf_counter()
    for step in range(num_steps):
        epoch, b = divmod(step, per_epoch)
        rate = learning_rate_at(step, s["lr"], num_steps, sched["warmupSteps"], sched["minLrFraction"])
        for group in opt.param_groups:
            group["lr"] = rate
        w = train[order[epoch, b * B : (b + 1) * B]]  # [B, L]
        logits = net(w[:, :-1])  # [B, T, V]
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), w[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step_losses.append(loss.item())
        done = step + 1
        if done % log_every == 0 or done == num_steps:
            since = step_losses[len(step_losses) - (done % log_every or log_every) :]
            curve.append({"step": done, "meanLoss": sum(since) / len(since)})
            print(f"  step {done:5d}  loss {curve[-1]['meanLoss']:.4f}  lr {rate:.2e}  {time.perf_counter() - t0 - eval_seconds:.0f} s", flush=True)
        if done % per_epoch == 0 or done == num_steps:
            e0 = time.perf_counter()
            validation.append({"step": done, "loss": mean_loss(net, val)})
            eval_seconds += time.perf_counter() - e0
    train_seconds = time.perf_counter() - t0 - eval_seconds
    val_loss = validation[-1]["loss"]
    tokens = num_steps * B * (L - 1)

    result = {
        "script": "scripts/reference/tang_gpt.py",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
        "settings": {**s, "numSteps": num_steps, "adam": [sched["beta1"], sched["beta2"], sched["epsilon"]], "warmupSteps": sched["warmupSteps"], "minLrFraction": sched["minLrFraction"]},
        "vocabSize": meta["vocabSize"],
        "trainWindows": n,
        "valWindows": meta["valWindows"],
        "parameters": sum(p.numel() for p in net.parameters()),
        "initialValLoss": initial_val,
        "firstStepLoss": step_losses[0],
        "valLoss": val_loss,
        "valPerplexity": math.exp(val_loss),
        "validation": validation,
        "trainLoss": curve,
        "trainSeconds": train_seconds,
        "tokensSeen": tokens,
        "tokensPerSec": tokens / train_seconds,
    }
    ours = compare_with_ours(args.data, step_losses, val_loss)
    if ours is not None:
        result["oursSameRun"] = ours
    write_atomic(args.out, json.dumps(result, indent=1) + "\n")
    print(f"val loss {val_loss:.5f}, perplexity {math.exp(val_loss):.3f}; {train_seconds:.1f} s, {tokens / train_seconds:.0f} tokens/s -> {args.out}")


if __name__ == "__main__":
    main()
