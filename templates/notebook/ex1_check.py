# Exercise 1 by numbers: backpropagate against central finite differences of the cost
# C = 1/2 |y - y*|^2 = -L, for every parameter, at random parameters of two networks: the 2-3-1
# ReLU network on the XOR inputs (checked to keep every v away from the ReLU's kink at 0) and
# the 25-10-2 sigmoid network on the bars, whose two outputs make W^T dLdY a sum. Its own
# generator: the global one, which the training runs seed, is left alone.
draw = np.random.RandomState(1)
h = 1e-6
for file, K, f_act, f_act_prime in ((FILES["xor"], 3, relu, relu_prime),
                                    (FILES["bars"], 10, expit, expit_prime)):
    X, YT = load(file)
    worst, nearest_kink = 0.0, np.inf
    for trial in range(3):
        V = draw.normal(size=(K, X.shape[1]))
        b = draw.normal(size=K)
        W = draw.normal(size=(YT.shape[1], K))
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
    print(f"Exercise 1, the {X.shape[1]}-{K}-{YT.shape[1]} network with {f_act.__name__}: largest gap "
          f"between backpropagate and finite differences {worst:.1e} (step {h})")
    assert worst < 1e-6, worst
    if f_act is relu:
        print(f"  (every v stayed at least {nearest_kink:.3f} from the ReLU's kink)")
        assert nearest_kink > 1000 * h, nearest_kink
