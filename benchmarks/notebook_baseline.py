"""Baseline for the throughput benchmark: the seed notebook's structure on ANNarchy 5.

ANNarchy's Miconi notebook (shared/seeds/003_*), ported to the ANNarchy 5 API with the AB
reward bug fixed and seeded weights: per-step ``trace``, ``delta_w`` and ``w`` equations, an
input population whose rates are set from Python, five ``simulate`` calls per trial, a monitor
on the whole reservoir during the response, and one extra learning step per trial.
"""

import ANNarchy as ann
import numpy as np

NEURON = ann.Neuron(
    parameters=dict(
        tau=ann.Parameter(30.0),
        constant=ann.Parameter(0.0, locality="local"),
        alpha=ann.Parameter(0.05),
        f=ann.Parameter(3.0),
        A=ann.Parameter(16.0),
    ),
    equations=[
        "perturbation = if Uniform(0.0, 1.0) < f/1000.: 1.0 else: 0.0",
        "noise = if perturbation > 0.5: A * Uniform(-1.0, 1.0) else: 0.0",
        "x += dt*(sum(in) + sum(exc) - x + noise)/tau",
        "rprev = r",
        "r = if constant == 0.0: tanh(x) else: tanh(constant)",
        "delta_x = x - x_mean",
        "x_mean = alpha * x_mean + (1 - alpha) * x",
    ],
)

SYNAPSE = ann.Synapse(
    parameters=dict(
        eta=ann.Parameter(0.5),
        learning_phase=ann.Parameter(0.0),
        reward=ann.Parameter(0.0),
        mean_reward=ann.Parameter(0.0),
        max_weight_change=ann.Parameter(0.0003),
    ),
    equations=[
        "trace += if learning_phase < 0.5: power(pre.rprev * (post.delta_x), 3) else: 0.0",
        ann.Variable(
            "delta_w = if learning_phase > 0.5: "
            "eta * trace * fabs(mean_reward) * (reward - mean_reward) else: 0.0",
            min="-max_weight_change",
            max="max_weight_change",
        ),
        "w += delta_w",
    ],
)


class NotebookNetwork(ann.Network):
    """The notebook's network: 2 inputs, N reservoir units, output unit 100."""

    def __init__(self, n_neurons=200, density=0.1, eta=0.5):
        self.inp = self.create(2, ann.Neuron(parameters=dict(r=ann.Parameter(0.0, locality="local"))))
        self.pop = self.create(n_neurons, NEURON)
        rng = self.default_rng
        self.connect(self.inp, self.pop, "in").all_to_all(ann.Uniform(-1.0, 1.0, rng=rng))
        self.rec = self.connect(self.pop, self.pop, "exc", SYNAPSE)
        scale = 1.5 / np.sqrt(density * n_neurons)
        if density == 1.0:
            self.rec.all_to_all(ann.Normal(0.0, scale, rng=rng))
        else:
            self.rec.fixed_probability(density, ann.Normal(0.0, scale, rng=rng))
        self.m = self.monitor(self.pop, ["r"], start=False)
        self.eta = eta

    def on_compiled(self):
        self.pop[0].constant = 1.0
        self.pop[1].constant = 1.0
        self.pop[2].constant = -1.0
        self.rec.eta = self.eta


OUTPUT = 100
D_STIM, D_DELAY, D_RESPONSE = 200, 200, 200


def dnms_trial(net, learn, pair, target, mean_reward, rng):
    """One notebook trial (5 simulate calls); returns the reward -error."""
    pop, inp, rec, m = net.pop, net.inp, net.rec, net.m
    pop.x = rng.uniform(-0.1, 0.1, pop.size)
    pop.r = np.tanh(pop.x)
    pop[0].r = np.tanh(1.0)
    pop[1].r = np.tanh(1.0)
    pop[2].r = np.tanh(-1.0)
    inp[pair[0]].r = 1.0
    net.simulate(D_STIM)
    inp.r = 0.0
    net.simulate(D_DELAY)
    inp[pair[1]].r = 1.0
    net.simulate(D_STIM)
    inp.r = 0.0
    net.simulate(D_DELAY)
    m.resume()
    net.simulate(D_RESPONSE)
    m.pause()
    output = m.get("r")[-D_RESPONSE:, OUTPUT]
    reward = -np.mean(np.abs(target - output))
    if learn:
        rec.learning_phase = 1.0
        rec.reward = reward
        rec.mean_reward = mean_reward
        net.simulate(1)
        rec.learning_phase = 0.0
    rec.trace = 0.0
    return reward


PAIRS = [((0, 0), -0.98), ((0, 1), 0.98), ((1, 0), 0.98), ((1, 1), -0.98)]


def train(net, n_sets, rng, alpha=0.75, learning_after=25, until=None):
    """Notebook training loop (AB fed its own reward); returns errors [set, type].

    Learning starts after trial set ``learning_after`` (25 in the notebook). ``until``, a
    function of the errors so far (trial order), ends training early when it returns True.
    """
    mean_reward = -np.ones(4)
    errors = np.zeros((n_sets, 4))
    for trial in range(n_sets):
        learn = trial > learning_after
        rewards = np.array(
            [
                dnms_trial(net, learn, pair, target, mean_reward[k], rng)
                for k, (pair, target) in enumerate(PAIRS)
            ]
        )
        mean_reward = alpha * mean_reward + (1.0 - alpha) * rewards
        errors[trial] = -rewards
        if until is not None and until(errors[: trial + 1].ravel()):
            return errors[: trial + 1]
    return errors
