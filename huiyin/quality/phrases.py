"""Service phrases in transcripts and chats (issue 17 §3): forbidden phrases (服务禁语), shirking phrases
(推诿语) and the standard phrases (规范用语) an agent is expected to say. Pure functions, standard library only.

Matching works on a normalised text (:func:`normalise`): NFKC (full-width letters and digits become
half-width), Latin lower-cased, and every space, punctuation mark, symbol and control character dropped, so
``不 知 道``, ``不，知道`` and ``不知道`` are the same three characters. Each normalised character remembers its
index in the original text, so a hit is reported on the original text and, in a timed transcript segment,
at a time.

A rule's text may hold ``…``: the parts on either side must appear in that order with at most
:data:`MAX_GAP` characters between them (``您好…为您服务`` matches ``您好，燃气客服中心，8号为您服务``).

Verdicts. A standard phrase found is always a ``hit``. A forbidden or shirking phrase is judged against
the words around it *in the same clause* (clause marks such as ``，。！？；：、`` end the context, although
the phrase itself is matched through them). The rules, tried in this order, the first that applies wins:

1. **Another word** (:data:`OTHER_WORDS`): a short table of contexts in which the characters belong to a
   longer word with a different meaning. Each entry carries its verdict: ``none`` when the other word is
   harmless (不会的 "it won't happen", reassurance; 不行的话 "if that does not suit you"; 不管怎样/什么/…
   "no matter how/what"), ``hint`` when it may still be rude (不会吧, disbelief at the customer; 什么不明白,
   哪里不懂: an offer to explain, which can also be sarcasm).
2. **A-not-A question**: a phrase starting with 不 preceded by its own next character (知不知道, 会不会,
   行不行, 懂不懂, 明不明白) asks a question rather than stating a refusal → ``hint`` (a question such
   as 你懂不懂 can still be condescending, so the inspector sees it).
3. **Polite question follows**: the phrase followed, optionally after 您/你, by a word asking the customer's
   consent or preference (:data:`POLITE_NEXT`: 是否, 能否, 方便, 可不可以, 能不能, 有没有, 怎么称呼 …) →
   ``hint``. This is phrases.md's own example: 不知道 in 不知道您是否方便… .
4. **Polite or conditional opener before**: 请问, 麻烦, 如果, 假如, 要是, 万一 earlier in the clause
   (:data:`POLITE_BEFORE`) → ``hint`` (如果您不知道户号… speaks of the customer's knowledge; 请问还有什么不明白的
   offers help).

Anything else is a ``hit``. A ``none`` is not reported. Within one kind a hit lying inside a longer hit is
dropped (the longer phrase wins); the same words may carry one hit per kind (这不归我管 is both forbidden and
shirking). A phrase is never matched across two transcript segments: a recogniser's segment is the unit the
time is interpolated in, and a phrase broken over a pause is rarely the phrase.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Verdict = Literal["hit", "hint", "none"]

FORBIDDEN = "forbidden"
SHIRKING = "shirking"
STANDARD_OPENING = "standard_opening"
STANDARD_CLOSING = "standard_closing"
STANDARD_HOLD = "standard_hold"
JUDGED_KINDS = frozenset({FORBIDDEN, SHIRKING})
"""The kinds whose phrases are judged (hit, hint, none); any other kind (the standard phrases) is a plain hit."""

MAX_GAP = 20
"""The most normalised characters a ``…`` in a rule's text stands for."""
CONTEXT = 12
"""How many normalised characters before and after a phrase the verdict rules look at (within the clause)."""
CLAUSE_MARKS = frozenset("，。！？；：、,.!?;:\n\r")
"""Characters that end a clause for the verdict rules' context (not for matching)."""


@dataclass(frozen=True)
class PhraseRule:
    """One phrase to look for. ``kind``: forbidden, shirking, standard_opening, standard_closing,
    standard_hold (or another a caller defines); ``severity``: red_line, major, minor or info."""

    kind: str
    text: str
    severity: str


@dataclass(frozen=True)
class Hit:
    """A phrase found in a text: ``start``/``end`` index the original text (``text[start:end]``);
    ``why`` names the verdict rule that made it a hint (empty for a hit)."""

    kind: str
    phrase: str
    start: int
    end: int
    verdict: Verdict
    why: str = ""


@dataclass(frozen=True)
class Normalised:
    """The normalised text and, for each of its characters, the index of the original character it came from."""

    text: str
    index: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` of the normalised ``[start, end)`` (``end > start``)."""
        return self.index[start], self.index[end - 1] + 1


# --- the seed lists (from the centre's service standards; QA edits its own copy) -------------------------

FORBIDDEN_SEED: tuple[str, ...] = (
    "不知道",
    "不会",
    "不管",
    "不明白",
    "不行",
    "不懂",
    "我不清楚",
    "喂，听懂了吧？",
    "不可能的吧",
    "不可以，完全不可以！",
    "我早就告诉过你了",
    "我没说过吗",
    "这不是我们的问题",
    "您打错了",
    "这不归我管",
    "这是规定，我也没办法",
    "你去投诉吧",
    "有意见找领导去",
    "你自己去网上看",
    "快点说，我很忙",
    "已经下班了，明天再打",
)
"""Every forbidden phrase (服务禁语) of the centre's seed list."""

SHIRKING_SEED: tuple[str, ...] = (
    # forbidden phrases that push the caller away (also scored as shirking)
    "这不是我们的问题",
    "这不归我管",
    "这是规定，我也没办法",
    "你去投诉吧",
    "有意见找领导去",
    "你自己去网上看",
    "已经下班了，明天再打",
    # 推诿语
    "这不归我们管",
    "不归我们管",
    "你找别的部门",
    "您找别的部门",
    "这个我们处理不了",
    "我们处理不了",
    "你去找物业",
    "您去找物业",
    "不是我们负责的",
    "你打别的电话",
    "您打别的电话",
    "这不是我们部门的事",
    "跟我们没关系",
    "这事我管不了",
    "你问别人吧",
    "我也没办法",
)
"""A seed of shirking phrases (推诿语): refusing or passing the caller on instead of taking the matter."""

STANDARD_SEED: tuple[tuple[str, str], ...] = (
    (STANDARD_OPENING, "您好…为您服务"),
    # the greeting's second half alone still counts when a recogniser splits the greeting in two segments
    (STANDARD_OPENING, "为您服务"),
    (STANDARD_CLOSING, "还有什么可以帮您"),
    (STANDARD_CLOSING, "感谢您的来电"),
    (STANDARD_CLOSING, "感谢来电"),
    (STANDARD_CLOSING, "再见"),
    (STANDARD_HOLD, "请您稍等"),
    (STANDARD_HOLD, "感谢您的耐心等待"),
)
"""The standard phrases (规范用语) checked for presence: the opening greeting, the closing, the hold."""

SEED_RULES: tuple[PhraseRule, ...] = (
    *(PhraseRule(FORBIDDEN, text, "red_line") for text in FORBIDDEN_SEED),
    *(PhraseRule(SHIRKING, text, "major") for text in SHIRKING_SEED),
    *(PhraseRule(kind, text, "info") for kind, text in STANDARD_SEED),
)


# --- the verdict rules ---------------------------------------------------------------------------------

OTHER_WORDS: tuple[tuple[str, str, str, Verdict, str], ...] = (
    # (phrase, ends the text before, starts the text after, verdict, what the other word means)
    ("不会", "", "的", "none", "不会的: reassurance, it will not happen"),
    ("不会", "", "吧", "hint", "不会吧: disbelief, not 'I cannot'"),
    ("不行", "", "的话", "none", "不行的话: if that does not suit you"),
    ("不管", "", "怎", "none", "不管怎样: no matter how"),
    ("不管", "", "如何", "none", "不管如何: no matter how"),
    ("不管", "", "什么", "none", "不管什么: no matter what"),
    ("不管", "", "多", "none", "不管多…: no matter how much"),
    ("不管", "", "哪", "none", "不管哪…: no matter which"),
    ("不管", "", "谁", "none", "不管谁: no matter who"),
    ("不管", "", "是", "none", "不管是…: whether"),
    ("不知道", "什么", "", "hint", "什么不知道: an offer to explain"),
    ("不明白", "什么", "", "hint", "什么不明白: an offer to explain"),
    ("不明白", "哪里", "", "hint", "哪里不明白: an offer to explain"),
    ("不懂", "什么", "", "hint", "什么不懂: an offer to explain"),
    ("不懂", "哪里", "", "hint", "哪里不懂: an offer to explain"),
)
"""Rule 1: contexts in which a phrase's characters form another word, with the verdict for each."""

POLITE_NEXT: tuple[str, ...] = (
    "是否",
    "能否",
    "可否",
    "方便",
    "可不可以",
    "能不能",
    "有没有",
    "愿不愿意",
    "愿意",
    "怎么称呼",
    "贵姓",
)
"""Rule 3: words asking the customer's consent or preference; after the phrase (and an optional 您/你)."""

POLITE_BEFORE: tuple[str, ...] = ("请问", "麻烦", "如果", "假如", "要是", "万一")
"""Rule 4: openers that, earlier in the same clause, make the phrase part of a question or a condition."""

_PRONOUNS = ("您们", "你们", "您", "你")


# --- normalising ---------------------------------------------------------------------------------------

_FOLDED: dict[str, str] = {}
_FOLDED_MAX = 65536


def _fold(ch: str) -> str:
    """One original character as normalised characters (usually one, none for a space or a mark)."""
    kept = [c.lower() for c in unicodedata.normalize("NFKC", ch) if unicodedata.category(c)[0] not in "PZCS"]
    folded = "".join(kept)
    if len(_FOLDED) < _FOLDED_MAX:
        _FOLDED[ch] = folded
    return folded


def normalise(text: str) -> Normalised:
    """``text`` without spaces, punctuation, symbols or control characters, NFKC-folded (full-width forms to
    half-width) and lower-cased, with the original index of each character kept.

    Characters are folded one at a time, so NFKC's composition across characters (a Latin letter and a
    combining accent) does not happen; Chinese text does not need it."""
    chars: list[str] = []
    index: list[int] = []
    cache = _FOLDED
    for i, ch in enumerate(text):
        folded = cache.get(ch)
        if folded is None:
            folded = _fold(ch)
        if len(folded) == 1:
            chars.append(folded)
            index.append(i)
        elif folded:
            chars.extend(folded)
            index.extend([i] * len(folded))
    return Normalised("".join(chars), tuple(index))


def normalise_phrase(text: str) -> str:
    """A phrase as matched (the normalised characters only)."""
    return normalise(text).text


def _matcher(text: str) -> str | re.Pattern[str] | None:
    """How a rule's text is looked for: a plain string, a pattern when it holds ``…``, None when empty."""
    parts = [p for p in (normalise_phrase(part) for part in text.split("…")) if p]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    gap = f".{{0,{MAX_GAP}}}?"
    return re.compile(gap.join(re.escape(p) for p in parts), re.DOTALL)


@dataclass(frozen=True)
class RuleSet:
    """Rules made ready for scanning: grouped by the normalised text they look for, so that the same words
    listed under two kinds are looked for once. :func:`scan` accepts one in place of a list of rules; make
    one with :func:`compile_rules` when scanning many texts with an edited list."""

    plain: tuple[tuple[str, tuple[PhraseRule, ...]], ...]
    patterns: tuple[tuple[re.Pattern[str], tuple[PhraseRule, ...]], ...]


def compile_rules(rules: Iterable[PhraseRule]) -> RuleSet:
    plain: dict[str, list[PhraseRule]] = {}
    patterns: dict[str, tuple[re.Pattern[str], list[PhraseRule]]] = {}
    for rule in rules:
        matcher = _matcher(rule.text)
        if isinstance(matcher, str):
            plain.setdefault(matcher, []).append(rule)
        elif matcher is not None:
            patterns.setdefault(matcher.pattern, (matcher, []))[1].append(rule)
    return RuleSet(
        tuple((m, tuple(rs)) for m, rs in plain.items()),
        tuple((m, tuple(rs)) for m, rs in patterns.values()),
    )


SEED = compile_rules(SEED_RULES)
_COMPILED: dict[int, tuple[tuple[PhraseRule, ...], RuleSet]] = {id(SEED_RULES): (SEED_RULES, SEED)}


def _ruleset(rules: Iterable[PhraseRule] | RuleSet) -> RuleSet:
    """A tuple of rules (immutable, as the rules are) is compiled once and remembered; anything else each time."""
    if isinstance(rules, RuleSet):
        return rules
    if not isinstance(rules, tuple):
        return compile_rules(rules)
    known = _COMPILED.get(id(rules))
    if known is not None and known[0] is rules:
        return known[1]
    compiled = compile_rules(rules)
    if len(_COMPILED) >= 64:
        _COMPILED.clear()
        _COMPILED[id(SEED_RULES)] = (SEED_RULES, SEED)
    _COMPILED[id(rules)] = (rules, compiled)
    return compiled


# --- scanning ------------------------------------------------------------------------------------------


def _clause_broken(norm: Normalised, original: str, j: int) -> bool:
    """Whether a clause mark stands in the original between normalised characters ``j`` and ``j + 1``."""
    a, b = norm.index[j] + 1, norm.index[j + 1]
    return a < b and any(c in CLAUSE_MARKS for c in original[a:b])


def _before(norm: Normalised, original: str, start: int) -> str:
    j = start
    while j > 0 and start - j < CONTEXT and not _clause_broken(norm, original, j - 1):
        j -= 1
    return norm.text[j:start]


def _after(norm: Normalised, original: str, end: int) -> str:
    j = end
    last = len(norm.text)
    while j < last and j - end < CONTEXT and not _clause_broken(norm, original, j - 1):
        j += 1
    return norm.text[end:j]


def judge(phrase: str, before: str, after: str) -> tuple[Verdict, str]:
    """The verdict on a forbidden or shirking ``phrase`` (normalised) between ``before`` and ``after`` (the
    normalised text of its clause on either side), and the rule that decided it (empty for a plain hit)."""
    for word, ends, starts, verdict, _meaning in OTHER_WORDS:
        if word == phrase and before.endswith(ends) and after.startswith(starts):
            return verdict, "another word"
    if len(phrase) >= 2 and phrase[0] == "不" and before.endswith(phrase[1]):
        return "hint", "A-not-A question"
    rest = after
    for pronoun in _PRONOUNS:
        if rest.startswith(pronoun):
            rest = rest[len(pronoun) :]
            break
    if rest.startswith(POLITE_NEXT):
        return "hint", "polite question follows"
    if any(opener in before for opener in POLITE_BEFORE):
        return "hint", "polite opener before"
    return "hit", ""


def _spans(text: str, ruleset: RuleSet) -> Iterable[tuple[int, int, tuple[PhraseRule, ...]]]:
    for word, rules in ruleset.plain:
        if word in text:
            size = len(word)
            at = text.find(word)
            while at >= 0:
                yield at, at + size, rules
                at = text.find(word, at + 1)
    for pattern, rules in ruleset.patterns:
        for m in pattern.finditer(text):
            yield m.start(), m.end(), rules


def _scan(
    norm: Normalised, original: str, rules: Iterable[PhraseRule] | RuleSet
) -> list[tuple[Hit, int, int, PhraseRule]]:
    """Hits with their normalised span and rule, longest-within-kind kept, in order of position."""
    found: list[tuple[Hit, int, int, PhraseRule]] = []
    text = norm.text
    if not text:
        return found
    for ns, ne, group in _spans(text, _ruleset(rules)):
        judged: tuple[Verdict, str] | None = None
        for rule in group:
            verdict: Verdict = "hit"
            why = ""
            if rule.kind in JUDGED_KINDS:
                if judged is None:
                    judged = judge(text[ns:ne], _before(norm, original, ns), _after(norm, original, ne))
                verdict, why = judged
                if verdict == "none":
                    continue
            start, end = norm.span(ns, ne)
            found.append((Hit(rule.kind, rule.text, start, end, verdict, why), ns, ne, rule))
    if len(found) > 1:
        found.sort(key=lambda f: (f[0].kind, f[1], f[1] - f[2]))
        # sorted by kind, start, longest first: a hit lies inside an earlier one iff it ends no later than
        # the furthest end reached so far in its kind
        kept: list[tuple[Hit, int, int, PhraseRule]] = []
        reach: dict[str, int] = {}
        for item in found:
            kind = item[0].kind
            if reach.get(kind, -1) < item[2]:
                kept.append(item)
                reach[kind] = item[2]
        found = sorted(kept, key=lambda f: (f[1], f[2], f[0].kind))
    return found


def scan(text: str, rules: Iterable[PhraseRule] | RuleSet = SEED) -> list[Hit]:
    """Every phrase of ``rules`` in ``text`` (a chat message, one transcript segment), judged, in order of
    position. Hits whose verdict is ``none`` are left out."""
    return [hit for hit, _, _, _ in _scan(normalise(text), text, rules)]


def scan_segments(
    segments: Iterable[Mapping[str, Any]], rules: Iterable[PhraseRule] | RuleSet = SEED
) -> list[dict[str, Any]]:
    """Flags for a transcript ``[{"channel": "agent" | "customer", "start", "end", "text"}]`` (times in
    seconds): only the agent's segments are scanned, each on its own (no phrase across two segments). A hit's
    time is interpolated linearly over the segment's spoken (normalised) characters, so spaces and
    punctuation take no time. Returns ``{"kind", "start", "end", "value", "severity", "verdict"}`` in order
    of time."""
    ruleset = _ruleset(rules)
    flags: list[dict[str, Any]] = []
    for segment in segments:
        if segment.get("channel") != "agent":
            continue
        original = str(segment.get("text") or "")
        norm = normalise(original)
        size = len(norm.text)
        if not size:
            continue
        t0 = float(segment.get("start") or 0.0)
        t1 = float(segment.get("end") or t0)
        duration = max(0.0, t1 - t0)
        for hit, ns, ne, rule in _scan(norm, original, ruleset):
            flags.append(
                {
                    "kind": hit.kind,
                    "start": round(t0 + duration * ns / size, 3),
                    "end": round(t0 + duration * ne / size, 3),
                    "value": hit.phrase,
                    "severity": rule.severity,
                    "verdict": hit.verdict,
                }
            )
    flags.sort(key=lambda f: (f["start"], f["end"], f["kind"]))
    return flags


@dataclass(frozen=True)
class Presence:
    """Whether a standard phrase was said in its window, and the first (opening) or last (closing) one."""

    said: bool
    start: float | None = None
    end: float | None = None
    phrase: str | None = None


@dataclass(frozen=True)
class StandardPresence:
    opening: Presence
    closing: Presence


def standard_presence(
    segments: Sequence[Mapping[str, Any]],
    rules: Iterable[PhraseRule] | RuleSet = SEED,
    *,
    opening_within: float = 15.0,
    closing_within: float = 15.0,
) -> StandardPresence:
    """Was a ``standard_opening`` phrase said within ``opening_within`` seconds of the agent's first speech,
    and a ``standard_closing`` phrase within the last ``closing_within`` seconds of the agent's last speech?
    (The windows are anchored on the agent's own segments, not the recording, so ringing or an IVR before
    the agent picks up does not count against them.) A transcript with no agent speech says neither."""
    agent = [s for s in segments if s.get("channel") == "agent" and str(s.get("text") or "").strip()]
    if not agent:
        return StandardPresence(Presence(False), Presence(False))
    first = min(float(s.get("start") or 0.0) for s in agent)
    last = max(float(s.get("end") or s.get("start") or 0.0) for s in agent)
    flags = scan_segments(agent, rules)
    openings = [f for f in flags if f["kind"] == STANDARD_OPENING and f["start"] <= first + opening_within]
    closings = [f for f in flags if f["kind"] == STANDARD_CLOSING and f["end"] >= last - closing_within]
    opening = min(openings, key=lambda f: f["start"], default=None)
    closing = max(closings, key=lambda f: f["end"], default=None)
    return StandardPresence(
        Presence(True, opening["start"], opening["end"], opening["value"]) if opening else Presence(False),
        Presence(True, closing["start"], closing["end"], closing["value"]) if closing else Presence(False),
    )
