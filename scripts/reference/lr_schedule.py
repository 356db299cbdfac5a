"""The learning-rate schedule of the PyTorch reference runs: src/training/lr-schedule.ts's
learningRateAt (linear warm-up, then cosine decay to lr * min_frac), one copy for both scripts."""
import math


def learning_rate_at(step, lr, num_steps, warmup, min_frac):
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, num_steps - warmup))
    return lr * (min_frac + (1 - min_frac) * 0.5 * (1 + math.cos(math.pi * progress)))
