"""Independent numpy reference of H-Mem's memory, written from the spec (shared/specs/hmem.md)
and Limbacher & Legenstein (2020): write dM = gamma_pos (w_max - M) * outer(u, k)
- gamma_neg * M * k^2 (per key column), with u = v or, with read-before-write, v - M k;
read M k. Used only by the tests."""

import numpy as np


class Reference:
    def __init__(self, m, gamma_pos, gamma_neg, w_max, read_before_write):
        self.gamma_pos, self.gamma_neg, self.w_max = gamma_pos, gamma_neg, w_max
        self.read_before_write = read_before_write
        self.M = np.zeros((m, m))  # [value unit i, key unit j]

    def reset(self):
        self.M[:] = 0.0

    def write(self, k, v):
        u = v - self.M @ k if self.read_before_write else v
        potentiation = self.gamma_pos * (self.w_max - self.M) * np.outer(u, k)
        forgetting = self.gamma_neg * self.M * (k**2)[np.newaxis, :]
        self.M = self.M + potentiation - forgetting

    def read(self, k):
        return self.M @ k
