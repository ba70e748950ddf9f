# 2d: the 25-10-2 network on the bars, started like 2c (after np.random.seed: V, W, b from
# N(0, 1), then the sample indices), with the report's seed for 2d.
run = RUNS["2d"]
X, YT = load(FILES["bars"])
f_act, f_act_prime = expit, expit_prime
K = run["hidden"]
eta_b = eta_V = eta_W = run["eta"]   # 0.2 / K
mu_b = mu_V = mu_W = run["mu"]       # 0.5
np.random.seed(run["seed"])
V = np.random.normal(0., 1., (K, X.shape[1]))
W = np.random.normal(0., 1., (YT.shape[1], K))
b = np.random.normal(0., 1., K)
T = indices(run, len(X))
runandplot("2d: training cost over time")
final_cost = data_cost(X, YT)
Y = propagate(X)[0]   # the outputs (z1, z2) for every image
print(f"2d: data-set cost after training {final_cost:.3e}; largest |y - y*| {np.max(np.abs(Y - YT)):.2e}")
compare("2d", zero_output_cost(YT), V=V, b=b, W=W, cost=final_cost)


def properties(image):
    """What can be read off a 5 x 5 image: the row of its one full row and the column of its
    one full column (None where it has not exactly one), and its lit pixels' mean row and
    mean column."""
    lit = image.reshape(5, 5) > 0.5
    rows, cols = np.flatnonzero(lit.all(axis=1)), np.flatnonzero(lit.all(axis=0))
    r, c = np.nonzero(lit)
    return {
        "the row of the horizontal bar": rows[0] if len(rows) == 1 else None,
        "the column of the vertical bar": cols[0] if len(cols) == 1 else None,
        "the mean row of the lit pixels": r.mean() if len(r) else None,
        "the mean column of the lit pixels": c.mean() if len(c) else None,
    }


def r_squared(x, y):
    """R^2 of the least-squares line of y on x (0 where x or y does not vary)."""
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return 0.0
    slope, intercept = np.polyfit(x, y, 1)
    return 1 - np.sum((y - (slope * x + intercept)) ** 2) / np.sum((y - y.mean()) ** 2)


# What each target and each output follows: the property whose straight line explains it best,
# named when R^2 exceeds the report's 0.99.
read = [properties(x) for x in X]
known = {name: np.array([p[name] for p in read], dtype=float) for name in read[0]
         if all(p[name] is not None for p in read)}
series = {"z1*": YT[:, 0], "z2*": YT[:, 1], "z1": Y[:, 0], "z2": Y[:, 1]}
for label, values in series.items():
    fits = {name: r_squared(x, values) for name, x in known.items()}
    best = max(fits, key=fits.get) if fits else None
    if best is not None and fits[best] > run["r2_limit"]:
        print(f"2d: {label:3} follows {best} (R² = {fits[best]:.4f})")
    else:
        print(f"2d: {label:3} follows none of the properties"
              + (f" (closest: {best}, R² = {fits[best]:.4f})" if best else ""))
fig, ax = plt.subplots(figsize=(5.5, 5))
ax.scatter(Y[:, 0], Y[:, 1], c=np.arange(len(Y)) // 5, cmap="viridis")
for k, (z1, z2) in enumerate(Y):
    ax.annotate(str(k), (z1, z2), textcoords="offset points", xytext=(4, 3), fontsize=8)
ax.set(xlabel="z1 (output 1)", ylabel="z2 (output 2)", title="2d: the outputs for every image (labels: sample)")
fig.tight_layout()
fig, axes = plt.subplots(int(np.ceil(len(X) / 5)), 5, figsize=(6, 1.3 * np.ceil(len(X) / 5)), squeeze=False)
for k, ax in enumerate(axes.ravel()):
    ax.set_xticks([])
    ax.set_yticks([])
    if k < len(X):
        ax.imshow(X[k].reshape(5, 5), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"{k}: z* = ({YT[k, 0]:g}, {YT[k, 1]:g})", fontsize=7)
    else:
        ax.axis("off")
fig.suptitle("2d: the inputs, reshape(x, 5, 5), with their targets")
fig.tight_layout()
