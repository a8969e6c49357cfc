#!/usr/bin/python3
"""Trains the digits CNN in float and quantizes it with PyTorch's own PTQ.

Writes, next to this script:
  data/weights/<layer>.<param>.npy   float32 weights and batch-norm statistics
  data/test_logits.npy               float32 (500, 10): the float model's test logits,
                                     so the C++ float forward can be checked against it
  data/pytorch_reference.txt         float and PyTorch int8 test accuracy, and the SQNR of
                                     PyTorch's int8 logits against its float logits (key value lines)

The model (NCHW here; lowp runs it in NHWC):
  conv1  3x3, 1 -> 16, pad 1, BN, ReLU          8x8
  dw2    3x3 depthwise 16, pad 1, BN, ReLU      8x8
  pw2    1x1, 16 -> 32, BN, ReLU                8x8
  max pool 2x2                                  4x4
  conv3  3x3, 32 -> 64, pad 1, BN, ReLU         4x4
  global average pool                           64
  fc     64 -> 10
Input: pixel / 16 (values in [0, 1]).

PyTorch PTQ: eager mode, the 'onednn' engine and its default qconfig
(get_default_qconfig('onednn'): HistogramObserver activations, per-channel
symmetric MinMax weights), Conv+BN+ReLU fused, calibrated on all training images.

Usage: /usr/bin/python3 examples/digits/train.py   (needs python3-torch; ~20 s)
"""
import os

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
SEED = 7
EPOCHS = 40
BATCH = 64


class DigitsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu1 = nn.ReLU()
        self.dw2 = nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.bn2 = nn.BatchNorm2d(16)
        self.relu2 = nn.ReLU()
        self.pw2 = nn.Conv2d(16, 32, 1)
        self.bn3 = nn.BatchNorm2d(32)
        self.relu3 = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.bn4 = nn.BatchNorm2d(64)
        self.relu4 = nn.ReLU()
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.relu1(self.bn1(self.conv1(x)))
        x = self.relu2(self.bn2(self.dw2(x)))
        x = self.relu3(self.bn3(self.pw2(x)))
        x = self.pool(x)
        x = self.relu4(self.bn4(self.conv3(x)))
        x = torch.flatten(self.gap(x), 1)
        return self.dequant(self.fc(x))


def load(split):
    x = np.load(os.path.join(DATA, f"{split}_images.npy")).astype(np.float32) / 16.0  # float16 -> exact
    y = np.load(os.path.join(DATA, f"{split}_labels.npy")).astype(np.int64)
    return torch.from_numpy(x[:, None]), torch.from_numpy(y)


def accuracy(model, x, y):
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    xtr, ytr = load("train")
    xte, yte = load("test")
    model = DigitsNet()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, EPOCHS)
    gen = torch.Generator().manual_seed(SEED)
    for _ in range(EPOCHS):
        model.train()
        for idx in torch.randperm(len(ytr), generator=gen).split(BATCH):
            opt.zero_grad()
            nn.functional.cross_entropy(model(xtr[idx]), ytr[idx]).backward()
            opt.step()
        sched.step()
    model.eval()
    float_acc = accuracy(model, xte, yte)

    wdir = os.path.join(DATA, "weights")
    os.makedirs(wdir, exist_ok=True)
    for name, t in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            continue
        np.save(os.path.join(wdir, name + ".npy"), t.detach().numpy().astype(np.float32))
    with torch.no_grad():
        np.save(os.path.join(DATA, "test_logits.npy"), model(xte).numpy().astype(np.float32))

    # PyTorch's post-training static quantization of the same model.
    torch.backends.quantized.engine = "onednn"
    qmodel = DigitsNet()
    qmodel.load_state_dict(model.state_dict())
    qmodel.eval()
    qmodel = torch.ao.quantization.fuse_modules(
        qmodel, [["conv1", "bn1", "relu1"], ["dw2", "bn2", "relu2"], ["pw2", "bn3", "relu3"],
                 ["conv3", "bn4", "relu4"]])
    qmodel.qconfig = torch.ao.quantization.get_default_qconfig("onednn")
    torch.ao.quantization.prepare(qmodel, inplace=True)
    with torch.no_grad():
        qmodel(xtr)
    torch.ao.quantization.convert(qmodel, inplace=True)
    int8_acc = accuracy(qmodel, xte, yte)
    with torch.no_grad():
        ref, q = model(xte), qmodel(xte)
        int8_sqnr = 10 * torch.log10((ref ** 2).sum() / ((ref - q) ** 2).sum()).item()

    with open(os.path.join(DATA, "pytorch_reference.txt"), "w") as f:
        f.write(f"# written by examples/digits/train.py (torch {torch.__version__}); test set of 500\n")
        f.write(f"float_accuracy {float_acc:.4f}\n")
        f.write(f"pytorch_int8_accuracy {int8_acc:.4f}\n")
        f.write(f"pytorch_int8_logits_sqnr_db {int8_sqnr:.2f}\n")
        f.write("pytorch_int8_qconfig onednn_default_histogram_per_channel\n")
        f.write("bn_eps 1e-05\n")
    print(f"float {float_acc:.4f}  pytorch int8 (onednn) {int8_acc:.4f}, logits SQNR {int8_sqnr:.2f} dB")


if __name__ == "__main__":
    main()
