#!/usr/bin/env python3
"""Writes tests/fixtures/metrics.json for tests/fixture/test_metrics_ref.cpp: accuracy, F1
(binary, positive class 1) and Matthews correlation computed by scikit-learn, Pearson and
Spearman computed by scipy, on random and edge-case inputs.

Generated with scikit-learn 1.9.1, scipy 1.17.1 and numpy 2.4.6 (also recorded in the file).
Run by hand from the repository root:  python3 tools/gen_metric_fixtures.py

metrics.json:
  "classification": [{"predicted", "labels", "accuracy", "f1", "matthews"}]
      binary cases (f1 is sklearn's f1_score(labels, predicted), zero_division=0) and a few
      three-class cases for Matthews (f1 null there)
  "regression": [{"x", "y", "pearson", "spearman"}]
      ties (rounded values, so average ranks matter), perfect and inverse correlations
Values are written with 17 significant digits (json keeps doubles exactly).
"""
import json
import os
import random

import numpy as np
import scipy
import sklearn
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import accuracy_score, f1_score, matthews_corrcoef

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "metrics.json")


def classification_case(predicted, labels, binary=True):
    return {"predicted": predicted, "labels": labels,
            "accuracy": float(accuracy_score(labels, predicted)),
            "f1": float(f1_score(labels, predicted, pos_label=1, zero_division=0))
            if binary else None,
            "matthews": float(matthews_corrcoef(labels, predicted))}


def regression_case(x, y):
    return {"x": x, "y": y, "pearson": float(pearsonr(x, y).statistic),
            "spearman": float(spearmanr(x, y).statistic)}


def main():
    rng = random.Random(7)
    cls = []
    for n in (1, 2, 5, 17, 64, 300, 1043):
        for bias in (0.5, 0.8):
            labels = [int(rng.random() < bias) for _ in range(n)]
            # Mostly right, some flips: a realistic classifier.
            predicted = [l if rng.random() < 0.8 else 1 - l for l in labels]
            if len(set(labels)) > 1 or n == 1:
                cls.append(classification_case(predicted, labels))
    cls.append(classification_case([1, 1, 1, 1], [0, 1, 0, 1]))  # constant prediction
    cls.append(classification_case([0, 1, 0, 1], [0, 0, 0, 0]))  # constant label
    cls.append(classification_case([0, 0, 0], [0, 0, 0]))  # no positives at all: f1 0
    cls.append(classification_case([1, 0, 1, 0], [0, 1, 0, 1]))  # all wrong: mcc -1
    cls.append(classification_case([0, 1, 1, 0, 1], [0, 1, 1, 0, 1]))  # all right
    for n in (9, 50, 400):
        labels = [rng.randrange(3) for _ in range(n)]
        predicted = [l if rng.random() < 0.7 else rng.randrange(3) for l in labels]
        cls.append(classification_case(predicted, labels, binary=False))

    reg = []
    for n in (3, 10, 57, 1500):
        x = [rng.uniform(0, 5) for _ in range(n)]
        y = [min(5.0, max(0.0, v + rng.gauss(0, 1))) for v in x]
        reg.append(regression_case(x, y))
        # Rounded to halves: many ties, as in STS-B's scores.
        reg.append(regression_case([round(v * 2) / 2 for v in x], [round(v * 2) / 2 for v in y]))
    reg.append(regression_case([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0]))
    reg.append(regression_case([1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0]))
    reg.append(regression_case([1.0, 1.0, 2.0, 2.0, 3.0], [5.0, 1.0, 1.0, 1.0, 0.5]))
    reg.append(regression_case([1e6 + 0.1, 1e6 + 0.2, 1e6 + 0.4, 1e6 + 0.3],
                               [3.0, 1.0, 4.0, 1.5]))  # large offset: needs centring

    out = {"sklearn": sklearn.__version__, "scipy": scipy.__version__,
           "numpy": np.__version__, "classification": cls, "regression": reg}
    with open(OUT, "w") as f:
        json.dump(out, f)
    print(f"{len(cls)} classification and {len(reg)} regression cases")


if __name__ == "__main__":
    main()
