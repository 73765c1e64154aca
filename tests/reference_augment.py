"""Independent numpy reference of AuGMEnT, written from shared/specs/augment.md ("Network",
"Learning", "Order within one step"). Matrices are [pre, post] as in the original codes;
bias units are an extra input and an extra association unit fixed at 1. Used only by tests.
"""

import numpy as np


def sigmoid(u, theta):
    return 1.0 / (1.0 + np.exp(theta - u))


class Reference:
    """AuGMEnT with given initial weights (keys and [post, pre] layout of
    ``networks.augment.draw_weights``); ``phi`` is the retention of each memory unit."""

    def __init__(self, weights, phi, *, beta, lam, gamma, theta, bias, binary, symmetric):
        self.beta, self.lam, self.gamma, self.theta = beta, lam, gamma, theta
        self.bias, self.binary, self.symmetric = bias, binary, symmetric
        self.phi = np.asarray(phi, dtype=float)
        stack = (lambda main, b: np.vstack([main, b])) if bias else (lambda main, b: main)
        self.V_r = stack(weights["v_r"].T, weights["v_r_bias"].T)
        self.V_m = weights["v_m"].T.copy()
        self.W = stack(np.vstack([weights["w_r"].T, weights["w_m"].T]), weights["w_bias"].T)
        self.W_back = None if symmetric else np.vstack([weights["fb_r"], weights["fb_m"]]).T
        self.n_r = weights["v_r"].shape[0]
        self.reset()

    def reset(self, clear_input=True):
        """Clear memory, x(t-1) (if ``clear_input``), traces and tags: a trial's start."""
        if clear_input:
            self.s_old = np.zeros(self.V_m.shape[0] // 2)
        self.inp_m = np.zeros(self.V_m.shape[1])
        self.s_trace = np.zeros_like(self.V_m)
        self.tag_V_r = np.zeros_like(self.V_r)
        self.tag_V_m = np.zeros_like(self.V_m)
        self.tag_W = np.zeros_like(self.W)
        self.q_old = None

    def feedback(self):
        """Feedback weights [action, association unit] (no bias row)."""
        W = self.W.T if self.symmetric else self.W_back
        return W[:, : self.n_r + len(self.phi)]

    def step(self, x, a, reward, learn=True):
        """One task step with input x, chosen action a (an index or a callable q -> index)
        and r(t-1) = reward; returns the action. Without ``learn`` the weights stay as they
        are (tags and traces still change)."""
        x = np.asarray(x, dtype=float)
        # 1. transients
        if self.binary:
            on, off = (x > self.s_old) * 1.0, (x < self.s_old) * 1.0
        else:
            on, off = np.maximum(x - self.s_old, 0.0), np.maximum(self.s_old - x, 0.0)
        self.s_old = x
        self.x_trans = np.concatenate([on, off])
        self.x_inst = np.append(x, 1.0) if self.bias else x
        # 2. feedforward
        self.inp_r = self.x_inst @ self.V_r
        self.y_r = sigmoid(self.inp_r, self.theta)
        self.inp_m = self.phi * self.inp_m + self.x_trans @ self.V_m
        self.y_m = sigmoid(self.inp_m, self.theta)
        self.y = np.concatenate([self.y_r, self.y_m] + ([[1.0]] if self.bias else []))
        self.q = self.y @ self.W
        # 3.-4. choice, TD error, weight update with the old tags
        a = int(a(self.q) if callable(a) else a)
        q_a = self.q[a]
        self.delta = 0.0 if self.q_old is None else reward + self.gamma * q_a - self.q_old
        if self.q_old is not None and learn:
            self._update(self.delta)
        # 5. traces, then tags, with the feedback of a (after the update)
        z = np.eye(self.W.shape[1])[a]
        fb = self.feedback()[a]
        self.g_r = self.y_r * (1.0 - self.y_r) * fb[: self.n_r]
        self.g_m = self.y_m * (1.0 - self.y_m) * fb[self.n_r :]
        decay = self.lam * self.gamma
        self.s_trace = self.phi * self.s_trace + self.x_trans[:, None]
        self.tag_V_r = decay * self.tag_V_r + np.outer(self.x_inst, self.g_r)
        self.tag_V_m = decay * self.tag_V_m + self.s_trace * self.g_m
        self.tag_W = decay * self.tag_W + np.outer(self.y, z)
        # 6. q_old
        self.q_old = q_a
        return a

    def end_trial(self, reward, learn=True, clear_input=True):
        """7. delta = r - q_old, a last weight update (if ``learn``), then reset."""
        self.delta = reward - self.q_old
        if learn:
            self._update(self.delta)
        self.reset(clear_input)

    def _update(self, delta):
        self.V_r = self.V_r + self.beta * delta * self.tag_V_r
        self.V_m = self.V_m + self.beta * delta * self.tag_V_m
        if not self.symmetric:
            n = self.n_r + len(self.phi)
            self.W_back = self.W_back + self.beta * delta * self.tag_W[:n].T
        self.W = self.W + self.beta * delta * self.tag_W

    def weights(self):
        """Weights in the network's keys and [post, pre] layout (bias keys only with bias)."""
        n = self.n_r + len(self.phi)
        fb = self.feedback()
        out = dict(v_r=self.V_r[: len(self.s_old)].T, v_m=self.V_m.T,
                   w_r=self.W[: self.n_r].T, w_m=self.W[self.n_r : n].T,
                   fb_r=fb[:, : self.n_r].T, fb_m=fb[:, self.n_r :].T)
        if self.bias:
            out.update(v_r_bias=self.V_r[-1:].T, w_bias=self.W[-1:].T)
        return out

    def tags(self):
        """Tags in the network's keys and layout; feedback synapses carry the forward tag."""
        n = self.n_r + len(self.phi)
        out = dict(v_r=self.tag_V_r[: len(self.s_old)].T, v_m=self.tag_V_m.T,
                   w_r=self.tag_W[: self.n_r].T, w_m=self.tag_W[self.n_r : n].T,
                   fb_r=self.tag_W[: self.n_r], fb_m=self.tag_W[self.n_r : n])
        if self.bias:
            out.update(v_r_bias=self.tag_V_r[-1:].T, w_bias=self.tag_W[-1:].T)
        return out
