"""H-Mem on bAbI: the JAX twin against an independent numpy reference (whole model, base and
read-before-write, on random weights and padded stories; batch norm in training), its write and
read against the ANNarchy memory step by step, the initial draws, the encoding of samples, and
learning: bAbI-style task 1 learned on two seeds, the trained model answering the same through
the ANNarchy memory as through the twin."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from figures import regenerate
from networks import cache
from networks import hebbian_memory_twin as twin
from networks.hebbian_memory import HebbianMemoryNetwork
from protocols.data import babi, babi_stories
from protocols import babi as command
from protocols.learning import babi as learning
from protocols.running.results import read_records
from tests import reference_hmem_babi as reference
from tests.reference_hebbian_memory import Reference

VOCABULARY, WIDTH, EMBEDDING, MEMORY = 20, 5, 8, 6


def random_model(seed, rbw):
    """Initial draws with every other value made random too (encoding, norms, statistics)."""
    rng = np.random.default_rng(seed)
    params, state = twin.initial_parameters(VOCABULARY, WIDTH, seed, rbw, EMBEDDING, MEMORY)
    params = jax.tree_util.tree_map(lambda x: x.astype(np.float64), params)
    params["P"] = rng.uniform(0.5, 1.5, params["P"].shape)
    for norm in [params["bn_s"], params["bn_q"]] + ([params["rbw"]["ln_k"], params["rbw"]["ln_v"]] if rbw else []):
        norm["scale"] = rng.uniform(0.5, 1.5, norm["scale"].shape)
        norm["offset"] = rng.normal(0, 0.3, norm["offset"].shape)
    for s in state.values():
        s["mean"], s["var"] = rng.normal(0, 0.3, EMBEDDING), rng.uniform(0.5, 2, EMBEDDING)
    return params, state


def random_stories(seed, n=4, sentences=7):
    rng = np.random.default_rng(seed)
    stories = rng.integers(1, VOCABULARY, (n, sentences, WIDTH))
    stories[rng.random((n, sentences, WIDTH)) < 0.3] = 0  # padding words
    stories[0, 5:] = 0  # padding sentences at the end of a story
    stories[1, 2] = 0   # and an empty one inside
    queries = rng.integers(1, VOCABULARY, (n, WIDTH))
    queries[:, -2:] = 0
    return stories, queries


@pytest.mark.parametrize("rbw", [False, True])
def test_the_twin_is_the_numpy_reference_on_random_weights(rbw):
    jax.config.update("jax_enable_x64", True)
    try:
        params, state = random_model(3, rbw)
        stories, queries = random_stories(4)
        got = np.asarray(twin.apply(params, state, stories, queries)[0])
        expected = [reference.logits(params, state, s, q) for s, q in zip(stories, queries)]
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
        assert np.abs(expected).max() > 1e-3  # the memory was written and read
    finally:
        jax.config.update("jax_enable_x64", False)


def test_batch_norm_in_training_uses_the_real_sentences_of_the_batch():
    rng = np.random.default_rng(5)
    x, mask = rng.normal(size=(3, 4, EMBEDDING)), rng.random((3, 4)) < 0.6
    p = {"scale": rng.uniform(0.5, 1.5, EMBEDDING), "offset": rng.normal(size=EMBEDDING)}
    state = {"mean": np.zeros(EMBEDDING), "var": np.ones(EMBEDDING)}
    y, new = twin.batch_norm(x, mask, p, state, train=True)
    real = x[mask]
    np.testing.assert_allclose(np.asarray(y)[mask], (real - real.mean(0)) / np.sqrt(real.var(0) + 1e-3) * p["scale"]
                               + p["offset"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(new["mean"], 0.01 * real.mean(0), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(new["var"], 0.99 + 0.01 * real.var(0), rtol=1e-5)


def test_write_and_read_are_the_annarchy_memory_step_by_step():
    rng = np.random.default_rng(6)
    m = 8  # the size of tests/test_hebbian_memory.py: one build
    net = cache.build(HebbianMemoryNetwork, seed=1, m=m)
    net.erase()
    ref = Reference(m, 0.01, 0.01, 1.0, read_before_write=False)
    M = jnp.zeros((m, m))
    for step in range(15):
        k, v = rng.exponential(2.0, m) * (rng.random(m) < 0.5), rng.exponential(2.0, m)
        if step % 5 == 4:
            k = prior_k  # noqa: F821  (a key written before: forgetting and the soft bound act)
        prior_k = k
        M = twin.write(M, jnp.asarray(k, jnp.float32), jnp.asarray(v, jnp.float32))
        net.write(k, v)
        ref.write(k, v)
        np.testing.assert_allclose(np.asarray(M), net.weights(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(net.weights(), ref.M, rtol=1e-12)
        probe = rng.random(m)
        np.testing.assert_allclose(np.asarray(twin.read(M, jnp.asarray(probe, jnp.float32))), net.read(probe),
                                   rtol=1e-5, atol=1e-5)
    assert np.abs(ref.M).max() > 0.1


def test_initial_draws_are_the_originals():
    params, state = twin.initial_parameters(300, 7, seed=2, read_before_write=True)
    for name, fan_in in [("E", 300), ("W_k", 80), ("W_v", 80), ("W_r", 180), ("W_o", 100)]:
        w, bound = params[name], np.sqrt(6 / fan_in)
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.98 * bound  # He-uniform
        assert abs(w.std() - bound / np.sqrt(3)) < 0.03 * bound
    assert params["W_k"].shape == (100, 80) and params["W_o"].shape == (300, 100)
    assert np.all(params["P"] == 1) and np.all(params["bn_s"]["scale"] == 1) and np.all(state["bn_q"]["var"] == 1)
    assert np.abs(params["rbw"]["W"]).max() <= np.sqrt(6 / 300)  # Glorot-uniform
    again = twin.initial_parameters(300, 7, seed=2, read_before_write=True)[0]
    assert all(np.array_equal(a, b) for a, b in zip(jax.tree_util.tree_leaves(params), jax.tree_util.tree_leaves(again)))


def test_samples_become_word_ids_with_time_words():
    samples = babi.parse(["1 Mary went to the office.", "2 John moved to the garden.", "3 Where is Mary?\toffice\t1",
                          "1 Sandra went back to the kitchen.", "2 Where is Sandra?\tkitchen\t1"])
    vocabulary = babi.Vocabulary(samples)
    encoded = vocabulary.encode(samples)
    assert encoded.stories.shape == (2, 2, 7)  # two sentences; up to 6 words + the time word
    first = [vocabulary.words[i - 1] for i in encoded.stories[0, 0] if i]
    assert first == ["mary", "went", "to", "the", "office", "time2"] and encoded.stories[0, 0, 5] == 0
    assert vocabulary.words[encoded.stories[1, 0, -1] - 1] == "time1" and not encoded.stories[1, 1].any()
    assert vocabulary.answer_of(encoded.answers[1]) == "kitchen"
    short = babi.Vocabulary(samples, sentences=1).encode(samples)
    assert [vocabulary.words[i - 1] for i in short.stories[0, 0] if i][0] == "john"  # the latest kept


@pytest.mark.parametrize("rbw", [False, True])
def test_the_annarchy_memory_answers_as_the_twin_on_random_weights(rbw):
    params, state = random_model(8, rbw)
    params = jax.tree_util.tree_map(lambda x: np.asarray(x, np.float32), params)
    stories, queries = random_stories(9)
    data = babi.Encoded(stories, queries, np.zeros(len(stories), np.int32))
    np.testing.assert_allclose(learning.annarchy_logits(params, state, data), learning.logits(params, state, data),
                               rtol=1e-4, atol=1e-5)


@pytest.fixture(scope="module")
def task1(tmp_path_factory):
    folder = babi_stories.write_setting(tmp_path_factory.mktemp("babi"), "en", tasks=(1,), seed=4)
    splits = [babi.load(folder, 1, split) for split in ("train", "valid", "test")]
    vocabulary = babi.Vocabulary(*splits)
    return vocabulary, [vocabulary.encode(s) for s in splits]


@pytest.mark.parametrize("seed", [1, 2])
def test_task_1_is_learned_and_the_annarchy_memory_answers_the_same(task1, seed):
    vocabulary, (train, valid, test) = task1
    trained = learning.train(learning.Training(epochs=12), train, valid, len(vocabulary), seed, progress=False)
    params, state = trained["params"], trained["state"]
    assert learning.accuracy(params, state, test) > 0.8  # chance: 1 of 6 places
    assert trained["curve"][-1]["loss"] < trained["curve"][0]["loss"] / 2
    some = test.take(np.arange(60))
    through_annarchy = learning.annarchy_logits(params, state, some)
    np.testing.assert_allclose(through_annarchy, learning.logits(params, state, some), rtol=1e-4, atol=1e-4)
    assert np.mean(through_annarchy.argmax(-1) == some.answers) > 0.8


def test_an_interrupted_training_resumes_from_its_checkpoint_to_the_same_weights(task1, tmp_path):
    vocabulary, (train, valid, _) = task1
    train = train.take(np.arange(600))
    straight = learning.train(learning.Training(epochs=2), train, valid, len(vocabulary), 3, progress=False)
    checkpoint = tmp_path / "checkpoints" / "run.npz"
    learning.train(learning.Training(epochs=1), train, valid, len(vocabulary), 3, progress=False,
                   checkpoint=checkpoint, every=1)  # "interrupted" after its first epoch
    resumed = learning.train(learning.Training(epochs=2), train, valid, len(vocabulary), 3, progress=False,
                             checkpoint=checkpoint, every=1)
    assert [row["epoch"] for row in resumed["curve"]] == [1, 2]
    assert resumed["curve"][0]["loss"] == straight["curve"][0]["loss"]
    for a, b in zip(*(jax.tree_util.tree_leaves((t["params"], t["state"])) for t in (straight, resumed))):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="belongs to another training"):
        learning.train(learning.Training(epochs=3), train, valid, len(vocabulary), 4, progress=False,
                       checkpoint=checkpoint)


def test_the_command_trains_each_task_and_seed_and_reads_real_files(tmp_path, capsys):
    out = tmp_path / "run"
    assert command.main(["--task", "4,19", "--train-size", "1k", "--epochs", "1", "--seeds", "2",
                         "--out", str(out), "--quiet"]) == 0
    rows = read_records(out / "summary.csv")
    assert list(rows["task"]) == [4, 19] and list(rows["seed"]) == [2, 2]
    assert {"test_accuracy", "twin_test_accuracy", "valid_accuracy", "epochs", "seconds"} <= set(rows)
    assert set(rows["data"]) == {"bAbI-style"}
    folder = out / "task-19-seed-002"
    assert len(read_records(folder / "curve.csv")["epoch"]) == 1
    params, state = learning.load_model(folder)
    answers = np.load(folder / "answers.npz")
    assert np.mean(answers["annarchy"] == answers["twin"]) > 0.99
    assert regenerate.regenerate(out)  # babi_error.png and .svg
    printed = capsys.readouterr().out
    assert "task 19 seed 2: test accuracy" in printed
    # the same command on files in the v1.2 format (here written by the generator)
    files = babi_stories.write_setting(tmp_path / "tasks_1-20_v1-2" / "en", "en", tasks=(4,), seed=0)
    real = tmp_path / "real"
    assert command.main(["--task", "4", "--data", str(files.parent), "--train-size", "1k", "--epochs", "1",
                         "--out", str(real), "--quiet"]) == 0
    assert read_records(real / "summary.csv")["data"][0] == "bAbI"


@pytest.mark.parametrize("args, message", [
    (["--task", "21"], "must name tasks 1 to 20"),
    (["--data", "/nowhere"], "no folder /nowhere"),
    (["--sentences", "0"], "--sentences must be at least 1"),
    (["--epochs", "0"], "--epochs must be a positive number"),
])
def test_bad_options_are_one_clear_error(args, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        command.main(args + ["--out", str(tmp_path / "x")])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def _plain_writes(k, v, mask, rbw=None):
    """The writes as a plain scan over sentences, for JAX to differentiate."""
    n, T, m = k.shape
    M = jnp.zeros((n, m, m))
    for t in range(T):
        k_t, v_t = k[:, t], v[:, t]
        if rbw is not None:
            k_t = twin.layer_norm(k_t, rbw["ln_k"])
            v_t = twin.layer_norm(jnp.concatenate([v_t, twin.read(M, k_t)], -1) @ rbw["W"].T, rbw["ln_v"])
        M = jnp.where(mask[:, t, None, None], twin.write(M, k_t, v_t), M)
    return M


@pytest.mark.parametrize("writes", ["jax", "native", "native read-before-write"])
@pytest.mark.parametrize("T", [5, 37])  # within one block of sentences, and over three (the last one short)
def test_the_written_out_gradient_of_the_writes_is_automatic_differentiations(writes, T):
    rng = np.random.default_rng(10 + T)
    n, m = 3, 5
    inputs = {"k": rng.exponential(1.5, (n, T, m)), "v": rng.exponential(1.5, (n, T, m))}
    if writes.endswith("read-before-write"):
        inputs["rbw"] = {"W": rng.normal(0, 0.4, (m, 2 * m)),
                         **{ln: {"scale": rng.uniform(0.5, 1.5, m), "offset": rng.normal(0, 0.3, m)} for ln in ("ln_k", "ln_v")}}
    inputs = jax.tree_util.tree_map(lambda x: jnp.asarray(x, jnp.float32), inputs)
    mask = jnp.asarray(rng.random((n, T)) < 0.8).at[0, T // 2:].set(False)  # a story that ends early
    probe = jnp.asarray(rng.normal(size=(n, m, m)), jnp.float32)
    rows = lambda k, v: (k.reshape(n * T, m), v.reshape(n * T, m), mask.reshape(n * T),  # noqa: E731
                         jnp.arange(n + 1, dtype=jnp.int32) * T)  # the stories at a stride of T rows
    kernel = {"jax": lambda k, v: twin.hebbian_writes(k, v, mask),
              "native": lambda k, v: twin.native_writes(*rows(k, v)),
              "native read-before-write": lambda k, v, rbw: twin.native_rbw_writes(*rows(k, v), rbw["W"], twin._norms(rbw)),
              }[writes]

    np.testing.assert_allclose(jax.jit(kernel)(**inputs), _plain_writes(mask=mask, **inputs), rtol=1e-6, atol=1e-7)
    written_out = jax.jit(jax.grad(lambda x: jnp.sum(kernel(**x) * probe)))(inputs)
    automatic = jax.grad(lambda x: jnp.sum(_plain_writes(mask=mask, **x) * probe))(inputs)
    for a, b in zip(jax.tree_util.tree_leaves(written_out), jax.tree_util.tree_leaves(automatic)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert float(jnp.abs(written_out["k"]).max()) > 1e-2
    assert not np.any(np.asarray(written_out["k"])[~np.asarray(mask)])  # padding sentences get no gradient


@pytest.mark.parametrize("rbw", [False, True], ids=["base", "read-before-write"])
def test_the_native_kernel_and_packed_sentences_train_as_the_jax_scan_and_native_refuses_float64(rbw):
    params, state = jax.tree_util.tree_map(lambda x: jnp.asarray(x, jnp.float32), random_model(3, rbw))
    stories, queries = random_stories(4, n=6, sentences=21)
    answers = np.arange(6) % VOCABULARY
    real = twin.real_sentences(stories, parts=7)
    assert len(real) % 18 == 0 and len(real) > int(stories.any(-1).sum())  # some padding entries
    (loss, (new_state, _)), grads = jax.value_and_grad(learning.loss_function, has_aux=True)(
        params, state, stories, queries, answers, 1e-3, "jax")
    for kernel, packed in [("native", None), ("native", real), ("jax", real)]:
        (other_loss, (other_state, _)), other = jax.value_and_grad(learning.loss_function, has_aux=True)(
            params, state, stories, queries, answers, 1e-3, kernel, packed)
        np.testing.assert_allclose(other_loss, loss, rtol=1e-5)
        for a, b in zip(jax.tree_util.tree_leaves((other, other_state)), jax.tree_util.tree_leaves((grads, new_state))):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    jax.config.update("jax_enable_x64", True)
    try:
        with pytest.raises(TypeError, match="float32"):
            twin.native_writes(*(jnp.zeros((2, 3), jnp.float64),) * 2, jnp.ones(2, bool), jnp.array([0, 2], jnp.int32))
    finally:
        jax.config.update("jax_enable_x64", False)


@pytest.mark.parametrize("offsets, message", [([0, 3, 2], "offsets must rise"), ([0, 2, 7], "at most 4 rows"),
                                              ([-1, 2], "offsets must rise")])
def test_the_native_loops_refuse_offsets_outside_their_rows(offsets, message):
    k = np.ones((4, 3), np.float32)
    with pytest.raises(ValueError, match=message):
        twin.native.forward(k, k, np.ones(4, np.uint8), np.asarray(offsets, np.int32), 0.01, 0.01, 1.0)
