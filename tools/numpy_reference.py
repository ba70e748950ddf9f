#!/usr/bin/env python3
"""Reference fixtures for `mlp::numpy_rng::NumpyRng` and for `--rng numpy` runs.

NumPy's legacy global generator (`np.random.seed(s)` followed by
`np.random.normal`, `np.random.randint`, ...) is MT19937 seeded with
init_genrand, with polar Box-Muller normals that cache their second value
(`legacy_gauss`) and masked rejection for bounded integers
(`random_bounded_uint64_fill`). The Rust port in crates/mlp/src/numpy_rng.rs
reproduces it; the files written here are what its tests compare against,
bit for bit, so that the tests never need Python.

Usage (NumPy is the only dependency: `pip install numpy`):

    python3 tools/numpy_reference.py draws      # writes draws.json
    python3 tools/numpy_reference.py training   # writes training.json
    python3 tools/numpy_reference.py all        # both (the default)

Both files go to crates/mlp/tests/fixtures/numpy_rng/. The output is
deterministic: running the script again with the same NumPy rewrites the same
bytes. Every float is stored twice: as its shortest round-trip repr (a JSON
number, for people) and as its IEEE-754 bit pattern, a "0x" + 16 hex digit
string (for the tests, which compare `f64::to_bits`).
"""

import argparse
import json
import os
import platform
import struct
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "crates", "mlp", "tests", "fixtures", "numpy_rng")
DATA_DIR = os.path.join(ROOT, "data")

SEEDS = [0, 1, 3, 42, 12345, 4294967295]
# Bounds N of np.random.randint(0, N, 64). 1 draws nothing; 4, 25, 30 are the
# sheet's data set sizes; 33 (mask 63) and 2**31 + 1 (mask 2**32 - 1) reject
# about half of the candidates; 2**32 is the full 32-bit range (raw next_uint32);
# 2**32 + 1 and 2**40 + 3 go through the 64-bit path (next_uint64, high half
# first).
RANDINT_BOUNDS = [1, 2, 4, 25, 30, 33, 2**31 + 1, 2**32, 2**32 + 1, 2**40 + 3]
N_DRAWS = 64
# Windows of raw 32-bit outputs: the head, both sides of the first and second
# regeneration of the 624-word state, and one far into the stream.
RAW_WINDOWS = [(0, 16), (616, 16), (1240, 16), (100000, 8)]
# (K, n_in, n_out, N) of the "mixed" sequences that mimic a run's start.
MIXED = [(5, 1, 1, 30), (40, 1, 1, 30), (10, 25, 2, 25)]
MIXED_SAMPLES = 100

TRAIN_SEEDS = [0, 3]
TRAIN_ITERATIONS = 20_000
MU = 0.5


def bits(x):
    """The IEEE-754 bit pattern of a float64 as "0x" + 16 hex digits."""
    return "0x%016x" % struct.unpack("<Q", struct.pack("<d", float(x)))[0]


def floats(a):
    """A float array as {shape, values (repr), bits}, flattened row-major."""
    a = np.asarray(a, dtype=np.float64)
    flat = a.ravel(order="C")
    return {
        "shape": list(a.shape),
        "values": [float(x) for x in flat],
        "bits": [bits(x) for x in flat],
    }


def ints(a):
    return [int(x) for x in np.asarray(a).ravel()]


# ---------------------------------------------------------------------------
# draws.json
# ---------------------------------------------------------------------------


def raw_u32(seed, start, count):
    """Raw MT19937 outputs [start, start + count) after np.random.seed(seed).

    For the legacy generator randint over the full uint32 range returns
    next_uint32 unchanged, one output per value.
    """
    np.random.seed(seed)
    if start:
        np.random.randint(0, 2**32, size=start, dtype=np.uint32)
    out = np.random.randint(0, 2**32, size=count, dtype=np.uint32)
    # Same thing through an explicit RandomState, as a self-check.
    rs = np.random.RandomState(seed)
    assert rs.randint(0, 2**32, size=start + count, dtype=np.uint32)[start:].tolist() == out.tolist()
    return ints(out)


def interleaved(seed):
    """Calls that mix the cached Gaussian with integer and uniform draws.

    The cache of legacy_gauss survives any number of other draws; randint(0, 1)
    draws nothing.
    """
    np.random.seed(seed)
    steps = []

    def normal(n):
        steps.append({"op": "normal", "n": n, "result": floats(np.random.normal(0.0, 1.0, n))})

    def randint(bound, n):
        steps.append({"op": "randint", "bound": bound, "n": n, "result": ints(np.random.randint(0, bound, n))})

    def uniform(n):
        steps.append({"op": "uniform", "n": n, "result": floats(np.random.random_sample(n))})

    normal(3)  # leaves one Gaussian cached
    randint(30, 5)
    normal(2)  # the cached one, then a fresh pair (one cached again)
    randint(1, 3)
    uniform(3)
    normal(1)  # the cached one
    normal(1)  # a fresh pair
    randint(2**32 + 1, 3)
    normal(1)  # the cached one
    return steps


def mixed(seed, k, n_in, n_out, n):
    """A run's start: V, W, b from normal(0, 1), then the sample indices."""
    np.random.seed(seed)
    v = np.random.normal(0.0, 1.0, (k, n_in))
    w = np.random.normal(0.0, 1.0, (n_out, k))
    b = np.random.normal(0.0, 1.0, k)
    t = np.random.randint(0, n, MIXED_SAMPLES)
    return {
        "K": k,
        "n_in": n_in,
        "n_out": n_out,
        "N": n,
        "normals_drawn": k * n_in + n_out * k + k,
        "V": floats(v),
        "W": floats(w),
        "b": floats(b),
        "T": ints(t),
    }


def draws_for_seed(seed):
    entry = {"seed": seed}
    entry["raw_u32"] = [{"start": s, "values": raw_u32(seed, s, c)} for s, c in RAW_WINDOWS]

    np.random.seed(seed)
    entry["uniform"] = floats(np.random.random_sample(16))

    np.random.seed(seed)
    normals = np.random.normal(0.0, 1.0, N_DRAWS)
    # One at a time through the global functions gives the same stream.
    np.random.seed(seed)
    assert [bits(np.random.normal(0.0, 1.0)) for _ in range(N_DRAWS)] == [bits(x) for x in normals]
    entry["normal"] = floats(normals)

    entry["randint"] = []
    for bound in RANDINT_BOUNDS:
        np.random.seed(seed)
        values = np.random.randint(0, bound, N_DRAWS)
        # The scalar calls the training loop makes draw the same stream.
        np.random.seed(seed)
        assert [int(np.random.randint(0, bound)) for _ in range(N_DRAWS)] == ints(values)
        entry["randint"].append({"N": bound, "values": ints(values)})

    entry["interleaved"] = interleaved(seed)
    entry["mixed"] = [mixed(seed, *m) for m in MIXED]
    return entry


def write_draws():
    doc = {
        "about": "NumPy legacy global generator after np.random.seed(seed); written by tools/numpy_reference.py draws",
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "float_encoding": "values: shortest repr; bits: IEEE-754 binary64 pattern as 0x + 16 hex digits; arrays flattened row-major",
        "normal_call": "np.random.normal(0., 1., 64)",
        "randint_call": "np.random.randint(0, N, 64), default dtype int64",
        "uniform_call": "np.random.random_sample(16)",
        "raw_u32_call": "np.random.randint(0, 2**32, size=start + count, dtype=np.uint32)[start:]",
        "mixed_call": "V = normal(0,1,(K,n_in)); W = normal(0,1,(n_out,K)); b = normal(0,1,K); T = randint(0,N,100)",
        "seeds": [draws_for_seed(s) for s in SEEDS],
    }
    path = os.path.join(OUT_DIR, "draws.json")
    dump(doc, path)
    print("wrote %s (NumPy %s)" % (os.path.relpath(path, ROOT), np.__version__))
    for s in doc["seeds"]:
        print(
            "  seed %10d: raw u32 windows %s, 16 uniforms, %d normals, randint N in %s, %d interleaved steps, mixed %s"
            % (
                s["seed"],
                [w["start"] for w in s["raw_u32"]],
                len(s["normal"]["values"]),
                [r["N"] for r in s["randint"]],
                len(s["interleaved"]),
                [(m["K"], m["n_in"], m["n_out"], m["N"]) for m in s["mixed"]],
            )
        )
        print("    first normal %r (%s), first randint(0, 30) %d" % (
            s["normal"]["values"][0], s["normal"]["bits"][0],
            next(r for r in s["randint"] if r["N"] == 30)["values"][0]))


# ---------------------------------------------------------------------------
# training.json
# ---------------------------------------------------------------------------


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def sigmoid_pair(v):
    """phi(v) and phi'(v) = phi(v) * phi(-v)."""
    return sigmoid(v), sigmoid(v) * sigmoid(-v)


def relu_pair(v):
    """phi(v) = max(v, 0) and phi'(v) = 1 if v > 0 else 0 (0 at v = 0)."""
    return np.maximum(v, 0.0), np.where(v > 0.0, 1.0, 0.0)


ACTIVATIONS = {"sigmoid": sigmoid_pair, "relu": relu_pair}


def train(x, y, v, w, b, activation, eta, mu, iterations):
    """The course's loop: one sample per iteration, momentum, from the global generator.

    Network x -> v = V x + b -> z = phi(v) -> y = W z (no output bias).
    Per-sample objective L = -1/2 |y - y*|^2, ascended:
      d_out = -(y - y*), dL/dW = d_out z^T,
      d_hid = phi'(v) * (W^T d_out) with W before its update,
      dL/dV = d_hid x^T, dL/db = d_hid;
      dP = eta dL/dP + mu dP; P = P + dP, with every dP starting at 0.
    The sample index is np.random.randint(0, N), one call per iteration.
    """
    pair = ACTIVATIONS[activation]
    v, w, b = v.copy(), w.copy(), b.copy()
    dv, dw, db = np.zeros_like(v), np.zeros_like(w), np.zeros_like(b)
    n = x.shape[0]
    first = []
    index_sum = 0
    for it in range(iterations):
        i = np.random.randint(0, n)
        if it < 20:
            first.append(int(i))
        index_sum += int(i)
        xi, ti = x[i], y[i]
        h = v @ xi + b
        z, dphi = pair(h)
        out = w @ z
        d_out = -(out - ti)
        g_w = np.outer(d_out, z)
        d_hid = dphi * (w.T @ d_out)
        g_v = np.outer(d_hid, xi)
        g_b = d_hid
        dw = eta * g_w + mu * dw
        w = w + dw
        dv = eta * g_v + mu * dv
        v = v + dv
        db = eta * g_b + mu * db
        b = b + db
    return v, w, b, first, index_sum


def cost(x, y, v, w, b, activation):
    """1/2 sum over the data set of |y - y*|^2, for orientation only."""
    pair = ACTIVATIONS[activation]
    total = 0.0
    for xi, ti in zip(x, y):
        z, _ = pair(v @ xi + b)
        total += 0.5 * float(np.sum((w @ z - ti) ** 2))
    return total


def load_xor():
    d = np.load(os.path.join(DATA_DIR, "xor_data.npz"))
    return np.asarray(d["inp"], dtype=np.float64), np.asarray(d["out"], dtype=np.float64)


def load_func():
    d = np.load(os.path.join(DATA_DIR, "func_approx_training.npz"))
    x = np.asarray(d["X"], dtype=np.float64).reshape(-1, 1)
    y = np.asarray(d["Y"], dtype=np.float64).reshape(-1, 1)
    return x, y


def load_bars():
    d = np.asarray(np.load(os.path.join(DATA_DIR, "bar_data.npy")), dtype=np.float64)
    return d[:, :25], d[:, 25:]


def run(part, seed, data_file, x, y, k, activation, start):
    """One run: seed, start (given, or drawn as V, W, b), then the loop."""
    n_in, n_out = x.shape[1], y.shape[1]
    eta = 0.2 / k
    np.random.seed(seed)
    if start is None:
        v0 = np.random.normal(0.0, 1.0, (k, n_in))
        w0 = np.random.normal(0.0, 1.0, (n_out, k))
        b0 = np.random.normal(0.0, 1.0, k)
        start_kind = "V = normal(0,1,(K,n_in)); W = normal(0,1,(n_out,K)); b = normal(0,1,K)"
    else:
        v0, w0, b0 = (np.array(a, dtype=np.float64) for a in start)
        start_kind = "fixed"
    v1, w1, b1, first, index_sum = train(x, y, v0, w0, b0, activation, eta, MU, TRAIN_ITERATIONS)
    return {
        "part": part,
        "seed": seed,
        "data": data_file,
        "activation": activation,
        "n_in": n_in,
        "K": k,
        "n_out": n_out,
        "N": x.shape[0],
        "iterations": TRAIN_ITERATIONS,
        "eta": eta,
        "eta_bits": bits(eta),
        "mu": MU,
        "start": start_kind,
        "first_indices": first,
        "index_sum": index_sum,
        "initial": {"V": floats(v0), "W": floats(w0), "b": floats(b0)},
        "final": {"V": floats(v1), "W": floats(w1), "b": floats(b1)},
        "initial_cost": cost(x, y, v0, w0, b0, activation),
        "final_cost": cost(x, y, v1, w1, b1, activation),
    }


def write_training():
    runs = []
    xor_x, xor_y = load_xor()
    xor_start = ([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]], [[1.0, 0.0, 1.0]], [0.0, -1.0, 0.0])
    func_x, func_y = load_func()
    bar_x, bar_y = load_bars()
    for seed in TRAIN_SEEDS:
        runs.append(run("2b", seed, "data/xor_data.npz", xor_x, xor_y, 3, "relu", xor_start))
        for k in (5, 40):
            runs.append(run("2c", seed, "data/func_approx_training.npz", func_x, func_y, k, "sigmoid", None))
        runs.append(run("2d", seed, "data/bar_data.npy", bar_x, bar_y, 10, "sigmoid", None))
    doc = {
        "about": "The course's momentum loop in NumPy with the legacy global generator; written by tools/numpy_reference.py training",
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "float_encoding": "values: shortest repr; bits: IEEE-754 binary64 pattern as 0x + 16 hex digits; arrays flattened row-major",
        "algorithm": (
            "np.random.seed(seed); start (fixed, or V, W, b drawn in that order); then per iteration "
            "i = np.random.randint(0, N); v = V x_i + b; z = phi(v); y = W z; d_out = -(y - y*_i); "
            "dL/dW = outer(d_out, z); d_hid = phi'(v) * (W^T d_out) with W before its update; "
            "dL/dV = outer(d_hid, x_i); dL/db = d_hid; dP = eta dL/dP + mu dP; P = P + dP (W, then V, then b); "
            "eta = 0.2 / K, mu = 0.5; sigmoid phi' = phi(v) phi(-v); ReLU phi' = 1 if v > 0 else 0"
        ),
        "xor_start_note": "2b starts from the sheet's V = [[1,0],[1,1],[0,1]], b = [0,-1,0], W = [[1,-2,1]] with W[0,1] set to 0",
        "cost_note": "initial_cost and final_cost are 1/2 sum |y - y*|^2 over the data set, for orientation",
        "runs": runs,
    }
    path = os.path.join(OUT_DIR, "training.json")
    dump(doc, path)
    print("wrote %s (NumPy %s)" % (os.path.relpath(path, ROOT), np.__version__))
    for r in runs:
        print(
            "  %s seed %d K=%-2d %-7s %d iterations: cost %.6g -> %.6g, first indices %s"
            % (r["part"], r["seed"], r["K"], r["activation"], r["iterations"],
               r["initial_cost"], r["final_cost"], r["first_indices"][:8])
        )


def dump(doc, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = json.dumps(doc, indent=1, allow_nan=False) + "\n"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", default="all", choices=["draws", "training", "all"])
    args = parser.parse_args(argv)
    if args.command in ("draws", "all"):
        write_draws()
    if args.command in ("training", "all"):
        write_training()


if __name__ == "__main__":
    main(sys.argv[1:])
