"""An independent reader of bAbI stories for the tests of the generator: it parses the text of
the statements back into events, re-simulates the world and answers the question, or returns
None where the statements do not determine the answer. With ``strict`` (a whole story) it also
raises on an invalid action (a move to where one is, a get of an object elsewhere or held, a
drop of what one does not hold, a give to someone elsewhere). Written from the task rules of
shared/specs/babi.md, not from the generator's code."""

import re

MOVE = r"(?:went back|went|journeyed|travelled|moved)"
GET = r"(?:got|grabbed|took|picked up)"
DROP = r"(?:dropped|discarded|left|put down)"
GIVE = r"(?:gave|handed|passed)"
ADVERB = r"(?:After that|Afterwards|Following that|Then)"
MALE = {"John", "Daniel", "Bill", "Fred", "Jeff", "Antoine", "Jason", "Sumit", "Yann"}
OPPOSITE = {"north": "south", "south": "north", "east": "west", "west": "east"}
TIMES = ["yesterday", "this morning", "this afternoon", "this evening"]
PLURAL = {"mice": "mouse", "cats": "cat", "sheep": "sheep", "wolves": "wolf"}
OFFSET = {"above": (0, 1), "below": (0, -1), "to the left of": (-1, 0), "to the right of": (1, 0)}
MOTIVE = {"hungry": "kitchen", "thirsty": "kitchen", "bored": "garden", "tired": "bedroom"}


class Invalid(Exception):
    """An action the world does not allow."""


def _match(pattern, text):
    return re.fullmatch(pattern, text)


def _world(statements, strict):
    """Places of actors and objects, object trails, holdings and gives after ``statements``."""
    place, holder, where, trail, holds, gives = {}, {}, {}, {}, {}, []
    for s in statements:
        if m := _match(rf"(\w+) {MOVE} to the (\w+)\.", s):
            a, p = m.groups()
            if strict and place.get(a) == p:
                raise Invalid(f"{a} moves to the {p}, where {a} is: {s}")
            place[a] = p
            for o in holds.get(a, []):
                where[o] = p
                trail.setdefault(o, []).append(p)
        elif m := _match(rf"(\w+) {GET} the (\w+)(?: there)?\.", s):
            a, o = m.groups()
            if strict and (a not in place or o in holder or where.get(o, place[a]) != place[a]):
                raise Invalid(f"{a} cannot get the {o}: {s}")
            if o in holder:
                holds[holder[o]].remove(o)
            holder[o] = a
            holds.setdefault(a, []).append(o)
            if a in place:
                where[o] = place[a]
                if not trail.get(o) or trail[o][-1] != place[a]:
                    trail.setdefault(o, []).append(place[a])
            else:
                where.pop(o, None)
        elif m := _match(rf"(\w+) {DROP} the (\w+)(?: there)?\.", s):
            a, o = m.groups()
            if strict and holder.get(o) != a:
                raise Invalid(f"{a} drops the {o} without holding it: {s}")
            holder.pop(o, None)
            if o in holds.get(a, []):
                holds[a].remove(o)
            if a in place:
                where[o] = place[a]
            else:
                where.pop(o, None)
        elif m := _match(rf"(\w+) {GIVE} the (\w+) to (\w+)\.", s):
            a, o, b = m.groups()
            if strict and (holder.get(o) != a or place.get(a) != place.get(b)):
                raise Invalid(f"{a} cannot give the {o} to {b}: {s}")
            if o in holds.get(a, []):
                holds[a].remove(o)
            holder[o] = b
            holds.setdefault(b, []).append(o)
            if b in place:
                where[o] = place[b]
            gives.append((a, o, b))
        else:
            raise ValueError(f"not a statement of this world: {s!r}")
    return place, where, trail, holds, gives


def _physical(statements, question, strict):
    place, where, trail, holds, gives = _world(statements, strict)
    if m := _match(r"Where is (\w+)\?", question):
        return place.get(m[1])
    if m := _match(r"Where is the (\w+)\?", question):
        return where.get(m[1])
    if m := _match(r"Where was the (\w+) before the (\w+)\?", question):
        seen = trail.get(m[1], [])
        if m[2] not in seen:
            return None
        k = len(seen) - 1 - seen[::-1].index(m[2])
        return seen[k - 1] if k > 0 else None
    if m := _match(r"Is (\w+) in the (\w+)\?", question):
        return None if m[1] not in place else ("yes" if place[m[1]] == m[2] else "no")
    if m := _match(r"How many objects is (\w+) carrying\?", question):
        return ["none", "one", "two", "three"][len(holds.get(m[1], []))]
    if m := _match(r"What is (\w+) carrying\?", question):
        return ",".join(holds.get(m[1], [])) or "nothing"
    for pattern, ask in ((r"What did (\w+) give to (\w+)\?", lambda g, a, b: (a, b) == (g[0], g[2]) and g[1]),
                         (r"Who gave the (\w+) to (\w+)\?", lambda g, o, b: (o, b) == (g[1], g[2]) and g[0]),
                         (r"Who did (\w+) give the (\w+) to\?", lambda g, a, o: (a, o) == (g[0], g[1]) and g[2]),
                         (r"Who gave the (\w+)\?", lambda g, o: o == g[1] and g[0]),
                         (r"Who received the (\w+)\?", lambda g, o: o == g[1] and g[2])):
        if m := _match(pattern, question):
            found = [ask(g, *m.groups()) for g in gives]
            found = [f for f in found if f]
            return found[-1] if found else None
    raise ValueError(f"not a question of this world: {question!r}")


def _beliefs(statements):
    """Per actor what the last statement about them says: ('at', L), ('not', L), ('either', L1, L2)."""
    known, subjects = {}, []
    for s in statements:
        if m := _match(rf"(\w+) (?:is in|{MOVE} to) the (\w+)\.", s):
            known[m[1]], subjects = ("at", m[2]), [m[1]]
        elif m := _match(r"(\w+) is (?:not|no longer) in the (\w+)\.", s):
            known[m[1]], subjects = ("not", m[2]), [m[1]]
        elif m := _match(r"(\w+) is either in the (\w+) or the (\w+)\.", s):
            known[m[1]], subjects = ("either", m[2], m[3]), [m[1]]
        elif m := _match(rf"(\w+) and (\w+) {MOVE} to the (\w+)\.", s):
            known[m[1]] = known[m[2]] = ("at", m[3])
            subjects = [m[1], m[2]]
        elif m := _match(rf"{ADVERB} (he|she|they) {MOVE} to the (\w+)\.", s):
            pronoun = m[1]
            expected = "they" if len(subjects) == 2 else ("he" if subjects and subjects[0] in MALE else "she")
            if not subjects or pronoun != expected:
                return None  # the pronoun refers to nothing said (a statement left out)
            for a in subjects:
                known[a] = ("at", m[2])
        else:
            raise ValueError(f"not a statement of this task: {s!r}")
    return known


def _whereabouts(statements, question):
    known = _beliefs(statements)
    if known is None:
        return None
    if m := _match(r"Where is (\w+)\?", question):
        belief = known.get(m[1])
        return belief[1] if belief and belief[0] == "at" else None
    m = _match(r"Is (\w+) in the (\w+)\?", question)
    belief = known.get(m[1])
    if belief is None:
        return None
    if belief[0] == "at":
        return "yes" if belief[1] == m[2] else "no"
    if belief[0] == "either":
        return "maybe" if m[2] in belief[1:] else "no"
    return "no" if belief[1] == m[2] else None


def _directions(statements, question):
    edges = []
    for s in statements:
        m = _match(r"The (\w+) is (north|south|east|west) of the (\w+)\.", s)
        edges += [(m[1], m[2], m[3]), (m[3], OPPOSITE[m[2]], m[1])]  # x is d of y
    if m := _match(r"What is (\w+) of the (\w+)\?", question):
        found = {x for x, d, y in edges if (d, y) == (m[1], m[2])}
    elif m := _match(r"What is the (\w+) (\w+) of\?", question):
        found = {y for x, d, y in edges if (x, d) == (m[1], m[2])}
    else:  # How do you go from the A to the B? Search the unique two-step way.
        m = _match(r"How do you go from the (\w+) to the (\w+)\?", question)
        step = {(y, x): d[0] for x, d, y in edges}  # from y, go d to reach x
        found = {f"{step[(m[1], mid)]},{step[(mid, m[2])]}" for (a, mid) in step if a == m[1] and (mid, m[2]) in step}
    return found.pop() if len(found) == 1 else None


def _times(statements, question):
    at = {}
    for s in statements:
        m = (_match(rf"(Yesterday|This morning|This afternoon|This evening) (\w+) {MOVE} to the (\w+)\.", s)
             or _match(rf"(\w+) {MOVE} to the (\w+) (yesterday|this morning|this afternoon|this evening)\.", s))
        when, a, p = (m[1], m[2], m[3]) if m[1][0].isupper() and m[1].lower() in TIMES else (m[3], m[1], m[2])
        at[(a, TIMES.index(when.lower()))] = p
    m = _match(r"Where was (\w+) before the (\w+)\?", question)
    slots = [t for (a, t), p in at.items() if a == m[1] and p == m[2]]
    return at.get((m[1], slots[0] - 1)) if len(slots) == 1 else None


def _kinds(statements, question):
    fears, kind, colour = {}, {}, {}
    for s in statements:
        if m := _match(r"(\w+) are afraid of (\w+)\.", s):
            fears[PLURAL[m[1].lower()]] = PLURAL[m[2]]
        elif m := _match(r"(\w+) is an? (\w+)\.", s):
            kind[m[1].lower()] = m[2]
        elif m := _match(r"(\w+) is (\w+)\.", s):
            colour[m[1].lower()] = m[2]
    if m := _match(r"What is (\w+) afraid of\?", question):
        return fears.get(kind.get(m[1]))
    m = _match(r"What color is (\w+)\?", question)
    a = m[1].lower()
    if a in colour:
        return colour[a]
    found = {colour[b] for b in colour if a in kind and kind.get(b) == kind[a]}
    return found.pop() if len(found) == 1 else None


def _positions(statements, question):
    pos, facts = {}, []
    for s in statements:
        m = _match(r"The (.+?) is (above|below|to the left of|to the right of) the (.+)\.", s)
        facts.append((m[1], OFFSET[m[2]], m[3]))
    pos[facts[0][2]] = (0, 0)
    for _ in facts:  # propagate along the chain
        for x, (dx, dy), y in facts:
            if y in pos and x not in pos:
                pos[x] = (pos[y][0] + dx, pos[y][1] + dy)
            elif x in pos and y not in pos:
                pos[y] = (pos[x][0] - dx, pos[x][1] - dy)
    m = _match(r"Is the (.+?) (above|below|to the left of|to the right of) the (.+)\?", question)
    if m[1] not in pos or m[3] not in pos:
        return None
    d = (pos[m[1]][0] - pos[m[3]][0], pos[m[1]][1] - pos[m[3]][1])
    dx, dy = OFFSET[m[2]]
    return "yes" if d[0] * dx > 0 or d[1] * dy > 0 else "no"


def _sizes(statements, question):
    smaller = set()
    for s in statements:
        if m := _match(r"The (.+) fits inside the (.+)\.", s):
            smaller.add((m[1], m[2]))
        else:
            m = _match(r"The (.+) is bigger than the (.+)\.", s)
            smaller.add((m[2], m[1]))
    for _ in range(len(smaller)):  # transitive closure
        smaller |= {(a, d) for a, b in smaller for c, d in smaller if b == c}
    if any((b, a) in smaller for a, b in smaller):
        raise Invalid("the sizes contradict each other")
    if m := _match(r"Is the (.+) bigger than the (.+)\?", question):
        big, small = m[1], m[2]
    else:
        m = _match(r"Does the (.+) fit in the (.+)\?", question)
        big, small = m[2], m[1]
    if (small, big) in smaller:
        return "yes"
    return "no" if (big, small) in smaller else None


def _motives(statements, question):
    motive, went = {}, {}
    for s in statements:
        if m := _match(r"(\w+) is (hungry|thirsty|bored|tired)\.", s):
            motive[m[1].lower()] = m[2]
        elif m := _match(rf"(\w+) {MOVE} to the (\w+)\.", s):
            went[m[1].lower()] = m[2]
    if m := _match(r"Where will (\w+) go\?", question):
        return MOTIVE.get(motive.get(m[1]))
    if m := _match(r"Why did (\w+) go to the (\w+)\?", question):
        return motive.get(m[1]) if went.get(m[1]) == m[2] or not went else None
    m = _match(r"Why did (\w+) get the (\w+)\?", question)
    return motive.get(m[1])


READERS = {**dict.fromkeys((1, 2, 3, 5, 6, 7, 8), _physical), **dict.fromkeys((9, 10, 11, 12, 13), _whereabouts),
           4: _directions, 19: _directions, 14: _times, 15: _kinds, 16: _kinds, 17: _positions, 18: _sizes,
           20: _motives}


def answer(task, statements, question, strict=False):
    """The answer that ``statements`` give to ``question`` in bAbI ``task``, or None."""
    reader = READERS[task]
    return reader(statements, question, strict) if reader is _physical else reader(statements, question)
