"""Whole-string regex matching in linear time, for patterns a profile brings with it.

A profile's ``drop_frames``/``keep_frames`` are regexes written by whoever made
the file. pprof compiles them with Go's regexp (RE2: no backtracking), so any
pattern runs in time linear in the name. Python's ``re`` backtracks: ``(a+)+b``
against a long name runs for ever inside C code that Ctrl-C cannot stop, and
deep nesting or a huge ``{n}`` raises RecursionError or OverflowError. So these
patterns never reach ``re``: they are parsed here (the RE2 syntax such
patterns use: literals, ``.``, classes, escapes, groups, alternation, the
greedy and lazy quantifiers, ``^``/``$``), compiled to a Thompson NFA and run
as a lazily built DFA. Each name costs O(len(name) x program size) at worst,
usually one dictionary lookup per character. Size and nesting are capped as
RE2 caps them; whatever is out of bounds or unknown is :class:`PatternError`.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_REPEAT = 1000  # RE2's limit on {n,m}
MAX_NESTING = 100
MAX_PROGRAM = 20_000  # NFA instructions
MAX_DFA_STATES = 4_096  # cached DFA states before the cache starts over

# An instruction: (op, a, b). CHAR: a = class; SPLIT: a, b = targets; JMP: a; BOL/EOL/MATCH.
CHAR, SPLIT, JMP, BOL, EOL, MATCH = range(6)
Ranges = tuple[tuple[int, int], ...]


class PatternError(ValueError):
    """The pattern is invalid, unsupported, or too large to run safely."""


@dataclass(frozen=True, slots=True)
class CharClass:
    """A set of code points as sorted inclusive ranges, possibly negated."""

    ranges: Ranges
    negated: bool = False

    def __contains__(self, code: int) -> bool:
        found = any(lo <= code <= hi for lo, hi in self.ranges)
        return found != self.negated


_DIGIT: Ranges = ((48, 57),)
_WORD: Ranges = ((48, 57), (65, 90), (95, 95), (97, 122))
_SPACE: Ranges = ((9, 10), (12, 13), (32, 32))
_PERL = {"d": _DIGIT, "w": _WORD, "s": _SPACE}
_CONTROL = {"t": 9, "n": 10, "r": 13, "f": 12, "v": 11, "a": 7}
_ANY_BUT_NEWLINE = CharClass(((10, 10),), negated=True)

# AST nodes: ("chars", CharClass) ("cat", [..]) ("alt", [..]) ("rep", node, min, max|-1)
# ("bol",) ("eol",) ("empty",)
Node = tuple[object, ...]


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.pos = 0
        self.depth = 0

    def fail(self, what: str) -> PatternError:
        return PatternError(f"{what} at offset {self.pos}")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def parse(self) -> Node:
        node = self.alternation()
        if self.pos < len(self.text):
            raise self.fail("unmatched )")
        return node

    def alternation(self) -> Node:
        branches = [self.concatenation()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.concatenation())
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def concatenation(self) -> Node:
        items: list[Node] = []
        while self.peek() not in ("", "|", ")"):
            items.append(self.repeat(self.atom()))
        return ("cat", items)

    def repeat(self, node: Node) -> Node:
        while True:
            ch = self.peek()
            if ch in ("*", "+", "?"):
                self.pos += 1
                low, high = {"*": (0, -1), "+": (1, -1), "?": (0, 1)}[ch]
            elif ch == "{" and (bounds := self.braces()) is not None:
                low, high = bounds
            else:
                return node
            if node[0] in ("bol", "eol"):
                raise self.fail("repeated anchor")
            if self.peek() == "?":
                self.pos += 1  # lazy: the same set of whole matches
            if self.peek() in ("*", "+", "?"):
                raise self.fail("repeated repetition operator")
            node = ("rep", node, low, high)

    def braces(self) -> tuple[int, int] | None:
        """``{n}``, ``{n,}`` or ``{n,m}`` at the cursor; None (a literal ``{``) otherwise."""
        end = self.text.find("}", self.pos)
        body = self.text[self.pos + 1 : end] if end > 0 else ""
        low_text, comma, high_text = body.partition(",")
        if not low_text.isdigit() or (high_text and not high_text.isdigit()):
            return None
        if not low_text.isascii() or not high_text.isascii():
            return None
        if any(len(t) > 1 and t[0] == "0" for t in (low_text, high_text)):
            return None  # Go reads a count with leading zeros as literal text
        too_big = MAX_REPEAT + 1  # a count of any length is capped before int() reads it
        low = int(low_text) if len(low_text) <= 6 else too_big
        high = (int(high_text) if len(high_text) <= 6 else too_big) if high_text else -1
        high = high if comma else low
        if low > MAX_REPEAT or high > MAX_REPEAT or (high != -1 and high < low):
            raise self.fail(f"bad repetition count {{{body}}} (at most {MAX_REPEAT})")
        self.pos = end + 1
        return low, high

    def atom(self) -> Node:
        ch = self.peek()
        self.pos += 1
        if ch == "(":
            return self.group()
        if ch == "[":
            return ("chars", self.char_class())
        if ch == ".":
            return ("chars", _ANY_BUT_NEWLINE)
        if ch == "^":
            return ("bol",)
        if ch == "$":
            return ("eol",)
        if ch == "\\":
            return ("chars", self.escape(in_class=False))
        if ch in ("*", "+", "?"):
            raise self.fail("missing argument to repetition operator")
        return ("chars", CharClass(((ord(ch), ord(ch)),)))

    def group(self) -> Node:
        if self.text.startswith("?:", self.pos):
            self.pos += 2
        elif self.text.startswith("?P<", self.pos) or self.text.startswith("?<", self.pos):
            end = self.text.find(">", self.pos)
            if end < 0:
                raise self.fail("unterminated group name")
            self.pos = end + 1
        elif self.peek() == "?":
            raise self.fail("unsupported group flags")
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.fail(f"nesting deeper than {MAX_NESTING}")
        node = self.alternation()
        self.depth -= 1
        if self.peek() != ")":
            raise self.fail("missing )")
        self.pos += 1
        return node

    def escape(self, *, in_class: bool) -> CharClass:
        ch = self.peek()
        self.pos += 1
        if not ch:
            raise self.fail("trailing backslash")
        if ch.lower() in _PERL:
            return CharClass(_PERL[ch.lower()], negated=ch.isupper())
        if ch in _CONTROL:
            return _single(_CONTROL[ch])
        if ch == "x":
            return _single(self.hex_escape())
        if ch.isascii() and not ch.isalnum():
            return _single(ord(ch))
        if in_class and ch == "b":
            raise self.fail("unsupported escape \\b in a class")
        raise self.fail(f"unsupported escape \\{ch}")

    def hex_escape(self) -> int:
        if self.peek() == "{":
            end = self.text.find("}", self.pos)
            digits = self.text[self.pos + 1 : end] if end > 0 else ""
            self.pos = end + 1 if end > 0 else self.pos
        else:
            digits = self.text[self.pos : self.pos + 2]
            self.pos += 2
        if not digits or len(digits) > 6 or any(c not in "0123456789abcdefABCDEF" for c in digits):
            raise self.fail("bad \\x escape")
        value = int(digits, 16)
        if value > 0x10FFFF:
            raise self.fail("\\x escape beyond U+10FFFF")
        return value

    def char_class(self) -> CharClass:
        negated = self.peek() == "^"
        self.pos += negated
        ranges: list[tuple[int, int]] = []
        first = True
        while True:
            ch = self.peek()
            if not ch:
                raise self.fail("missing ]")
            if ch == "]" and not first:
                self.pos += 1
                break
            first = False
            low = self.class_item(ranges)
            if low is None:
                continue
            if self.peek() == "-" and self.text[self.pos + 1 : self.pos + 2] not in ("]", ""):
                self.pos += 1
                high = self.class_item(ranges)
                if high is None or high < low:
                    raise self.fail("bad character class range")
                ranges.append((low, high))
            else:
                ranges.append((low, low))
        return CharClass(tuple(sorted(ranges)), negated)

    def class_item(self, ranges: list[tuple[int, int]]) -> int | None:
        """One code point of a class (None when a whole \\d-style set was added)."""
        ch = self.peek()
        self.pos += 1
        if ch == "[" and self.peek() == ":":
            raise self.fail("unsupported POSIX class")
        if ch != "\\":
            return ord(ch)
        cls = self.escape(in_class=True)
        if len(cls.ranges) == 1 and cls.ranges[0][0] == cls.ranges[0][1] and not cls.negated:
            return cls.ranges[0][0]
        if cls.negated:
            raise self.fail("unsupported negated escape in a class")
        ranges.extend(cls.ranges)
        return None


def _single(code: int) -> CharClass:
    return CharClass(((code, code),))


class _Compiler:
    """AST -> instruction list, with an explicit size cap (a {1000}{1000} bomb stops early)."""

    def __init__(self) -> None:
        self.prog: list[tuple[int, object, int]] = []

    def emit(self, op: int, a: object = None, b: int = -1) -> int:
        if len(self.prog) >= MAX_PROGRAM:
            raise PatternError(f"pattern too large (over {MAX_PROGRAM} steps)")
        self.prog.append((op, a, b))
        return len(self.prog) - 1

    def patch(self, at: int, a: object, b: int = -1) -> None:
        self.prog[at] = (self.prog[at][0], a, b)

    def node(self, node: Node) -> None:
        kind = node[0]
        if kind == "chars":
            self.emit(CHAR, node[1])
        elif kind == "bol":
            self.emit(BOL)
        elif kind == "eol":
            self.emit(EOL)
        elif kind == "cat":
            for item in node[1]:  # type: ignore[attr-defined]
                self.node(item)
        elif kind == "alt":
            self.alt(node[1])  # type: ignore[arg-type]
        else:
            self.rep(node[1], node[2], node[3])  # type: ignore[arg-type]

    def alt(self, branches: list[Node]) -> None:
        jumps: list[int] = []
        for branch in branches[:-1]:
            split = self.emit(SPLIT)
            self.node(branch)
            jumps.append(self.emit(JMP))
            self.patch(split, split + 1, len(self.prog))
        self.node(branches[-1])
        for jump in jumps:
            self.patch(jump, len(self.prog))

    def rep(self, body: Node, low: int, high: int) -> None:
        for _ in range(low):
            self.node(body)
        if high == -1:
            split = self.emit(SPLIT)
            self.node(body)
            self.emit(JMP, split)
            self.patch(split, split + 1, len(self.prog))
            return
        splits = []
        for _ in range(high - low):
            splits.append(self.emit(SPLIT))
            self.node(body)
        for split in splits:
            self.patch(split, split + 1, len(self.prog))


class WholeMatcher:
    """A compiled pattern that answers: does it match this whole string?"""

    def __init__(self, pattern: str) -> None:
        tree = _Parser(pattern).parse()
        compiler = _Compiler()
        compiler.node(tree)
        compiler.emit(MATCH)
        self.prog = compiler.prog
        self._states: dict[frozenset[int], int] = {}
        self._sets: list[frozenset[int]] = []
        self._moves: dict[tuple[int, str], int] = {}
        self._accepts: dict[int, bool] = {}
        self._start = -1

    @property
    def transitions(self) -> int:
        """DFA transitions computed so far: the matcher's count of real work."""
        return len(self._moves)

    def fullmatch(self, text: str) -> bool:
        """True when the whole of ``text`` matches (as Go's ``^(?:re)$``)."""
        if self._start < 0 or len(self._states) > MAX_DFA_STATES:
            self._reset()
        state = self._start
        moves = self._moves
        for ch in text:
            nxt = moves.get((state, ch))
            if nxt is None:
                if len(self._sets) > MAX_DFA_STATES:
                    state = self._restart(state)
                nxt = moves[(state, ch)] = self._step(state, ch)
            state = nxt
            if state == 0:
                return False  # the dead state: nothing can match any more
        return self._accepting(state, at_start=not text)

    def _reset(self) -> None:
        self._states.clear()
        self._sets.clear()
        self._moves.clear()
        self._accepts.clear()
        self._intern(frozenset())
        self._start = self._intern(self._closure([0], at_start=True))

    def _restart(self, state: int) -> int:
        """Drop the DFA cache (it grew too big) but keep the state being matched."""
        pcs = self._sets[state]
        self._reset()
        return self._intern(pcs)

    def _intern(self, pcs: frozenset[int]) -> int:
        index = self._states.get(pcs)
        if index is None:
            index = self._states[pcs] = len(self._sets)
            self._sets.append(pcs)
        return index

    def _closure(self, pcs: list[int], *, at_start: bool, at_end: bool = False) -> frozenset[int]:
        """Every instruction reachable without consuming a character (explicit stack)."""
        seen: set[int] = set()
        todo = list(pcs)
        prog = self.prog
        while todo:
            pc = todo.pop()
            if pc in seen:
                continue
            seen.add(pc)
            op, a, b = prog[pc]
            if op == SPLIT:
                todo.append(b)
                todo.append(a)  # type: ignore[arg-type]
            elif op == JMP:
                todo.append(a)  # type: ignore[arg-type]
            elif (op == BOL and at_start) or (op == EOL and at_end):
                todo.append(pc + 1)
        return frozenset(pc for pc in seen if prog[pc][0] in (CHAR, MATCH, EOL))

    def _step(self, state: int, ch: str) -> int:
        code = ord(ch)
        prog = self.prog
        nxt = [pc + 1 for pc in self._sets[state] if prog[pc][0] == CHAR and code in prog[pc][1]]  # type: ignore[operator]
        return self._intern(self._closure(nxt, at_start=False)) if nxt else 0

    def _accepting(self, state: int, *, at_start: bool) -> bool:
        key = state if not at_start else -1
        found = self._accepts.get(key)
        if found is None:
            final = self._closure(list(self._sets[state]), at_start=at_start, at_end=True)
            found = self._accepts[key] = any(self.prog[pc][0] == MATCH for pc in final)
        return found
