#!/usr/bin/python3
"""Exports scikit-learn's handwritten digits to examples/digits/data/ as .npy files.

Data: 1797 grey 8x8 images, pixel values 0..16, labels 0..9. It is the test part
of the UCI "Optical Recognition of Handwritten Digits" data set (E. Alpaydin,
C. Kaynak, 1998; https://archive.ics.uci.edu/dataset/80, CC BY 4.0) as shipped in
scikit-learn (BSD-3-Clause, sklearn/datasets/data/digits.csv.gz). See data/LICENSE.

The split is fixed: a seeded permutation, the first 1297 images for training and
calibration, the last 500 for testing. Images (N, 8, 8) and labels (N,) are
stored as float16, which holds the integers 0..16 exactly and is a dtype lowp's
.npy reader accepts; the four files total about 234 kB.

Usage: /usr/bin/python3 examples/digits/export_digits.py
"""
import os

import numpy as np
from sklearn.datasets import load_digits

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240607
N_TEST = 500


def main():
    digits = load_digits()
    images = digits.images.astype(np.float16)  # integers 0..16, exact in float16
    assert np.array_equal(images, digits.images), "digits pixels are not small integers"
    labels = digits.target.astype(np.float16)
    perm = np.random.RandomState(SEED).permutation(len(labels))
    train, test = perm[:-N_TEST], perm[-N_TEST:]
    out = os.path.join(HERE, "data")
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "train_images.npy"), np.ascontiguousarray(images[train]))
    np.save(os.path.join(out, "train_labels.npy"), labels[train])
    np.save(os.path.join(out, "test_images.npy"), np.ascontiguousarray(images[test]))
    np.save(os.path.join(out, "test_labels.npy"), labels[test])
    print(f"train {len(train)}, test {len(test)} -> {out}")


if __name__ == "__main__":
    main()
