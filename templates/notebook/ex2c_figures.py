# 2c: each seed's trained network against the input, with the test data (the seed with the
# median test cost drawn bold), and the cost over time of that seed with the range of all seeds.
lo, hi = min(X.min(), X_test.min()), max(X.max(), X_test.max())
grid = np.linspace(lo, hi, 400)[:, None]
fig, axes = plt.subplots(1, len(trained), figsize=(10, 3.6), sharey=True, squeeze=False)
for ax, (K, r) in zip(axes[0], trained.items()):
    median = np.argsort(r["test_cost"])[(len(r["test_cost"]) - 1) // 2]
    for s in range(len(r["test_cost"])):
        V, W, b = r["V"][s][:, None], r["W"][s][None, :], r["b"][s]
        bold = s == median
        ax.plot(grid[:, 0], propagate(grid)[0][:, 0], color="C0", lw=2 if bold else 0.6,
                alpha=1 if bold else 0.4, label="network output (median seed bold)" if bold else None)
    ax.plot(X_test[:, 0], YT_test[:, 0], "o", mfc="none", color="C1", label="test data")
    ax.plot(X[:, 0], YT[:, 0], ".", color="C2", label="training data")
    ax.set(xlabel="input x", title=f"K = {K}: mean test cost {np.mean(r['test_cost'][in_mean[K]]):.5f}")
axes[0, 0].set_ylabel("output y")
fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="lower center", ncol=3, fontsize=8)
fig.tight_layout(rect=(0, 0.07, 1, 1))
fig, ax = plt.subplots(figsize=(7, 3))
for K, r in trained.items():
    median = np.argsort(r["test_cost"])[(len(r["test_cost"]) - 1) // 2]
    ax.semilogy(r["at"], r["cost"][median], label=f"K = {K} (median seed)")
    ax.fill_between(r["at"], r["cost"].min(axis=0), r["cost"].max(axis=0), alpha=0.2)
ax.set(xlabel="iteration", ylabel="cost per sample (mean per bin)",
       title="2c: training cost over time (band: the range over the seeds)")
ax.legend()
fig.tight_layout()
