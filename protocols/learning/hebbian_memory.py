"""Training of the image-association networks by local rules, in two phases, then the test.

Source: Limbacher & Legenstein (2020) NeurIPS 33 (shared/specs/hmem.md), trained here by
local rules instead of BPTT (see networks/image_association.py):

1. encoders: frames (pairs, fillers and queries drawn from the training sets) teach the image
   and digit class units their labels and the gate unit whether the frame is a pair, all by
   the delta rule;
2. readout: training sequences teach the answer units (delta rule, on the answer step only)
   to map what the memory returns (or the reservoir's state) to the digit class; the memory
   itself only follows H-Mem's Hebbian rule within each sequence;
3. test: sequences of test images and test digits (never seen in training), no learning
   except the memory's own writes.

The encoder-limited ceiling is the fraction of test sequences in which the encoders classify
the query image and the queried pair's digit correctly. Also reported, the oracle: the accuracy
of a perfect memory working on the encoders' class decisions (it also needs the stored image
classified correctly, so it is lower; the memory model, which stores graded class evidence,
can exceed it).
"""

import numpy as np
from tqdm import tqdm

from networks import cache
from networks.image_association import HebbianImageNetwork, ReservoirImageNetwork, reservoir_weights, sparse_expansion
from protocols.data.images import Data, load_data
from protocols.running import results
from protocols.tasks.image_association import Episode, ImageAssociation

MODELS = {"hmem": ("hmem",), "reservoir": ("reservoir",), "both": ("hmem", "reservoir")}
ANNEAL_EVERY = 50  # items between two changes of an annealed learning rate
RECORD_DTYPE = [
    ("phase", "U5"),
    ("sequence", int),
    ("model", "U9"),
    ("answer", int),
    ("prediction", int),
    ("correct", bool),
    ("ceiling_correct", bool),
    ("oracle_correct", bool),
    ("writes", int),
]


def build_hmem(config, data: Data, seed) -> HebbianImageNetwork:
    memory = config["memory"]
    rng = np.random.default_rng([seed, 0])
    m, density = memory["memory_size"], memory["key_density"]
    return cache.build(
        HebbianImageNetwork,
        seed=seed,
        image_size=data.images.shape[1],
        digit_size=data.digits.shape[1],
        key_weights=sparse_expansion(m, rng, density),
        value_weights=sparse_expansion(m, rng, density),
        **{k: memory[k] for k in ("gamma_pos", "gamma_neg", "w_max")},
    )


def build_reservoir(config, data: Data, seed) -> ReservoirImageNetwork:
    settings = config["reservoir"]
    w_in, w_rec = reservoir_weights(
        settings["units"], np.random.default_rng([seed, 4]), settings["spectral_radius"], settings["input_scale"]
    )
    return cache.build(
        ReservoirImageNetwork,
        seed=seed,
        image_size=data.images.shape[1],
        digit_size=data.digits.shape[1],
        input_weights=w_in,
        recurrent_weights=w_rec,
        leak=settings["leak"],
    )


def mean_square(vectors) -> float:
    return float(np.mean([x @ x for x in vectors]))


def annealed(rate, k, n) -> float:
    """Learning rate of item ``k`` of ``n``: ``rate`` decaying linearly to 0, changed every
    :data:`ANNEAL_EVERY` items."""
    return rate * (1.0 - (k - k % ANNEAL_EVERY) / n)


def train_encoders(net, task, data, n_frames, rate, rng, progress=True):
    """Delta-rule training of the image, digit and gate layers on ``n_frames`` random frames.
    Each projection's eta is the annealed ``rate`` over the mean squared norm of its input."""
    frames = [task.encoder_frame(data, rng) for _ in range(min(n_frames, 1000))]
    norms = {
        "image_class": [mean_square(f[0] for f in frames if f[2] is not None), 1.0],
        "digit_class": [mean_square(f[1] for f in frames if f[3] is not None), 1.0],
        "gate": [mean_square(f[0] for f in frames), mean_square(f[1] for f in frames), 1.0],
    }
    for n in tqdm(range(n_frames), desc="encoders", disable=not progress, mininterval=0.5):
        if n % ANNEAL_EVERY == 0:
            for layer, norm in norms.items():
                net.set_eta(layer, annealed(rate, n, n_frames), norm)
        net.train_frame(*(frames[n] if n < len(frames) else task.encoder_frame(data, rng)))


def decisions(net, data: Data) -> tuple:
    """Class decisions of the trained encoders for every image and digit of ``data``
    (the same linear units, evaluated with numpy for the ceiling)."""
    bias = lambda x: np.hstack([x, np.ones((len(x), 1))])  # noqa: E731
    images = np.argmax(bias(data.images) @ net.weights("image_class").T, axis=1)
    digits = np.argmax(bias(data.digits) @ net.weights("digit_class").T, axis=1)
    return images, digits


def encoder_limits(episode: Episode, image_decisions, digit_decisions, data: Data) -> tuple:
    """(ceiling, oracle) of one episode. Ceiling: the encoders classify the query image and
    the queried pair's digit correctly. Oracle: a perfect memory working on the encoders'
    decisions answers correctly (the digit decision of the last pair whose image decision
    equals the query's; wrong if none), which also needs the stored image right."""
    digit = episode.digits[episode.position]
    ceiling = (image_decisions[episode.query] == data.image_labels[episode.query]
               and digit_decisions[digit] == episode.answer)
    matches = np.flatnonzero(image_decisions[episode.images] == image_decisions[episode.query])
    oracle = bool(len(matches)) and digit_decisions[episode.digits[matches[-1]]] == episode.answer
    return bool(ceiling), bool(oracle)


def play(net, trial, learn) -> int:
    """Show one sequence, frame by frame, and return the answer (the readout learns towards
    the right one if ``learn``)."""
    net.start_sequence()
    for _ in range(trial.length - 1):
        net.show(*trial.frame())
        trial.step(None)
    net.show(*trial.frame())  # the query
    answer = int(np.argmax(net.answer(trial.episode.answer if learn else None)))
    trial.step(answer)
    return answer


def readout_norms(net, task, data, seed, n=20) -> list:
    """Mean squared norms of the readout's inputs (memory or reservoir, and the bias) over
    ``n`` sequences, which normalise its learning rate."""
    episodes, noise = (np.random.default_rng([*seed, k]) for k in (1, 2))
    inputs = []
    for _ in range(n):
        play(net, task.new_trial(episodes, data=data, noise=noise), learn=False)
        inputs.append(net.readout_input())
    return [mean_square(inputs), 1.0]


def sequences(net, task, data, n, seed, phase, model, learning=None, decided=None, progress=True) -> np.ndarray:
    """Play ``n`` sequences; one record each (ceiling from ``decided`` encoder decisions).
    With ``learning = (rate, norms)`` the readout learns at the annealed, normalised rate.
    Episodes and filler noise come from two generators seeded by ``seed`` (a list), so every
    delay and model sees the same episodes."""
    episodes, noise = (np.random.default_rng([*seed, k]) for k in (1, 2))
    records = np.zeros(n, dtype=RECORD_DTYPE)
    bar = tqdm(range(n), desc=f"{model} {phase}", disable=not progress, mininterval=0.5)
    learn = learning is not None
    for k in bar:
        if learn and k % ANNEAL_EVERY == 0:
            net.set_eta("readout", annealed(learning[0], k, n), learning[1])
        trial = task.new_trial(episodes, data=data, noise=noise)
        episode = trial.episode
        writes = getattr(net, "writes", 0)
        prediction = play(net, trial, learn)
        limits = encoder_limits(episode, *decided, data) if decided else (False, False)
        writes = getattr(net, "writes", 0) - writes
        records[k] = (phase, k, model, episode.answer, prediction, prediction == episode.answer, *limits, writes)
        if progress and k % 50 == 49:
            bar.set_postfix(accuracy=f"{records['correct'][: k + 1].mean():.3f}")
    return records


def run(config: dict, seed: int, out, progress=True) -> dict:
    """Train and test the configured model(s) with ``seed``; write the results folder ``out``."""
    task = ImageAssociation(**config["task"])
    train_data = load_data(config["images"], config["digits"], "train")
    test_data = load_data(config["images"], config["digits"], "test")
    rates = config["learning_rates"]
    with results.results_folder(out, overwrite=True) as folder:
        hmem = build_hmem(config, train_data, seed)
        train_encoders(hmem, task, train_data, config["encoder_frames"], rates["encoders"],
                       np.random.default_rng([seed, 1]), progress)
        decided = decisions(hmem, test_data)
        weights = {f"{layer}_weights": hmem.weights(layer) for layer in hmem.learners}
        summary = {
            "seed": seed,
            "delay": task.delay,
            "filler": task.filler,
            "accuracy": None,
            "ceiling": None,
            "baseline_accuracy": None,
            "image_accuracy": float(np.mean(decided[0] == test_data.image_labels)),
            "digit_accuracy": float(np.mean(decided[1] == test_data.digit_labels)),
        }
        records = []
        for model in MODELS[config["model"]]:
            net = hmem if model == "hmem" else build_reservoir(config, train_data, seed)
            net.load_encoders(hmem.encoder_state())
            norms = readout_norms(net, task, train_data, [seed, 5])
            train = sequences(net, task, train_data, config["sequences"], [seed, 2],
                              "train", model, (rates["readout"], norms), progress=progress)
            test = sequences(net, task, test_data, config["test_sequences"], [seed, 3],
                             "test", model, None, decided, progress)
            records += [train, test]
            summary["ceiling"] = float(test["ceiling_correct"].mean())
            summary["oracle"] = float(test["oracle_correct"].mean())
            summary["accuracy" if model == "hmem" else "baseline_accuracy"] = float(test["correct"].mean())
            summary[f"{model}_train_accuracy"] = float(train["correct"][-len(train) // 5 :].mean())
            weights[f"{model}_readout"] = net.readout_weights()
            if model == "hmem":
                summary["writes_per_sequence"] = float(test["writes"].mean())
                weights.update(key_weights=net.expansions[0], value_weights=net.expansions[1])
            else:
                weights.update(reservoir_input=np.hstack(net.fixed[0]), reservoir_recurrent=net.fixed[1])
        results.write_json(folder / "config.json", {**config, "seed": seed})
        results.write_records(folder / "sequences.csv", np.concatenate(records))
        results.write_json(folder / "summary.json", summary)
        np.savez_compressed(folder / "weights.npz", **weights)
    return summary
