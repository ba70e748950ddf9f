# 2c: 1 -> K -> 1 networks with the sigmoid, trained on the function data for K = 5 and K = 40,
# every seed of the report at once. Each seed starts as the sheet's footnote says (after
# np.random.seed: V, then W, then b from N(0, 1)) and then draws its own sample indices. The
# seeds train side by side, one row each: V_s[s, k] is seed s's V[k, 0], W_s[s, k] its W[0, k],
# b_s[s, k] its b[k].


def backpropagate_seeds(X, YT):
    """backpropagate for every seed at once, line for line: X and YT hold each seed's sample
    (one row per seed), V_s, b_s, W_s each seed's network. With one input and one output the
    only sum is the output's, W z, which goes through dot like every product here."""
    U1 = V_s * X + b_s                                   # V x + b
    Z = f_act(U1)
    Y = dot(W_s[:, None, :], Z[:, :, None])[:, :, 0]     # U2 = W z
    cost = -1. / 2. * (Y - YT)[:, 0] ** 2                # Cost, one per seed
    dLdY = -(Y - YT)
    dW = dLdY * Z                                        # (d)
    dLdU1 = f_act_prime(U1) * (W_s * dLdY)               # (e): W^T dLdY, one output
    dV = dLdU1 * X                                       # (f)
    db = dLdU1
    return db, dV, dW, cost


run = RUNS["2c"]
X, YT = load(FILES["func_train"])
X_test, YT_test = load(FILES["func_test"])
f_act, f_act_prime = expit, expit_prime
mu_b = mu_V = mu_W = run["mu"]   # 0.5
trained = {}
for K in run["hidden"]:
    eta_b = eta_V = eta_W = run["eta"][K]   # 0.2 / K
    seeds = run["seeds"]
    V_s, W_s, b_s = np.empty((len(seeds), K)), np.empty((len(seeds), K)), np.empty((len(seeds), K))
    T_s = np.empty((len(seeds), run["iterations"]), dtype=np.int64)
    for s, seed in enumerate(seeds):
        np.random.seed(seed)
        V_s[s] = np.random.normal(0., 1., (K, 1))[:, 0]
        W_s[s] = np.random.normal(0., 1., (1, K))[0]
        b_s[s] = np.random.normal(0., 1., K)
        T_s[s] = indices(run, len(X))
    # Each iteration's sample for every seed, as rows: X_t[t, s] is seed s's input at t.
    X_t, YT_t = X[T_s.T], YT[T_s.T]
    # backpropagate_seeds is backpropagate, seed by seed: checked on every seed's first sample.
    all_seeds = backpropagate_seeds(X_t[0], YT_t[0])
    for s in range(len(seeds)):
        V, W, b = V_s[s][:, None], W_s[s][None, :], b_s[s]
        one = backpropagate(X_t[0, s], YT_t[0, s])
        for mine, theirs in zip(one[:3], all_seeds[:3]):
            assert np.allclose(np.ravel(mine), np.ravel(theirs[s]), rtol=1e-12, atol=1e-15), s
    del T_s
    # The course's loop, for every seed at once.
    delta_V, delta_W, delta_b = np.zeros_like(V_s), np.zeros_like(W_s), np.zeros_like(b_s)
    cost = np.zeros((run["iterations"], len(seeds)))
    for t in range(run["iterations"]):
        db, dV, dW, cost[t] = backpropagate_seeds(X_t[t], YT_t[t])
        delta_b = eta_b * db + mu_b * delta_b
        delta_V = eta_V * dV + mu_V * delta_V
        delta_W = eta_W * dW + mu_W * delta_W
        b_s += delta_b
        V_s += delta_V
        W_s += delta_W
    del X_t, YT_t
    # Every seed's network alone, for its costs on the training and the test data.
    train_cost, test_cost = np.empty(len(seeds)), np.empty(len(seeds))
    for s in range(len(seeds)):
        V, W, b = V_s[s][:, None], W_s[s][None, :], b_s[s]
        train_cost[s], test_cost[s] = data_cost(X, YT), data_cost(X_test, YT_test)
    binned_cost = np.array([binned(-cost[:, s])[1] for s in range(len(seeds))])
    trained[K] = dict(V=V_s, W=W_s, b=b_s, cost=binned_cost, at=binned(cost[:, 0])[0],
                      train_cost=train_cost, test_cost=test_cost)
    del cost
    print(f"2c, K = {K}, eta = {eta_V:g}: the cost of each seed after {run['iterations']} iterations")
    print("  seed   training   test")
    for s, seed in enumerate(seeds):
        print(f"  {seed:4}   {train_cost[s]:.5f}    {test_cost[s]:.5f}")
    compare(f"2c, K = {K}", max(zero_output_cost(YT), zero_output_cost(YT_test)), V=V_s[0][:, None], b=b_s[0], W=W_s[0][None, :],
            train_cost=train_cost, test_cost=test_cost)
in_mean = {K: [s for s, seed in enumerate(run["seeds"]) if seed in run["in_mean"][K]] for K in run["hidden"]}
print(f"2c: the average cost on the test data after training, mean over the seeds "
      f"{run['seeds'][0]} to {run['seeds'][-1]}:")
for K in run["hidden"]:
    print(f"  K = {K}: {np.mean(trained[K]['test_cost'][in_mean[K]]):.5f} "
          f"(over {len(in_mean[K])} seeds; training data: {np.mean(trained[K]['train_cost'][in_mean[K]]):.5f})")
