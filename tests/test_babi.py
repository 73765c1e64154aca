"""bAbI: the reader of the v1.2 files (on files written here in their exact format, quirks
included), its one-sentence errors, and the generator of bAbI-style stories: every task's
stories re-simulated by an independent reader (tests/reference_babi.py) give the stated answer,
from the whole story and from the supporting facts alone; the files round-trip; the sizes and
answer shares are those of the archive."""

import collections
import re

import pytest

from protocols.data import babi
from protocols.data import babi_stories as stories
from protocols.running.results import InputError
from tests import reference_babi

QA1 = """1 Mary moved to the bathroom.
2 John went to the hallway.
3 Where is Mary? \tbathroom\t1
4 Daniel went back to the hallway.
5 Sandra moved to the garden.
6 Where is Daniel? \thallway\t4
1 Sandra travelled to the office.
2 Where is Sandra?\toffice\t1
"""
QA8 = """1 Mary got the milk there.
2 John moved to the bedroom.
3 Mary took the apple there.
4 What is Mary carrying?\tmilk,apple\t3 1
5 Mary dropped the milk.
6 Mary put down the apple.
7 What is Mary carrying?\tnothing\t6 5 3 1
"""


def write(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_the_reader_gives_one_sample_per_question_with_its_story_and_supports(tmp_path):
    folder = write(tmp_path / "tasks_1-20_v1-2" / "en", {
        "qa1_single-supporting-fact_train.txt": QA1, "qa8_lists-sets_train.txt": QA8,
        "qa1_single-supporting-fact_test.txt": QA1, "out.txt": "a stray file of the archive\n"})
    samples = babi.load(folder.parent, 1, "test", setting="en")  # the archive folder and a setting
    assert [s.question for s in samples] == ["Where is Mary?", "Where is Daniel?", "Where is Sandra?"]
    assert samples[1].story == ("Mary moved to the bathroom.", "John went to the hallway.",
                                "Daniel went back to the hallway.", "Sandra moved to the garden.")
    assert samples[1].story_ids == (1, 2, 4, 5) and samples[1].supporting == {4}
    assert samples[2].story == ("Sandra travelled to the office.",)  # id 1 starts a new story
    lists = babi.read(folder / "qa8_lists-sets_train.txt")
    assert lists[0].answers == ("milk", "apple") and lists[0].supporting == {1, 3}  # unsorted: a set
    assert lists[1].answer == "nothing" and lists[1].supporting_facts[0] == "Mary got the milk there."
    assert babi.words("Where is Mary? ") == ["where", "is", "mary"]


def test_validation_is_the_last_tenth_of_training_or_the_official_files(tmp_path):
    text = "".join(f"1 Mary went to the office.\n2 Where is Mary?\toffice\t1\n" for _ in range(20))
    folder = write(tmp_path / "en-10k", {"qa1_single-supporting-fact_train.txt": text})
    train, valid = babi.load(folder, 1, "train"), babi.load(folder, 1, "valid")
    assert (len(train), len(valid)) == (18, 2)
    official = write(tmp_path / "en-valid-10k", {"qa1_train.txt": text, "qa1_valid.txt": text[:64],
                                                  "qa1_test.txt": text})
    assert len(babi.load(official, 1, "train")) == 20 and len(babi.load(official, 1, "valid")) == 1


@pytest.mark.parametrize("text, message", [
    ("Mary went to the office.\n", "line 1 does not start with a line id"),
    ("1 Mary went to the office.\n3 John went to the garden.\n", "line 2 has id 3 after 1"),
    ("1 Mary went to the office.\n2 Where is Mary?\toffice\n", "line 2 is a question without"),
    ("1 Mary went to the office.\n2 Where is Mary?\toffice\t1 x\n", "support ids '1 x'"),
    ("1 Mary went to the office.\n2 Where is Mary?\toffice\t2\n", r"cites \[2\] as support"),
])
def test_a_malformed_line_is_one_sentence_naming_file_and_line(tmp_path, text, message):
    path = tmp_path / "qa1_single-supporting-fact_train.txt"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as error:
        babi.read(path)
    assert str(path) in str(error.value) and str(error.value).count(".") >= 1


def test_missing_files_and_wrong_folders_are_one_sentence(tmp_path):
    folder = write(tmp_path / "en", {"qa1_single-supporting-fact_train.txt": QA1})
    with pytest.raises(InputError, match="has no file for task 1, test"):
        babi.load(folder, 1, "test")
    with pytest.raises(InputError, match="holds no bAbI files"):
        babi.load(tmp_path / "en" / "..", 1, setting="en-10k")
    with pytest.raises(InputError, match="no folder"):
        babi.load(tmp_path / "nowhere", 1)
    with pytest.raises(InputError, match="tasks are 1 to 20"):
        babi.load(folder, 21)
    with pytest.raises(InputError, match="split must be one of"):
        babi.load(folder, 1, "dev")


@pytest.mark.parametrize("task", range(1, 21))
def test_every_generated_answer_follows_from_its_story_and_from_its_supports_alone(task):
    """Also: no support can be left out (but in tasks 7 and 8)."""
    samples = babi.parse(stories.generate(task, 400, seed=11), source=f"task {task}")
    assert len(samples) == 400
    for s in samples:
        assert reference_babi.answer(task, s.story, s.question, strict=True) == s.answer, (s.story, s.question)
        assert reference_babi.answer(task, s.supporting_facts, s.question) == s.answer, (s.supporting_facts, s.question)
        assert s.supporting
        if task not in (7, 8):  # there the supports are all of an actor's gets, drops and gives
            for k in range(len(s.supporting_facts)):  # and elsewhere each one is needed
                fewer = s.supporting_facts[:k] + s.supporting_facts[k + 1:]
                assert reference_babi.answer(task, fewer, s.question) != s.answer


def test_the_reference_reader_refuses_an_invalid_world_and_an_undetermined_answer():
    with pytest.raises(reference_babi.Invalid):
        reference_babi.answer(2, ["Mary went to the office.", "Mary dropped the milk."], "Where is the milk?", True)
    with pytest.raises(reference_babi.Invalid):
        reference_babi.answer(1, ["Mary went to the office.", "Mary moved to the office."], "Where is Mary?", True)
    assert reference_babi.answer(3, ["Mary got the milk.", "Mary went to the office."],
                                 "Where was the milk before the office?") is None


def test_generated_settings_round_trip_with_the_archives_sizes(tmp_path):
    small = stories.write_setting(tmp_path / "en", "en", tasks=(1, 16), seed=3)
    large = stories.write_setting(tmp_path / "en-10k", "en-10k", tasks=(1, 16), seed=3)
    for task in (1, 16):
        assert len(babi.load(small, task, "train")) + len(babi.load(small, task, "valid")) == 1000
        assert len(babi.load(large, task, "train")) == 9000 and len(babi.load(large, task, "test")) == 1000
        name = f"qa{task}_{babi.TASK_NAMES[task]}"
        big = (large / f"{name}_train.txt").read_text()
        assert big.startswith((small / f"{name}_train.txt").read_text())  # the 1k file starts the 10k one
        assert (small / f"{name}_test.txt").read_text() == (large / f"{name}_test.txt").read_text()
        assert (small / f"{name}_test.txt").read_text() != (small / f"{name}_train.txt").read_text()
    assert "? \tbathroom" in big or "? \t" in (large / "qa1_single-supporting-fact_test.txt").read_text()
    assert stories.generate(7, 50, seed=1) == stories.generate(7, 50, seed=1) != stories.generate(7, 50, seed=2)


@pytest.mark.parametrize("task, answers", [
    (6, ("yes", "no")), (9, ("yes", "no")), (17, ("yes", "no")), (18, ("yes", "no")),
    (1, ("bathroom", "bedroom", "garden", "hallway", "kitchen", "office")),
    (12, ("bathroom", "bedroom", "garden", "hallway", "kitchen", "office")),
    (16, ("gray", "green", "white", "yellow")),
])
def test_answer_shares_are_balanced_as_in_the_archive(task, answers):
    shares = collections.Counter(s.answer for s in babi.parse(stories.generate(task, 3000, seed=5)))
    assert set(shares) == set(answers)
    for answer in answers:
        assert abs(shares[answer] / 3000 - 1 / len(answers)) < 0.04, shares


def test_task_16_colours_belong_to_actors_and_one_other_actor_shares_the_queried_species():
    """As in the v1.2 stories quoted in BABILong's prompts: the answer is the colour of the one
    other actor of the queried species, and colours are not tied to species."""
    two_colours = shared_colour = 0
    for s in babi.parse(stories.generate(16, 2000, seed=4)):
        kind = dict(m.groups() for line in s.story if (m := re.fullmatch(r"(\w+) is an? (\w+)\.", line)))
        colour = dict(m.groups() for line in s.story if (m := re.fullmatch(r"(\w+) is (\w+)\.", line)))
        query = re.fullmatch(r"What color is (\w+)\?", s.question)[1]
        peers = [n for n in kind if n != query and kind[n] == kind[query]]
        assert len(kind) == 5 and len(colour) == 4 and query not in colour and len(peers) == 1
        assert s.answer == colour[peers[0]]
        by_species = collections.defaultdict(set)
        for n, c in colour.items():
            by_species[kind[n]].add(c)
        two_colours += any(len(c) > 1 for c in by_species.values())
        shared_colour += len(set(colour.values())) < sum(len(c) for c in by_species.values())
    assert two_colours > 200 and shared_colour > 200, (two_colours, shared_colour)


def test_the_generator_refuses_bad_input():
    with pytest.raises(ValueError, match="tasks are 1 to 20"):
        stories.generate(0, 10, 1)
    with pytest.raises(ValueError, match="at least 1"):
        stories.generate(1, 0, 1)
    with pytest.raises(ValueError, match="writes the settings"):
        stories.write_setting("x", "hn")
