"""An independent numpy reference of H-Mem on bAbI (shared/specs/babi.md, "H-Mem on bAbI";
Limbacher & Legenstein 2020), one sample at a time, loops over sentences and words: sentence
vector sum_w E[w] * P_w (the last word slot's P fixed to 1), batch norm with given statistics,
k = relu(W_k s), v = relu(W_v s), the Hebbian write per real sentence (with read-before-write:
k <- LN(k), v <- LN(W [v ; M k])), 3 hops k_h = relu(W_r [q ; v_{h-1}]), v_h = M k_h, logits
W_o v_3. Used only by the tests."""

import numpy as np


def _norm(x, p, mean, var, eps):
    return (x - mean) / np.sqrt(var + eps) * p["scale"] + p["offset"]


def _layer(x, p):
    return _norm(x, p, x.mean(), x.var(), 1e-3)


def sentence(params, ids):
    P = np.array(params["P"], dtype=np.float64)
    P[-1] = 1.0
    total = np.zeros(P.shape[1])
    for w, word in enumerate(ids):
        if word > 0:
            total += params["E"][word] * P[w]
    return total


def logits(params, state, story, query, gamma_pos=0.01, gamma_neg=0.01, w_max=1.0, hops=3):
    m = params["W_k"].shape[0]
    M = np.zeros((m, m))
    for ids in story:
        if not np.any(ids):
            continue
        s = _norm(sentence(params, ids), params["bn_s"], state["bn_s"]["mean"], state["bn_s"]["var"], 1e-3)
        k, v = np.maximum(params["W_k"] @ s, 0), np.maximum(params["W_v"] @ s, 0)
        if "rbw" in params:
            k = _layer(k, params["rbw"]["ln_k"])
            v = _layer(params["rbw"]["W"] @ np.concatenate([v, M @ k]), params["rbw"]["ln_v"])
        for i in range(m):
            for j in range(m):
                M[i, j] += gamma_pos * (w_max - M[i, j]) * v[i] * k[j] - gamma_neg * M[i, j] * k[j] ** 2
    q = _norm(sentence(params, query), params["bn_q"], state["bn_q"]["mean"], state["bn_q"]["var"], 1e-3)
    v = np.zeros(m)
    for _ in range(hops):
        v = M @ np.maximum(params["W_r"] @ np.concatenate([q, v]), 0)
    return params["W_o"] @ v
