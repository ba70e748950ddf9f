# Exercise 1 by numbers: backpropagate against central finite differences of the cost
# C = 1/2 |y - y*|^2 = -L, on the XOR inputs, for every parameter, at random parameters of the
# 2-3-1 ReLU network (checked to keep every v away from the ReLU's kink at 0). Its own
# generator: the global one, which the training runs seed, is left alone.
X, YT = load(FILES["xor"])
f_act, f_act_prime = relu, relu_prime
draw = np.random.RandomState(1)
h = 1e-6
worst, nearest_kink = 0.0, np.inf
for trial in range(5):
    V, b, W = draw.normal(size=(3, 2)), draw.normal(size=3), draw.normal(size=(1, 3))
    for x, yt in zip(X, YT):
        nearest_kink = min(nearest_kink, np.min(np.abs(propagate(x)[2])))
        db, dV, dW, _ = backpropagate(x, yt)
        for P, dP in ((V, dV), (b, db), (W, dW)):
            for k in np.ndindex(P.shape):
                kept = P[k]
                P[k] = kept + h
                up = 0.5 * np.sum((propagate(x)[0] - yt) ** 2)
                P[k] = kept - h
                down = 0.5 * np.sum((propagate(x)[0] - yt) ** 2)
                P[k] = kept
                worst = max(worst, abs(dP[k] + (up - down) / (2 * h)))   # dL/dP = -dC/dP
print("Exercise 1: largest gap between backpropagate and finite differences", worst)
print("  (every v stayed at least", nearest_kink, "from the ReLU's kink; the steps are", h, ")")
assert worst < 1e-6, worst
assert nearest_kink > 1000 * h, nearest_kink
