# Plain Python 3 with NumPy, SciPy and matplotlib. Run the cells in order, from the folder
# that holds this notebook and the data files.
import hashlib

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit


# The bars file is one array, the 25 pixels of each image followed by its 2 targets.
OUTPUTS = {"bar_data.npy": 2}


def dot(A, B):
    """The matrix product A B: every product of this notebook that sums terms goes through here."""
    return np.matmul(A, B)


def load(name):
    """The data file `name` beside this notebook: inputs X and targets YT, one row per sample."""
    try:
        data = np.load(name)
    except FileNotFoundError:
        raise SystemExit(f"{name} is not beside this notebook: put the course's {name} here") from None
    if name.endswith(".npy"):
        data = np.asarray(data, dtype=float)
        return data[:, :-OUTPUTS[name]], data[:, -OUTPUTS[name]:]
    keys = ("inp", "out") if "inp" in data else ("X", "Y")
    X, YT = (np.asarray(data[k], dtype=float) for k in keys)
    return X.reshape(len(X), -1), YT.reshape(len(YT), -1)


def sha256(name):
    return hashlib.sha256(np.fromfile(name, dtype=np.uint8).tobytes()).hexdigest()


def indices(run, n):
    """The sample of every iteration of `run`: one np.random.randint(0, n) each for random
    sampling (drawn after the start, so that the seed fixes them too), in turn for cyclic."""
    if run["sampling"] == "random":
        return np.random.randint(0, n, run["iterations"])
    return np.arange(run["iterations"]) % n


def binned(cost, bins=200):
    """The mean of `cost` in each of `bins` equal spans of iterations, and the spans' middles."""
    step = max(len(cost) // bins, 1)
    n = len(cost) // step * step
    return np.arange(n // step) * step + step / 2, cost[:n].reshape(-1, step).mean(axis=1)


# How closely this notebook's runs must agree with the Rust program's. Both do the same
# arithmetic but sum the terms of a matrix product in different orders (NumPy's order depends
# on the machine's BLAS), so the two runs part in the last bits. A parameter is held to RTOL
# times the largest magnitude among its own values; a cost to RTOL times the cost plus RTOL
# times the data set's own scale, the cost of an output that is always zero: a cost near zero is
# rounding residue, never compared relatively. Whether 2b recovered is judged against the
# report's threshold, on both sides.
RTOL = 1e-9


def zero_output_cost(YT):
    """The cost of an output that is always 0: 1/2 |y*|^2, averaged over the samples."""
    return 0.5 * float(np.mean(np.sum(YT ** 2, axis=1)))


def compare(part, scale, **got):
    """Checks this notebook's numbers against those of the report's Rust run of `part` (in
    RUST), within the tolerances above; `scale` is the data's zero_output_cost. Prints the
    largest difference as a share of its tolerance."""
    run = RUST.get(part)
    if run is None:
        print(f"{part}: {NOT_COMPARED.get(part, 'no Rust run recorded')}: no comparison")
        return
    changed = [name for name, digest in run["files"].items() if sha256(name) != digest]
    if changed:
        print(f"{part}: {', '.join(changed)} is not the file the report's Rust run read: no comparison")
        return
    share, worst = 0.0, ""
    for name, value in got.items():
        value, expected = np.asarray(value, dtype=float), np.asarray(run[name], dtype=float)
        assert value.shape == expected.shape, (part, name, value.shape, expected.shape)
        if name in ("V", "b", "W"):
            allowed = RTOL * np.max(np.abs(expected))
        else:
            allowed = RTOL * (np.abs(expected) + scale)
        # A difference that is not a number is as far off as can be; an allowance of 0 (for
        # parameters that are all 0) asks for exact equality.
        gap = np.abs(value - expected)
        gap = np.where(np.isnan(gap), np.inf, gap)
        off = float(np.max(gap / np.maximum(allowed, np.finfo(float).tiny)))
        if off >= share or not worst:
            share, worst = off, name
    print(f"{part}: agrees with the report's Rust run; largest difference {share:.1e} of its "
          f"tolerance (in {worst})")
    assert share <= 1.0, (part, worst, share)
