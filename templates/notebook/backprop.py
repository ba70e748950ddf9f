# The course's network: x -> U1 = V x + b -> Z = f_act(U1) -> U2 = W Z -> Y = U2 (a linear
# output without bias). V, b, W and the nonlinearity are global, as in the course's script;
# each part below sets them.
Cost = lambda Y, YT: -1. / 2. * np.mean((Y - YT) ** 2)


def relu(v):
    return np.maximum(v, 0.0)


def relu_prime(v):
    # 1 for v > 0 and 0 for v < 0; at v = 0, where relu has no derivative, 0
    return np.where(v > 0.0, 1.0, 0.0)


def expit_prime(v):
    # phi'(v) = phi(v) phi(-v), as the sheet gives it
    return expit(v) * expit(-v)


def propagate(X):
    """The network's output Y for the input X (one sample, or one per row), its hidden
    activity Z, the hidden units' input U1 = V x + b and the output's input U2 = W z."""
    U1 = dot(V, X.T).T + b
    Z = f_act(U1)
    U2 = dot(W, Z.T).T
    Y = U2
    return Y, Z, U1, U2


def backpropagate(X, YT):
    """For one sample X with target YT: the gradients db, dV, dW of the sheet's
    L = -1/2 |y - y*|^2, which training climbs (Exercise 1 (d), (e), (f)), and the
    sample's Cost."""
    Y, Z, U1, U2 = propagate(X)
    cost = Cost(Y, YT)
    dLdY = -(Y - YT)                              # (a), and (d) with phi' = 1 at the output
    dW = np.outer(dLdY, Z)                        # (d): dL/dW_ki = delta_k z_i
    dLdU1 = f_act_prime(U1) * dot(W.T, dLdY)      # (e): delta_k = phi'(v_k) sum_j W_jk delta_j
    dV = np.outer(dLdU1, X)                       # (f): dL/dV_ki = delta_k x_i
    db = dLdU1                                    # (f): dL/db_k = delta_k
    return db, dV, dW, cost


def runandplot(title, log=True):
    """The course's loop over the sample indices T: backpropagate the sample, then move every
    parameter P with momentum, delta_P = eta_P dP + mu_P delta_P, then P += delta_P (each
    delta_P starting at 0). Plots the cost of each sample over the iterations and returns it."""
    global V, W, b
    delta_V, delta_W, delta_b = np.zeros_like(V), np.zeros_like(W), np.zeros_like(b)
    cost = np.zeros(len(T))
    for run, inp in enumerate(T):
        db, dV, dW, cost[run] = backpropagate(X[inp], YT[inp])
        delta_b = eta_b * db + mu_b * delta_b
        delta_V = eta_V * dV + mu_V * delta_V
        delta_W = eta_W * dW + mu_W * delta_W
        b += delta_b
        V += delta_V
        W += delta_W
    per_sample = -cost * YT.shape[1]   # the report's 1/2 |y - y*|^2; Cost averages over outputs
    at, mean = binned(per_sample)
    fig, ax = plt.subplots(figsize=(7, 2.8))
    if log and np.all(mean > 0):
        ax.semilogy(at, mean)
    else:
        ax.plot(at, mean)
        ax.set_ylim(-1e-12, 1e-12)
    ax.set(xlabel="iteration", ylabel="cost per sample (mean per bin)", title=title)
    fig.tight_layout()
    return per_sample


def data_cost(X, YT):
    """The report's cost of a data set: 1/2 |y - y*|^2 averaged over its samples (equal to
    -Cost for one output; Cost averages over the outputs too)."""
    Y = propagate(X)[0]
    return 0.5 * float(np.mean(np.sum((Y - YT) ** 2, axis=1)))
