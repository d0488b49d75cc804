"""Train the bundled LeNet-5 on scikit-learn's handwritten digits, seeded: about a minute on 2 idle CPU cores.

    python -m explorer.models.train_lenet [--epochs N] [--seed S] [--out PATH]

The data is the UCI "Optical Recognition of Handwritten Digits" test set that ships inside
scikit-learn (1,797 digits, CC BY 4.0), so nothing is downloaded. Those digits exist only as 8x8 ink
counts; each is framed in 32x32 by ``digits.frame_blocks``, the last step of ``prepare_digit``. A fixed,
stratified 20% is held out for testing. Augmentation redraws each digit as a 32x32 bitmap, bends it
(rotation, slant, width and height), makes its strokes thinner or thicker, and turns it back into
8x8 blocks with ``digits.digit_blocks``, the same code that reads a photo, so the network meets canvas
drawings and photographs already in training. scikit-learn is needed here only, not by the app.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from explorer.models.digits import INPUT_SIZE, digit_blocks, frame_blocks
from explorer.models.lenet import LENET_WEIGHTS, build_lenet5

SPLIT_SEED = 0
"""Seed of the held-out split; fixed apart from --seed so tests can recreate the same test digits."""
TEST_SHARE = 0.2
COPIES_PER_EPOCH = 6
"""Augmented copies of every training digit in one epoch (plus the digit itself, unchanged)."""
BATCH = 64


def load_digit_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's digits as 8x8 blocks in [0, 1], split 80/20 stratified with ``SPLIT_SEED``.

    Returns (train blocks, train labels, test blocks, test labels).
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    blocks = (digits.images / 16.0).astype(np.float32)
    train_x, test_x, train_y, test_y = train_test_split(
        blocks, digits.target, test_size=TEST_SHARE, stratify=digits.target, random_state=SPLIT_SEED
    )
    return train_x, train_y.astype(np.int64), test_x, test_y.astype(np.int64)


def framed(blocks: np.ndarray) -> np.ndarray:
    """A stack of 8x8 block digits framed as N x 32 x 32 network inputs."""
    return np.stack([frame_blocks(b) for b in blocks]).astype(np.float32)


def augment(blocks: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One random variant of an 8x8 digit, as a 32x32 input: bent, re-stroked, re-blocked and reframed."""
    bitmap = np.clip(cv2.resize(np.pad(blocks, 1), (40, 40), interpolation=cv2.INTER_CUBIC), 0, 1)
    angle = math.radians(rng.uniform(-15, 15))
    slant = rng.uniform(-0.25, 0.25)
    sx, sy = rng.uniform(0.7, 1.25), rng.uniform(0.85, 1.15)
    linear = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    linear = linear @ np.array([[sx, slant], [0, sy]])
    centre = np.array([19.5, 19.5])
    matrix = np.hstack([linear, (centre - linear @ centre)[:, None]]).astype(np.float32)
    bent = cv2.warpAffine(bitmap, matrix, (40, 40), flags=cv2.INTER_LINEAR, borderValue=0)
    strokes = bent > rng.uniform(0.15, 0.75) * bent.max()  # a low cut thickens the strokes, a high one thins them
    digit = frame_blocks(digit_blocks(strokes.astype(np.float32)))
    return _jitter(digit, rng)


def _jitter(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Shift by up to 2 px, scale by 0.9-1.1 and turn by up to 5 degrees: framing is never exact."""
    centre = (INPUT_SIZE - 1) / 2
    turn = cv2.getRotationMatrix2D((centre, centre), rng.uniform(-5, 5), rng.uniform(0.9, 1.1))
    matrix = np.asarray(turn, np.float64)
    matrix[:, 2] += rng.uniform(-2, 2, size=2)
    return cv2.warpAffine(digit, matrix, (INPUT_SIZE, INPUT_SIZE), flags=cv2.INTER_LINEAR, borderValue=0)


def epoch_data(blocks: np.ndarray, labels: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Every training digit once as it is plus ``COPIES_PER_EPOCH`` augmented variants."""
    images = [framed(blocks)]
    images += [np.stack([augment(b, rng) for b in blocks]) for _ in range(COPIES_PER_EPOCH)]
    return np.concatenate(images).astype(np.float32), np.tile(labels, COPIES_PER_EPOCH + 1)


def accuracy(model: nn.Module, images: np.ndarray, labels: np.ndarray) -> float:
    """Share of ``images`` (N x 32 x 32) that ``model`` labels correctly."""
    with torch.inference_mode():
        logits = model(torch.from_numpy(images)[:, None])
    return float((logits.argmax(1).numpy() == labels).mean())


def train(epochs: int, seed: int, log: Callable[[str], None] = print) -> tuple[nn.Module, float, float]:
    """Train a fresh LeNet-5; returns (model in eval mode, train accuracy, held-out test accuracy)."""
    torch.manual_seed(seed)
    np.random.seed(seed)
    rng = np.random.default_rng(seed)
    train_x, train_y, test_x, test_y = load_digit_split()
    clean_train, test_images = framed(train_x), framed(test_x)
    model = build_lenet5(pretrained=False)
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = epochs * math.ceil(len(train_x) * (COPIES_PER_EPOCH + 1) / BATCH)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=2e-3, total_steps=steps)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    order = torch.Generator().manual_seed(seed)
    for epoch in range(1, epochs + 1):
        images, labels = epoch_data(train_x, train_y, rng)
        x, y = torch.from_numpy(images)[:, None], torch.from_numpy(labels)
        model.train()
        for batch in torch.randperm(len(x), generator=order).split(BATCH):
            optimiser.zero_grad()
            loss = loss_fn(model(x[batch]), y[batch])
            loss.backward()
            optimiser.step()
            schedule.step()
        model.eval()
        held_out = accuracy(model, test_images, test_y)
        log(f"epoch {epoch:2d}/{epochs}  loss {loss.item():.3f}  held-out test accuracy {held_out:.2%}")
    return model, accuracy(model, clean_train, train_y), accuracy(model, test_images, test_y)


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, train, print accuracies and write the float32 state dict."""
    parser = argparse.ArgumentParser(prog="python -m explorer.models.train_lenet", description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=12, help="passes over the augmented training digits")
    parser.add_argument("--seed", type=int, default=0, help="seed for weights, augmentation and batch order")
    parser.add_argument("--out", type=Path, default=LENET_WEIGHTS, help="where to write the state dict")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    started = time.perf_counter()
    model, train_acc, test_acc = train(args.epochs, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({name: value.float().contiguous() for name, value in model.state_dict().items()}, args.out)
    print(f"train accuracy {train_acc:.2%}  held-out test accuracy {test_acc:.2%}")
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
