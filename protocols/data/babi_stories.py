"""A generator of bAbI-style stories for the 20 tasks of Weston et al. (2015), written in the
v1.2 file format so that :mod:`protocols.data.babi` reads them. Results on them are
"bAbI-style", never "bAbI".

Each task is one seeded function ``story(rng) -> Story`` following the rules of
shared/specs/babi.md: a simulated world in which an action is kept only if it is valid (move
elsewhere; get an object at your place; drop what you hold; give to someone at your place; held
objects travel with their holder), statements in pairs, and after a pair a question where one
is answerable, with the ids of the statements that entail its answer. :func:`generate` strings
stories together up to a number of questions; :func:`write_setting` writes a folder like the
archive's ``en`` (1k) or ``en-10k``, whose 1k training file is the start of the 10k one.
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from protocols.data.babi import TASK_NAMES

ACTORS = ("Mary", "John", "Daniel", "Sandra")
HE = {"John", "Daniel", "Bill", "Fred", "Jeff", "Antoine", "Jason", "Sumit", "Yann"}
PLACES = ("bathroom", "bedroom", "garden", "hallway", "kitchen", "office")
OBJECTS = ("apple", "football", "milk")
MOVE = ("went", "journeyed", "travelled", "moved", "went back")
GET = ("got", "grabbed", "took", "picked up")
DROP = ("dropped", "discarded", "left", "put down")
GIVE = ("gave", "handed", "passed")
DIRECTIONS = {"north": "n", "south": "s", "east": "e", "west": "w"}
OPPOSITE = {"north": "south", "south": "north", "east": "west", "west": "east"}
STEP = {"north": (0, 1), "south": (0, -1), "east": (1, 0), "west": (-1, 0)}
TOWN_ACTORS = ("Bill", "Fred", "Julie", "Mary")  # tasks 10 and 14
TOWN_PLACES = ("bedroom", "cinema", "kitchen", "office", "park", "school")
TIMES = ("yesterday", "this morning", "this afternoon", "this evening")
QUESTIONS_PER_STORY = {1: 5, 2: 5, 3: 5, 4: 1, 5: 5, 6: 5, 7: 5, 8: 5, 9: 5, 10: 5, 11: 5, 12: 5,
                       13: 5, 14: 4, 15: 3, 16: 1, 17: 8, 18: 5, 19: 1, 20: 5}


def _pick(rng, options):
    return options[int(rng.integers(len(options)))]


@dataclass
class Story:
    """Lines of one story: statements, and questions with their answer and support ids."""

    lines: list = field(default_factory=list)

    def say(self, text: str) -> int:
        self.lines.append((text, None, ()))
        return len(self.lines)

    def ask(self, question: str, answer: str, supports):
        self.lines.append((question, answer, tuple(supports)))

    @property
    def questions(self) -> int:
        return sum(answer is not None for _, answer, _ in self.lines)

    def format(self, space_before_tab=False) -> list:
        space = " " if space_before_tab else ""
        return [f"{i} {text}" if answer is None else f"{i} {text}{space}\t{answer}\t{' '.join(map(str, s))}"
                for i, (text, answer, s) in enumerate(self.lines, 1)]


class World:
    """Actors moving between places and carrying objects; every action kept is valid. It
    remembers, per actor and object, the ids of the statements that fix where they are."""

    def __init__(self, rng, story, actors=ACTORS, objects=OBJECTS, gets=True, gives=False, there=True, weights=None):
        self.rng, self.story, self.actors, self.objects = rng, story, actors, objects
        self.gets, self.gives, self.there = gets, gives, there
        self.weights = {"move": 4.0, "get": 1.0, "drop": 1.0, "give": 1.0, **(weights or {})}
        self.place, self.moved = {}, {}  # actor -> place, id of the statement that put them there
        self.holder, self.dropped = {}, {}  # object -> actor; object -> (place, support ids)
        self.got_at = {}  # object -> id of the statement that gave it to its holder
        self.events = {a: [] for a in actors}  # ids of the statements that change what a holds
        self.trail = {o: [] for o in objects}  # object -> [(place, support ids)] since last got
        self.last_give = None  # (giver, object, receiver, id) of the last give

    def held(self, actor) -> list:
        """What ``actor`` holds, in the order it was got."""
        return sorted((o for o in self.objects if self.holder.get(o) == actor), key=self.got_at.get)

    def options(self) -> list:
        """The valid actions now."""
        acts = [("move", a, p) for a in self.actors for p in PLACES if self.place.get(a) != p]
        if self.gets:
            for o in self.objects:
                holder = self.holder.get(o)
                if holder is not None:
                    acts.append(("drop", holder, o))
                    acts += [("give", holder, o, b) for b in self.actors
                             if self.gives and b != holder and self.place.get(b) == self.place[holder]]
                else:
                    at = self.dropped.get(o, (None,))[0]
                    acts += [("get", a, o) for a in self.actors if a in self.place and at in (None, self.place[a])]
        return acts

    def act(self) -> int:
        """Do one valid action, each kind as often as its weight (moves four times the others'
        by default); returns its statement id."""
        acts = self.options()
        weights = np.array([self.weights[a[0]] for a in acts])
        action = acts[int(self.rng.choice(len(acts), p=weights / weights.sum()))]
        kind, actor = action[:2]
        there = " there" if self.there and self.rng.random() < 0.5 else ""
        if kind == "move":
            i = self.story.say(f"{actor} {_pick(self.rng, MOVE)} to the {action[2]}.")
            self.place[actor], self.moved[actor] = action[2], i
            for o in self.held(actor):
                self.trail[o].append((action[2], (i,)))
        elif kind == "get":
            o = action[2]
            i = self.story.say(f"{actor} {_pick(self.rng, GET)} the {o}{there}.")
            self.holder[o], self.got_at[o] = actor, i
            self.dropped.pop(o, None)
            self.events[actor].append(i)
            self.trail[o] = [(self.place[actor], (self.moved[actor], i))]  # where it went since
        elif kind == "drop":
            o = action[2]
            i = self.story.say(f"{actor} {_pick(self.rng, DROP)} the {o}{there}.")
            del self.holder[o]
            self.dropped[o] = (self.place[actor], (self.moved[actor], i))
            self.events[actor].append(i)
        else:
            o, receiver = action[2:]
            i = self.story.say(f"{actor} {_pick(self.rng, GIVE)} the {o} to {receiver}.")
            self.holder[o], self.got_at[o] = receiver, i
            self.events[actor].append(i)
            self.events[receiver].append(i)
            self.last_give = (actor, o, receiver, i)
        return i

    def where_object(self, o):
        """(place, support ids) of object ``o``, or None where unknown."""
        if o in self.dropped:
            return self.dropped[o]
        holder = self.holder.get(o)
        if holder is None:
            return None
        return self.place[holder], tuple(sorted({self.moved[holder], self.got_at[o]}))


def _pairs(world, story, task, ask, p_ask=1.0, max_statements=400):
    """Statements in pairs, a question after a pair where ``ask()`` finds one (with
    probability ``p_ask``), until the task's number of questions."""
    while story.questions < QUESTIONS_PER_STORY[task] and len(story.lines) < max_statements:
        world.act()
        world.act()
        if world.rng.random() < p_ask:
            question = ask()
            if question is not None:
                story.ask(*question)
    return story


def task1(rng):
    """Moves; (S S Q) x 5: Where is A? (the actor's last move, within the last 5 statements)."""
    story = Story()
    world = World(rng, story, gets=False)

    def ask():
        recent = [a for a in world.actors if a in world.moved and world.moved[a] > len(story.lines) - 5]
        if recent:
            a = _pick(rng, recent)
            return f"Where is {a}?", world.place[a], (world.moved[a],)
    return _pairs(world, story, 1, ask)


def _object_question(world, rng):
    known = [o for o in world.objects if world.where_object(o) is not None]
    if known:
        o = _pick(rng, known)
        place, supports = world.where_object(o)
        return f"Where is the {o}?", place, supports


def task2(rng):
    """Moves, gets, drops: Where is the O? (the get or drop and the holder's last move)."""
    story = Story()
    world = World(rng, story)
    return _pairs(world, story, 2, lambda: _object_question(world, rng), p_ask=0.5)


def task3(rng):
    """Moves, gets, drops, long stories: Where was the O before the L? (its holder's move
    there, the get and the move before)."""
    story = Story()
    world = World(rng, story)

    def ask():
        options = []
        for o, trail in world.trail.items():
            places = [p for p, _ in trail]
            if len(trail) >= 2 and o in world.holder and places.count(places[-1]) == 1:
                (before, s1), (now, s2) = trail[-2], trail[-1]
                supports = sorted({*s1, *s2, world.got_at[o]})
                options.append((f"Where was the {o} before the {now}?", before, supports))
        return _pick(rng, options) if options else None
    return _pairs(world, story, 3, ask, p_ask=0.3)


def task4(rng):
    """The L1 is DIR of the L2. (2): What is DIR of the L? / What is the L DIR of?"""
    story = Story()
    hub, a, c = rng.choice(PLACES, 3, replace=False)
    d1, d2 = rng.choice(list(DIRECTIONS), 2, replace=False)
    facts = [(a, d1, hub), (c, d2, hub)]
    for x, d, y in facts:
        story.say(f"The {x} is {d} of the {y}.")
    k = int(rng.integers(2))
    x, d, y = facts[k]
    question, answer = _pick(rng, [(f"What is {d} of the {y}?", x), (f"What is the {x} {d} of?", y),
                                   (f"What is {OPPOSITE[d]} of the {x}?", y), (f"What is the {y} {OPPOSITE[d]} of?", x)])
    story.ask(question, answer, (k + 1,))
    return story


def task5(rng):
    """Moves, gets, drops, gives (Bill, Fred, Jeff, Mary): who gave, who received, what was
    given (the last give, in the last pair)."""
    story = Story()
    world = World(rng, story, actors=("Bill", "Fred", "Jeff", "Mary"), gives=True, weights={"give": 8.0})

    def ask():
        if world.last_give is None or world.last_give[3] < len(story.lines) - 1:
            return None
        giver, o, receiver, i = world.last_give
        return _pick(rng, [(f"What did {giver} give to {receiver}?", o), (f"Who gave the {o} to {receiver}?", giver),
                           (f"Who did {giver} give the {o} to?", receiver), (f"Who gave the {o}?", giver),
                           (f"Who received the {o}?", receiver)]) + ((i,),)
    return _pairs(world, story, 5, ask)


def task6(rng):
    """Moves, gets, drops: Is A in the L? (yes half the time; the actor's last move)."""
    story = Story()
    world = World(rng, story)

    def ask():
        a = _pick(rng, [a for a in world.actors if a in world.place])
        place = world.place[a] if rng.random() < 0.5 else _pick(rng, [p for p in PLACES if p != world.place[a]])
        return f"Is {a} in the {place}?", "yes" if place == world.place[a] else "no", (world.moved[a],)
    return _pairs(world, story, 6, ask)


def _holdings(world, rng, task):
    a = _pick(rng, world.actors)
    if not world.events[a]:
        return None
    held = world.held(a)
    if task == 7:
        answer = ("none", "one", "two", "three")[len(held)]
        return f"How many objects is {a} carrying?", answer, world.events[a]
    return f"What is {a} carrying?", ",".join(held) or "nothing", world.events[a]


def task7(rng):
    """Moves, gets, drops, gives: How many objects is A carrying? (all of A's gets, drops and gives)."""
    story = Story()
    world = World(rng, story, gives=True)
    return _pairs(world, story, 7, lambda: _holdings(world, rng, 7), p_ask=0.7)


def task8(rng):
    """Moves, gets, drops: What is A carrying? (a list in the order got, or nothing)."""
    story = Story()
    world = World(rng, story)
    return _pairs(world, story, 8, lambda: _holdings(world, rng, 8), p_ask=0.7)


def task9(rng):
    """A is in / went to / is not / is no longer in the L; (S S Q) x 5: Is A in the L?"""
    story, known = Story(), {}
    for _ in range(QUESTIONS_PER_STORY[9]):
        for _ in range(2):
            a = _pick(rng, ACTORS)
            if a in known and known[a][1] and rng.random() < 0.4:
                place = known[a][0][0]
                i = story.say(f"{a} is {_pick(rng, ('not', 'no longer'))} in the {place}.")
                known[a] = ([place], False, i)
            else:
                place = _pick(rng, PLACES)
                i = story.say(_pick(rng, (f"{a} is in the {place}.", f"{a} {_pick(rng, MOVE)} to the {place}.")))
                known[a] = ([place], True, i)
        certain = [a for a in known if known[a][1]]
        if certain and rng.random() < 0.5:
            a = _pick(rng, certain)
            story.ask(f"Is {a} in the {known[a][0][0]}?", "yes", (known[a][2],))
        else:
            a = _pick(rng, list(known))
            places, sure, i = known[a]
            place = _pick(rng, [p for p in PLACES if p not in places]) if sure else places[0]
            story.ask(f"Is {a} in the {place}?", "no", (i,))
    return story


def task10(rng):
    """A is in the L / is either in the L1 or the L2; (S S Q) x 5: Is A in the L? (yes, no, maybe)."""
    story, known = Story(), {}
    for _ in range(QUESTIONS_PER_STORY[10]):
        for _ in range(2):
            a = _pick(rng, TOWN_ACTORS)
            if rng.random() < 0.5:
                places = list(rng.choice(TOWN_PLACES, 2, replace=False))
                known[a] = (places, False, story.say(f"{a} is either in the {places[0]} or the {places[1]}."))
            else:
                place = _pick(rng, TOWN_PLACES)
                text = _pick(rng, (f"{a} is in the {place}.", f"{a} {_pick(rng, MOVE)} to the {place}."))
                known[a] = ([place], True, story.say(text))
        answer = _pick(rng, ("yes", "no", "maybe"))  # a third each, where an actor allows it
        fits = [a for a in known if answer == "no" or known[a][1] == (answer == "yes")] or list(known)
        a = _pick(rng, fits)
        places, certain, i = known[a]
        if answer == "no" or (answer == "yes") != certain:
            place, answer = _pick(rng, [p for p in TOWN_PLACES if p not in places]), "no"
        else:
            place = _pick(rng, places)
        story.ask(f"Is {a} in the {place}?", answer, (i,))
    return story


def task11(rng):
    """A V to L1. {After that, ...} he/she V to L2.; x 5: Where is A?"""
    story, last = Story(), {}
    for _ in range(QUESTIONS_PER_STORY[11]):
        a = _pick(rng, ACTORS)
        first, second = rng.choice(PLACES, 2, replace=False)
        i = story.say(f"{a} {_pick(rng, MOVE)} to the {first}.")
        adverb = _pick(rng, ("After that", "Afterwards", "Following that", "Then"))
        j = story.say(f"{adverb} {'he' if a in HE else 'she'} {_pick(rng, MOVE)} to the {second}.")
        last[a] = (second, (i, j))
        b = a if rng.random() < 0.5 else _pick(rng, list(last))
        story.ask(f"Where is {b}?", *last[b])
    return story


def _conjunction(rng, task):
    story, last = Story(), {}
    for _ in range(QUESTIONS_PER_STORY[task]):
        for _ in range(2 if task == 12 else 1):
            a, b = rng.choice(ACTORS, 2, replace=False)
            place = _pick(rng, PLACES)
            i = story.say(f"{a} and {b} {_pick(rng, MOVE)} to the {place}.")
            if task == 13:
                adverb = _pick(rng, ("After that", "Afterwards", "Following that", "Then"))
                place = _pick(rng, [p for p in PLACES if p != place])
                i = (i, story.say(f"{adverb} they {_pick(rng, MOVE)} to the {place}."))
            last[a] = last[b] = (place, i if task == 13 else (i,))
        who = _pick(rng, list(last))
        story.ask(f"Where is {who}?", *last[who])
    return story


def task12(rng):
    """A and B V to the L. (S S Q) x 5: Where is A?"""
    return _conjunction(rng, 12)


def task13(rng):
    """A and B V to L1. {adverb} they V to L2.; x 5: Where is A?"""
    return _conjunction(rng, 13)


def task14(rng):
    """Moves yesterday, this morning, this afternoon, this evening, shuffled: Where was A before the L?"""
    story = Story()
    plans = {a: list(rng.choice(TOWN_PLACES, 4, replace=False)) for a in rng.choice(TOWN_ACTORS, 2, replace=False)}
    order = [(a, t) for a in plans for t in range(4)]
    order = [order[k] for k in rng.permutation(len(order))]
    said = {}
    for k in range(0, len(order), 2):
        for a, t in order[k:k + 2]:
            place, when = plans[a][t], TIMES[t]
            text = _pick(rng, (f"{when.capitalize()} {a} {_pick(rng, MOVE)} to the {place}.",
                               f"{a} {_pick(rng, MOVE)} to the {place} {when}."))
            said[(a, t)] = story.say(text)
        options = [(a, t) for a, t in said if t > 0 and (a, t - 1) in said]
        if options:
            a, t = _pick(rng, options)
            story.ask(f"Where was {a} before the {plans[a][t]}?", plans[a][t - 1],
                      sorted((said[(a, t - 1)], said[(a, t)])))
    return story


SPECIES = {"mouse": "mice", "cat": "cats", "sheep": "sheep", "wolf": "wolves"}


def task15(rng):
    """Xs are afraid of Ys. x 4 and A is a x. x 4, shuffled: What is A afraid of? (3 questions)."""
    story = Story()
    species = list(SPECIES)
    fears = {s: _pick(rng, [f for f in species if f != s]) for s in species}
    names = ("Gertrude", "Winona", "Emily", "Jessica")
    kind = {n: _pick(rng, species) for n in names}
    lines = [("fear", s) for s in species] + [("is", n) for n in names]
    ids = {}
    for what, x in (lines[k] for k in rng.permutation(len(lines))):
        ids[(what, x)] = story.say(f"{SPECIES[x].capitalize()} are afraid of {SPECIES[fears[x]]}." if what == "fear"
                                   else f"{x} is a {kind[x]}.")
    for n in rng.choice(names, QUESTIONS_PER_STORY[15], replace=False):
        story.ask(f"What is {n.lower()} afraid of?", fears[kind[n]], sorted((ids[("is", n)], ids[("fear", kind[n])])))
    return story


def task16(rng):
    """A is a x. x 5 and A is <colour>. x 4, shuffled: What color is A? The queried actor's
    species is shared by exactly one other actor, whose colour is the answer; every colour is
    drawn for its actor alone, so two species may share a colour and one species may have two.
    So are the v1.2 stories quoted in BABILong's prompts (booydar/babilong, babilong/prompts.py:
    a green frog and a green swan; a white and a gray rhino; one other actor of the queried
    species in each). The public Lua generator (facebook/bAbI-tasks, a rewrite that its README
    says cannot reproduce the released files) gives each species a colour of its own instead."""
    story = Story()
    species, colours = ("frog", "lion", "rhino", "swan"), ("gray", "green", "white", "yellow")
    names = list(rng.permutation(("Lily", "Bernhard", "Greg", "Julius", "Brian")))
    query, witness = names[0], names[1]
    kind = dict.fromkeys((query, witness), _pick(rng, species))
    kind |= {n: _pick(rng, [x for x in species if x != kind[query]]) for n in names[2:]}
    colour = {n: _pick(rng, colours) for n in names[1:]}
    lines = [("is", n) for n in names] + [("colour", n) for n in names[1:]]
    ids = {}
    for what, n in (lines[k] for k in rng.permutation(len(lines))):
        ids[(what, n)] = story.say(f"{n} is a {kind[n]}." if what == "is" else f"{n} is {colour[n]}.")
    supports = [ids[("is", query)], ids[("is", witness)], ids[("colour", witness)]]
    story.ask(f"What color is {query}?", colour[witness], sorted(supports))
    return story


SHAPES = ("triangle", "red square", "blue square", "pink rectangle", "yellow square", "red sphere")
RELATIONS = {"above": (0, 1), "below": (0, -1), "to the left of": (-1, 0), "to the right of": (1, 0)}


def task17(rng):
    """The X is REL the Y. (2, chained): Is the A REL the B? (8, the two end shapes, half yes)."""
    story = Story()
    y, x, z = rng.choice(SHAPES, 3, replace=False)  # x in the middle: x R1 y, z R2 x
    r1 = _pick(rng, list(RELATIONS))
    r2 = _pick(rng, [r for r in RELATIONS if np.any(np.add(RELATIONS[r], RELATIONS[r1]))])
    story.say(f"The {x} is {r1} the {y}.")
    story.say(f"The {z} is {r2} the {x}.")
    offset = np.add(RELATIONS[r1], RELATIONS[r2])  # z - y

    def holds(a, relation, b):  # a relative to b, a and b the two end shapes
        d = offset if a == z else -offset
        dx, dy = RELATIONS[relation]
        return bool(d[0] * dx > 0 or d[1] * dy > 0)
    pool = {True: [], False: []}
    for relation in RELATIONS:
        for a, b in ((z, y), (y, z)):
            pool[holds(a, relation, b)].append((a, relation, b))
    for k in range(QUESTIONS_PER_STORY[17]):
        a, relation, b = _pick(rng, pool[k % 2 == 0])
        story.ask(f"Is the {a} {relation} the {b}?", "yes" if holds(a, relation, b) else "no", (1, 2))
    return story


BOXES = ("box", "box of chocolates", "chocolate", "chest", "container", "suitcase")


def task18(rng):
    """The X fits inside the Y. / The Y is bigger than the X.: two-step comparisons, yes or no."""
    story = Story()
    order = list(rng.permutation(BOXES))  # from small to large
    facts = [(order[k], order[k + 1]) for k in range(len(order) - 1)]
    facts = [facts[k] for k in rng.permutation(len(facts))]
    said, asked = {}, set()
    for k in range(0, len(facts), 2):
        for small, large in facts[k:k + 2]:
            said[(small, large)] = story.say(_pick(rng, (f"The {small} fits inside the {large}.",
                                                          f"The {large} is bigger than the {small}.")))
        chains = [(a, m, b) for (a, m) in said for (m2, b) in said if m2 == m and (a, b) not in asked]
        for _ in range(2):
            if chains and story.questions < QUESTIONS_PER_STORY[18]:
                a, m, b = chains.pop(int(rng.integers(len(chains))))
                asked.add((a, b))
                supports = sorted((said[(a, m)], said[(m, b)]))
                x, y = (a, b) if rng.random() < 0.5 else (b, a)
                if rng.random() < 0.5:
                    story.ask(f"Is the {x} bigger than the {y}?", "yes" if x == b else "no", supports)
                else:
                    story.ask(f"Does the {x} fit in the {y}?", "yes" if x == a else "no", supports)
    return story


def task19(rng):
    """Six places on a grid joined by five statements (a tree: one way between any two): How
    do you go from the L1 to the L2? (two steps, as n, s, e, w)."""
    story = Story()
    names = list(rng.permutation(PLACES))
    cells, edges = {names[0]: (0, 0)}, []
    for name in names[1:]:
        while True:
            base = _pick(rng, list(cells))
            d = _pick(rng, list(STEP))
            cell = tuple(np.add(cells[base], STEP[d]))
            if cell not in cells.values():
                cells[name] = cell
                edges.append((name, d, base))  # name is d of base
                break
    edges = [edges[k] for k in rng.permutation(len(edges))]
    for name, d, base in edges:
        story.say(f"The {name} is {d} of the {base}.")
    steps = {}  # (from, to) -> (direction, statement id)
    for i, (name, d, base) in enumerate(edges, 1):
        steps[(base, name)], steps[(name, base)] = (d, i), (OPPOSITE[d], i)
    paths = [(a, m, b) for (a, m) in steps for (m2, b) in steps if m2 == m and b != a]
    a, m, b = _pick(rng, paths)
    (d1, i1), (d2, i2) = steps[(a, m)], steps[(m, b)]
    story.ask(f"How do you go from the {a} to the {b}?", f"{DIRECTIONS[d1]},{DIRECTIONS[d2]}", sorted((i1, i2)))
    return story


MOTIVES = {"hungry": ("kitchen", "apple"), "thirsty": ("kitchen", "milk"), "bored": ("garden", "football"),
           "tired": ("bedroom", "pajamas")}


def task20(rng):
    """A is hungry / thirsty / bored / tired, moves, gets: Where will A go? Why did A go to the L / get the O?"""
    story = Story()
    actors = list(rng.choice(("Antoine", "Jason", "Sumit", "Yann"), 2 + int(rng.integers(3)), replace=False))
    plans = {a: [0, _pick(rng, list(MOTIVES)), None] for a in actors}  # stage, motive, motive's id
    while story.questions < QUESTIONS_PER_STORY[20] and any(p[0] < 3 for p in plans.values()):
        a = _pick(rng, [a for a in actors if plans[a][0] < 3])
        stage, motive, said = plans[a]
        place, thing = MOTIVES[motive]
        name = a.lower()
        if stage == 0:
            plans[a][2] = story.say(f"{a} is {motive}.")
            if rng.random() < 0.6:
                story.ask(f"Where will {name} go?", place, (plans[a][2],))
        elif stage == 1:
            story.say(f"{a} {_pick(rng, MOVE)} to the {place}.")
            if rng.random() < 0.6:
                story.ask(f"Why did {name} go to the {place}?", motive, (said,))
        else:
            story.say(f"{a} {_pick(rng, GET)} the {thing} there.")
            if rng.random() < 0.6:
                story.ask(f"Why did {name} get the {thing}?", motive, (said,))
        plans[a][0] += 1
    return story


TASKS = {n: globals()[f"task{n}"] for n in TASK_NAMES}
SPACE_BEFORE_TAB = {1, 2, 3, 6, 7, 8}
"""Tasks whose questions end with a space before the tab, as in the v1.2 files."""


def generate(task: int, questions: int, seed: int) -> list:
    """The lines of stories of ``task`` with ``questions`` questions in all (the last story
    cut after the last one), from the seed ``seed``."""
    if task not in TASKS:
        raise ValueError(f"bAbI task {task!r} does not exist; tasks are 1 to 20.")
    if questions < 1:
        raise ValueError(f"the number of questions must be at least 1, got {questions}.")
    rng, lines, count = np.random.default_rng([seed, task]), [], 0
    while count < questions:
        story = TASKS[task](rng)
        if not story.questions:
            continue
        for line in story.format(task in SPACE_BEFORE_TAB):
            lines.append(line)
            count += "\t" in line
            if count == questions:
                break
    return lines


SIZES = {"en": 1000, "en-10k": 10000}
TEST_QUESTIONS = 1000
TEST_STREAM = 1_000_003  # the test questions' seed is the training questions' plus this


def split_lines(task: int, split: str, setting="en-10k", seed=0) -> list:
    """The generated lines of one split ("train": 1 000 or 10 000 questions, "test": 1 000,
    the same for both settings and from another stream of ``seed``)."""
    if split == "train":
        return generate(task, SIZES[setting], seed)
    return generate(task, TEST_QUESTIONS, seed + TEST_STREAM)


def write_setting(folder, setting="en-10k", tasks=tuple(TASK_NAMES), seed=0) -> Path:
    """Write ``qa{N}_{name}_train.txt`` and ``_test.txt`` for ``tasks`` into ``folder``
    (1 000 or 10 000 training questions; 1 000 test questions; the same test files for both
    settings, and the 1k training file the start of the 10k one, as in the archive)."""
    if setting not in SIZES:
        raise ValueError(f"the generator writes the settings {', '.join(SIZES)}; got {setting!r}.")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for task in tasks:
        stem = folder / f"qa{task}_{TASK_NAMES[task]}"
        for split in ("train", "test"):
            lines = split_lines(task, split, setting, seed)
            Path(f"{stem}_{split}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
