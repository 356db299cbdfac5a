"""PyTorch referee for notebook 08 (article §8, issue #15): the notebook's GPT trained in PyTorch on the
same windows, from the same initial weights, with the same batch order, schedule and optimiser, so the
notebook can state what PyTorch reaches on this machine beside its own validation perplexity.

  node dist/scripts/reference/export-tang-lm.js --out DIR      (the inputs; see that script)
  /usr/bin/python3 scripts/reference/tang_gpt.py --data DIR --out FILE [--threads 1] [--steps N]
      [--checkpoint-every 50] [--fresh]
  (npm run reference:tang-gpt does both at the notebook's full profile -> bench/reference/tang-gpt.json)

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

Every --checkpoint-every steps the model, Adam's moments and the run so far are saved in DIR
(checkpoint-<steps>-steps.pt); a run started again on the same export resumes there (--fresh
ignores it), so an interrupted run on a busy machine is not lost. Times: wall seconds and the
process's CPU seconds (with one thread, the compute it got; less disturbed by other jobs).
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


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="the folder export-tang-lm.js wrote")
    parser.add_argument("--out", required=True, help="the JSON result file to write")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=None, help="optimiser steps (default: the exported numSteps)")
    parser.add_argument("--checkpoint-every", type=int, default=50, help="save a resumable checkpoint in --data every N steps (0: never)")
    parser.add_argument("--fresh", action="store_true", help="ignore a checkpoint of an earlier, interrupted run")
    return parser.parse_args()


if __name__ == "__main__":
    ARGS = parse_args()
    if ARGS.threads < 1:
        raise SystemExit(f"tang_gpt.py: --threads must be at least 1; got {ARGS.threads}")
    # Before torch loads: Debian's torch calls OpenBLAS, which otherwise starts a thread per core.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

from lr_schedule import learning_rate_at  # noqa: E402  (this folder is on sys.path)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

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


def checkpoint_path(data_dir, num_steps):
    return os.path.join(data_dir, f"checkpoint-{num_steps}-steps.pt")


def save_checkpoint(path, state):
    """torch.save to a temporary sibling, then rename: an interrupted save leaves the previous checkpoint."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=f".{os.path.basename(path)}.tmp-")
    os.close(fd)
    try:
        torch.save(state, tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(args):
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
    meta_sha = hashlib.sha256(open(os.path.join(args.data, "meta.json"), "rb").read()).hexdigest()
    ckpt_file = checkpoint_path(args.data, num_steps)
    # Everything a resumed run needs; the data and batch order come from the export, so a resumed run takes the same steps.
    run = {"step": 0, "stepLosses": [], "curve": [], "validation": [], "trainSeconds": 0.0, "cpuSeconds": 0.0, "resumedAt": []}
    if os.path.exists(ckpt_file) and not args.fresh:
        saved = torch.load(ckpt_file)
        if saved.get("metaSha256") != meta_sha:
            fail(f"{ckpt_file} belongs to another export (meta.json changed); delete it or pass --fresh")
        net.load_state_dict(saved["model"])
        opt.load_state_dict(saved["optimizer"])
        run = saved["run"]
        run["resumedAt"].append(run["step"])
        print(f"resuming from {ckpt_file} at step {run['step']}", flush=True)
    else:
        run["initialValLoss"] = mean_loss(net, val)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} thread(s): V {meta['vocabSize']}, {n} windows, {num_steps} steps; "
        f"initial val loss {run['initialValLoss']:.5f}",
        flush=True,
    )

    log_every, step_losses = sched["logEvery"], run["stepLosses"]
    t0, cpu0 = time.perf_counter(), time.process_time()
    wall_before, cpu_before, eval_wall, eval_cpu = run["trainSeconds"], run["cpuSeconds"], 0.0, 0.0

    def note_time():
        run["trainSeconds"] = wall_before + time.perf_counter() - t0 - eval_wall
        run["cpuSeconds"] = cpu_before + time.process_time() - cpu0 - eval_cpu

    for step in range(run["step"], num_steps):
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
        done = run["step"] = step + 1
        note_time()
        if done % log_every == 0 or done == num_steps:
            since = step_losses[len(step_losses) - (done % log_every or log_every) :]
            run["curve"].append({"step": done, "meanLoss": sum(since) / len(since)})
            print(f"  step {done:5d}  loss {run['curve'][-1]['meanLoss']:.4f}  lr {rate:.2e}  {run['trainSeconds']:.0f} s ({run['cpuSeconds']:.0f} s CPU)", flush=True)
        if done % per_epoch == 0 or done == num_steps:
            e0, c0 = time.perf_counter(), time.process_time()
            run["validation"].append({"step": done, "loss": mean_loss(net, val)})
            eval_wall += time.perf_counter() - e0
            eval_cpu += time.process_time() - c0
        if args.checkpoint_every > 0 and done % args.checkpoint_every == 0 and done < num_steps:
            save_checkpoint(ckpt_file, {"metaSha256": meta_sha, "model": net.state_dict(), "optimizer": opt.state_dict(), "run": run})

    val_loss = run["validation"][-1]["loss"]
    tokens = num_steps * B * (L - 1)
    result = {
        "script": "scripts/reference/tang_gpt.py",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
        "settings": {
            **s,
            "numSteps": num_steps,
            "adam": [sched["beta1"], sched["beta2"], sched["epsilon"]],
            "warmupSteps": sched["warmupSteps"],
            "minLrFraction": sched["minLrFraction"],
        },
        "vocabSize": meta["vocabSize"],
        "trainWindows": n,
        "valWindows": meta["valWindows"],
        "parameters": sum(p.numel() for p in net.parameters()),
        "initialValLoss": run["initialValLoss"],
        "firstStepLoss": step_losses[0],
        "valLoss": val_loss,
        "valPerplexity": math.exp(val_loss),
        "validation": run["validation"],
        "trainLoss": run["curve"],
        "trainSeconds": run["trainSeconds"],
        "trainCpuSeconds": run["cpuSeconds"],
        "tokensSeen": tokens,
        "tokensPerSec": tokens / run["trainSeconds"],
        # One thread: CPU time is the compute the run got, less disturbed than wall time on a shared machine.
        "tokensPerCpuSec": tokens / run["cpuSeconds"],
        "resumedAtSteps": run["resumedAt"],
    }
    ours = compare_with_ours(args.data, step_losses, val_loss)
    if ours is not None:
        result["oursSameRun"] = ours
    write_atomic(args.out, json.dumps(result, indent=1) + "\n")
    if os.path.exists(ckpt_file):
        os.unlink(ckpt_file)
    print(
        f"val loss {val_loss:.5f}, perplexity {math.exp(val_loss):.3f}; {run['trainSeconds']:.1f} s, "
        f"{tokens / run['trainSeconds']:.0f} tokens/s ({tokens / run['cpuSeconds']:.0f} per CPU-second) -> {args.out}"
    )


if __name__ == "__main__":
    main(ARGS)
