"""Independent numpy reference of Miconi's reservoir, written from the paper's equations and
ANNarchy's step semantics (weighted sums from the previous step's rates; an input row reaches
the units one step late). Used only by the tests."""

import numpy as np


class Reference:
    def __init__(self, w_in, w_rec, clamp, tau, alpha, trace_start, dt=1.0):
        self.w_in = np.nan_to_num(w_in)
        self.mask = ~np.isnan(w_rec)
        self.w_rec = np.nan_to_num(w_rec)
        self.clamp = clamp
        self.tau, self.alpha, self.trace_start, self.dt = tau, alpha, trace_start, dt
        n = len(clamp)
        self.x_mean = np.zeros(n)
        self.trace = np.zeros_like(self.w_rec)

    def trial(self, x0, inputs, kicks):
        """Run one trial from x0 with given per-step kicks; return x and r per step."""
        x = np.where(self.clamp != 0, self.clamp, x0)
        r = np.tanh(x)
        self.trace[:] = 0.0
        xs, rs = [], []
        for k in range(len(inputs)):
            seen = inputs[max(k - 1, 0)]
            total = self.w_in @ seen + self.w_rec @ r
            x = np.where(self.clamp != 0, self.clamp, x + self.dt * (total - x + kicks[k]) / self.tau)
            rprev = r
            r = np.tanh(x)
            dx = x - self.x_mean
            self.x_mean = self.alpha * self.x_mean + (1 - self.alpha) * x
            if k >= self.trace_start:
                self.trace += self.mask * np.outer(dx, rprev) ** 3
            xs.append(x)
            rs.append(r)
        return np.array(xs), np.array(rs)

    def learn(self, error, mean_error, eta, max_dw):
        dw = np.clip(-eta * self.trace * mean_error * (error - mean_error), -max_dw, max_dw)
        self.w_rec += self.mask * dw
