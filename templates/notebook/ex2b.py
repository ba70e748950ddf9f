# 2b: as the course's script does, the network 2a leaves unchanged (the course's start) with
# one weight changed, trained again with 2a's settings and the report's seed for 2b.
run = RUNS["2b"]
V, W, b = V_start.copy(), W_start.copy(), b_start.copy()
name, index, value = run["perturb"]   # the sheet's W[0, 1] = 0 unless the report ran another
parameters = {"V": V, "b": b, "W": W}
parameters[name][index] = value
perturbed = {n: P.copy() for n, P in parameters.items()}
cost_before = data_cost(X, YT)
np.random.seed(run["seed"])
T = indices(run, len(X))
runandplot(f"2b: from the start with {name}{list(index)} = {value:g} back to zero cost")
cost_after = data_cost(X, YT)
recovered = cost_after < run["threshold"]
print(f"2b: data-set cost before training {cost_before:.4g}, after {cost_after:.3g}: "
      + ("below" if recovered else "not below") + f" the report's threshold {run['threshold']:g}")
print("2b: every parameter at the course's start, at the perturbed start and after training")
course = {"V": V_start, "b": b_start, "W": W_start}
for n, P in parameters.items():
    for k in np.ndindex(P.shape):
        label = f"{n}{list(k)}"
        print(f"  {label:8} {course[n][k]:8.4f} {perturbed[n][k]:8.4f} {P[k]:8.4f}")
compare("2b", zero_output_cost(YT), V=V, b=b, W=W, cost=cost_after)
assert RUST.get("2b") is None or recovered == RUST["2b"]["recovered"], recovered
