"""The bAbI question-answering tasks, v1.2 (Weston et al. 2015, arXiv:1502.05698; licence
CC BY 3.0): a reader of the files as distributed, from a user's copy (nothing is downloaded).

The archive folder ``tasks_1-20_v1-2/`` holds ``en/`` (1 000 training questions per task),
``en-10k/``, ``en-valid/`` and ``en-valid-10k/`` (official validation files), the Hindi ``hn*``
and ``shuffled*`` variants; files are ``qa{N}_{name}_{split}.txt`` (``qa{N}_{split}.txt`` in the
``-valid`` folders). A line is ``<id> <sentence>`` or, for a question,
``<id> <question>?<TAB><answer><TAB><support ids>`` (some tasks put a space before the tab);
ids rise by one within a story and ``1`` starts the next story. One sample per question: the
story's statements before it, the question, the answer (one word, or a comma list: task 8's
lists, task 19's paths) and the supporting statements' ids (a set). Samples keep the raw text;
:func:`words` gives the lowercased tokens the models read. A missing file, a wrong folder or a
malformed line raises :class:`~protocols.running.results.InputError` with one sentence naming
the file and line.

:class:`Vocabulary` turns samples into the integer arrays that H-Mem reads (the H-Mem code's
layout, after MemN2N's): word ids from 1 (0 pads), each answer one class (a list is one
token), and a "time word" in the last word slot of every sentence naming its place counted
from the question (``time1`` the latest statement).
"""

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from protocols.running.results import InputError

TASK_NAMES = {
    1: "single-supporting-fact", 2: "two-supporting-facts", 3: "three-supporting-facts",
    4: "two-arg-relations", 5: "three-arg-relations", 6: "yes-no-questions", 7: "counting",
    8: "lists-sets", 9: "simple-negation", 10: "indefinite-knowledge", 11: "basic-coreference",
    12: "conjunction", 13: "compound-coreference", 14: "time-reasoning", 15: "basic-deduction",
    16: "basic-induction", 17: "positional-reasoning", 18: "size-reasoning", 19: "path-finding",
    20: "agents-motivations",
}
SETTINGS = ("en", "en-10k", "en-valid", "en-valid-10k", "hn", "hn-10k", "shuffled", "shuffled-10k")
"""The folders of the v1.2 archive."""
SPLITS = ("train", "valid", "test")
VALIDATION_FRACTION = 0.1
"""Where a folder has no validation files, validation is the last 10 % of the training samples
(the H-Mem original's split)."""


@dataclass(frozen=True)
class Sample:
    """One question with the statements of its story before it (raw text, ids of the file)."""

    story: tuple
    story_ids: tuple
    question: str
    answer: str
    supporting: frozenset

    @property
    def answers(self) -> tuple:
        """The answer as a list (task 8's sets, task 19's paths; one word otherwise)."""
        return tuple(self.answer.split(","))

    @property
    def supporting_facts(self) -> tuple:
        """The supporting statements' text, in story order."""
        return tuple(s for s, i in zip(self.story, self.story_ids) if i in self.supporting)


def words(text: str) -> list:
    """The lowercased words of a statement or question, without punctuation."""
    return re.findall(r"[^\W_]+", text.lower())


def parse(lines, source="<text>") -> list:
    """The samples of the lines of one bAbI file; ``source`` names it in errors."""
    samples, story, ids, previous = [], [], [], 0
    for number, line in enumerate(lines, 1):
        line = line.rstrip("\n").rstrip("\r")
        if not line.strip():
            continue
        where = f"{source}, line {number}"
        head, _, text = line.partition(" ")
        if not head.isdigit() or not text.strip():
            raise InputError(f"{where} does not start with a line id and a sentence: {line!r}.")
        line_id = int(head)
        if line_id == 1:
            story, ids = [], []
        elif line_id != previous + 1:
            raise InputError(f"{where} has id {line_id} after {previous} (ids rise by one; 1 starts a story).")
        previous = line_id
        if "\t" not in text:
            story.append(text.strip())
            ids.append(line_id)
            continue
        fields = text.split("\t")
        if len(fields) != 3 or not fields[1].strip():
            raise InputError(f"{where} is a question without '<question>TAB<answer>TAB<supports>': {line!r}.")
        question, answer, support = (f.strip() for f in fields)
        if not all(s.isdigit() for s in support.split()):
            raise InputError(f"{where} has support ids {support!r}; they are line numbers.")
        supporting = frozenset(int(s) for s in support.split())
        if not supporting <= set(ids):
            raise InputError(f"{where} cites {sorted(supporting - set(ids))} as support, "
                             "which are not earlier statements of its story.")
        samples.append(Sample(tuple(story), tuple(ids), question, answer, supporting))
    return samples


def read(path) -> list:
    """The samples of the bAbI file ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"no bAbI file {path}.") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text, as bAbI files are.") from None
    return parse(text.splitlines(), source=str(path))


def folder_of(path, setting="en-10k") -> Path:
    """The folder of bAbI files that ``path`` names: itself if it holds ``qa*_*.txt`` files,
    else its ``setting`` subfolder (``path`` being the archive folder ``tasks_1-20_v1-2``)."""
    path = Path(path)
    if not path.is_dir():
        raise InputError(f"no folder {path} (give the bAbI folder tasks_1-20_v1-2 or one of its folders).")
    if any(path.glob("qa*_*.txt")):
        return path
    if setting not in SETTINGS:
        raise InputError(f"unknown bAbI setting {setting!r}; the v1.2 folders are {', '.join(SETTINGS)}.")
    if any((path / setting).glob("qa*_*.txt")):
        return path / setting
    raise InputError(f"{path} holds no bAbI files (qa<N>_*.txt) and no {setting}/ folder with them.")


def _file(folder: Path, task: int, split: str):
    """The file of ``task`` and ``split`` in ``folder``, or None."""
    found = sorted(folder.glob(f"qa{task}_*{split}.txt"))
    if len(found) > 1:
        raise InputError(f"{folder} has {len(found)} files for task {task}, {split}: {', '.join(f.name for f in found)}.")
    return found[0] if found else None


def load(path, task: int, split: str = "train", setting: str = "en-10k",
         validation: float = VALIDATION_FRACTION) -> list:
    """The samples of bAbI ``task`` (1-20) and ``split`` ('train', 'valid' or 'test').

    ``path`` is the archive folder (then ``setting`` picks its subfolder) or a folder of files.
    Validation comes from the official ``qa{N}_valid.txt`` where the folder has one; otherwise
    it is the last ``validation`` fraction of the training samples, and 'train' is the rest.
    """
    if task not in TASK_NAMES:
        raise InputError(f"bAbI task {task!r} does not exist; tasks are 1 to 20.")
    if split not in SPLITS:
        raise InputError(f"split must be one of {', '.join(SPLITS)}; got {split!r}.")
    if not 0 < validation < 1:
        raise InputError(f"the validation fraction must lie in (0, 1); got {validation}.")
    folder = folder_of(path, setting)
    official = _file(folder, task, "valid")
    name = "train" if split == "valid" and official is None else split
    found = official if split == "valid" and official is not None else _file(folder, task, name)
    if found is None:
        raise InputError(f"{folder} has no file for task {task}, {name} (looked for qa{task}_*{name}.txt).")
    samples = read(found)
    if official is not None or split == "test":
        return samples
    cut = len(samples) - round(validation * len(samples))
    return samples[:cut] if split == "train" else samples[cut:]


@dataclass(frozen=True)
class Encoded:
    """Samples as arrays: ``stories`` (n, sentences, words) and ``queries`` (n, words) of word
    ids (0 pads; a story's statements end at its last sentence row), ``answers`` (n,)."""

    stories: np.ndarray
    queries: np.ndarray
    answers: np.ndarray

    def __len__(self):
        return len(self.answers)

    def take(self, index) -> "Encoded":
        return Encoded(self.stories[index], self.queries[index], self.answers[index])

    def trimmed(self, multiple=16, power_of_two=False) -> "Encoded":
        """Without the sentence rows that no story of these samples uses (kept to a multiple of
        ``multiple`` rows, or to a power of two at least ``multiple``, so that few array shapes
        occur): the same samples, less padding."""
        used = int(self.stories.any(-1).sum(-1).max(initial=1))
        rows = max(multiple, 1 << (used - 1).bit_length()) if power_of_two else -(-used // multiple) * multiple
        rows = min(self.stories.shape[1], rows)
        return Encoded(self.stories[:, :rows], self.queries, self.answers)


class Vocabulary:
    """The words and answers of some samples (all splits of a task, as the H-Mem code builds
    it), with ``sentences`` time words: stories longer than that keep their latest
    ``sentences`` statements (the original drops such samples instead)."""

    def __init__(self, *splits, sentences=None):
        samples = [s for split in splits for s in split]
        if not samples:
            raise InputError("a vocabulary needs at least one sample.")
        longest = max(len(s.story) for s in samples)
        self.sentences = longest if sentences is None else min(int(sentences), longest)
        if self.sentences < 1:
            raise InputError(f"the number of sentences kept must be at least 1, got {sentences}.")
        tokens = {w for s in samples for text in (*s.story, s.question) for w in words(text)}
        tokens |= {s.answer.lower() for s in samples}
        self.words = sorted(tokens) + [f"time{i}" for i in range(1, self.sentences + 1)]
        self.index = {w: i for i, w in enumerate(self.words, 1)}
        self.width = max(max((len(words(t)) for s in samples for t in s.story), default=0) + 1,
                         max(len(words(s.question)) for s in samples))

    def __len__(self):
        """Word ids in use, the nil word 0 included (the output layer's size)."""
        return len(self.words) + 1

    def answer_of(self, index: int) -> str:
        return self.words[index - 1]

    def encode(self, samples) -> Encoded:
        n, S, W = len(samples), self.sentences, self.width
        stories, queries = np.zeros((n, S, W), np.int32), np.zeros((n, W), np.int32)
        answers = np.zeros(n, np.int32)
        for k, sample in enumerate(samples):
            story = sample.story[-S:]
            for i, text in enumerate(story):
                ids = [self.index[w] for w in words(text)]
                stories[k, i, :len(ids)] = ids
                stories[k, i, -1] = self.index[f"time{len(story) - i}"]
            ids = [self.index[w] for w in words(sample.question)]
            queries[k, :len(ids)] = ids
            if sample.answer.lower() not in self.index:
                raise InputError(f"the answer {sample.answer!r} is not in the vocabulary.")
            answers[k] = self.index[sample.answer.lower()]
        return Encoded(stories, queries, answers)
