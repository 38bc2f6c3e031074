"""Forbidden, shirking and standard phrases in chats and transcripts (huiyin.quality.phrases, issue 17 §3)."""

from __future__ import annotations

import time

import pytest

from huiyin.quality.phrases import (
    FORBIDDEN,
    FORBIDDEN_SEED,
    OTHER_WORDS,
    POLITE_BEFORE,
    POLITE_NEXT,
    SEED_RULES,
    SHIRKING,
    STANDARD_CLOSING,
    STANDARD_OPENING,
    Hit,
    PhraseRule,
    judge,
    normalise,
    normalise_phrase,
    scan,
    scan_segments,
    standard_presence,
)

EXTRA = (
    PhraseRule(SHIRKING, "你打12345", "major"),
    PhraseRule(FORBIDDEN, "你自己去APP上看", "red_line"),
)
RULES = (*SEED_RULES, *EXTRA)

F, S = FORBIDDEN, SHIRKING

# (sentence, kind, phrase as listed, expected verdict)
TABLE: list[tuple[str, str, str, str]] = [
    # plain hits, every seed phrase at least once
    ("这个我不知道。", F, "不知道", "hit"),
    ("我真的不知道啊", F, "不知道", "hit"),
    ("我不会。", F, "不会", "hit"),
    ("这个我们不管。", F, "不管", "hit"),
    ("你说的我不明白", F, "不明白", "hit"),
    ("不行，这个办不了", F, "不行", "hit"),
    ("我不懂你的意思", F, "不懂", "hit"),
    ("我不清楚。", F, "我不清楚", "hit"),
    ("喂！听懂了吧", F, "喂，听懂了吧？", "hit"),
    ("不可能的吧？", F, "不可能的吧", "hit"),
    ("不可以!完全不可以", F, "不可以，完全不可以！", "hit"),
    ("我早就告诉过你了", F, "我早就告诉过你了", "hit"),
    ("我没说过吗？", F, "我没说过吗", "hit"),
    ("这不是我们的问题", F, "这不是我们的问题", "hit"),
    ("这不是我们的问题", S, "这不是我们的问题", "hit"),
    ("您打错了。", F, "您打错了", "hit"),
    ("这不归我管", F, "这不归我管", "hit"),
    ("这不归我管", S, "这不归我管", "hit"),
    ("这是规定，我也没办法。", F, "这是规定，我也没办法", "hit"),
    ("你去投诉吧！", F, "你去投诉吧", "hit"),
    ("有意见找领导去", F, "有意见找领导去", "hit"),
    ("你自己去网上看", F, "你自己去网上看", "hit"),
    ("快点说,我很忙", F, "快点说，我很忙", "hit"),
    ("已经下班了 明天再打", F, "已经下班了，明天再打", "hit"),
    # spaces, punctuation and full-width forms inside a phrase
    ("不 知 道", F, "不知道", "hit"),
    ("不，知道", F, "不知道", "hit"),
    ("不、知、道！", F, "不知道", "hit"),
    ("不\u3000知\u3000道", F, "不知道", "hit"),
    ("这“不归”我管……", F, "这不归我管", "hit"),
    ("（不行）", F, "不行", "hit"),
    ("你打１２３４５吧", S, "你打12345", "hit"),
    ("你自己去ａｐｐ上看", F, "你自己去APP上看", "hit"),
    ("你自己去ＡＰＰ上 看", F, "你自己去APP上看", "hit"),
    # shirking
    ("这不归我们管，你找别的部门", S, "这不归我们管", "hit"),
    ("这不归我们管，你找别的部门", S, "你找别的部门", "hit"),
    ("这个我们处理不了", S, "这个我们处理不了", "hit"),
    ("你去找物业吧", S, "你去找物业", "hit"),
    ("这个不是我们负责的", S, "不是我们负责的", "hit"),
    ("你打别的电话问问", S, "你打别的电话", "hit"),
    # polite constructions: hints (rules 3 and 4)
    ("不知道您是否方便明天上午在家？", F, "不知道", "hint"),
    ("不知道你能否提供一下户号", F, "不知道", "hint"),
    ("不知道您方便不方便", F, "不知道", "hint"),
    ("不知道您怎么称呼？", F, "不知道", "hint"),
    ("不 知道，您是否方便", F, "不知道", "hit"),  # the polite question is in the next clause
    ("请问还有什么不明白的吗？", F, "不明白", "hint"),
    ("如果您不知道户号，报地址也可以", F, "不知道", "hint"),
    ("假如明天不行，我们后天再来", F, "不行", "hint"),
    ("要是您不懂怎么操作，我们派人上门", F, "不懂", "hint"),
    ("如果不是我们负责的，我帮您转接", S, "不是我们负责的", "hint"),
    ("请问您贵姓？我不知道", F, "不知道", "hit"),  # the opener is in an earlier clause
    ("我不知道。您方便的话明天再来", F, "不知道", "hit"),
    # A-not-A questions (rule 2)
    ("您知不知道表号？", F, "不知道", "hint"),
    ("会不会影响您用气？", F, "不会", "hint"),
    ("这样行不行？", F, "不行", "hint"),
    # another word (rule 1)
    ("不会吧？", F, "不会", "hint"),
    ("您还有哪里不懂的", F, "不懂", "hint"),
    ("不会的，您放心", F, "不会", "none"),
    ("不管怎样，我们都会帮您处理", F, "不管", "none"),
    ("不管是谁的责任，我们先来抢修", F, "不管", "none"),
    ("明天不行的话，后天也可以", F, "不行", "none"),
    # the characters in another order, or not at all
    ("知道，不用担心", F, "不知道", "none"),
    ("道不知", F, "不知道", "none"),
    ("管道不漏气", F, "不管", "none"),
    ("明白，不要紧", F, "不明白", "none"),
    ("会员不用交费", F, "不会", "none"),
    ("行，不用急", F, "不行", "none"),
    ("我们的不锈钢管道", F, "不管", "none"),
    ("您好，燃气客服中心，8号为您服务", F, "不会", "none"),
    ("", F, "不知道", "none"),
    ("，。！？ ", F, "不知道", "none"),
]


def _found(sentence: str, kind: str, phrase: str) -> list[Hit]:
    return [h for h in scan(sentence, RULES) if h.kind == kind and h.phrase == phrase]


@pytest.mark.parametrize(("sentence", "kind", "phrase", "verdict"), TABLE)
def test_the_table(sentence: str, kind: str, phrase: str, verdict: str) -> None:
    found = _found(sentence, kind, phrase)
    if verdict == "none":
        assert found == []
        return
    assert [h.verdict for h in found] == [verdict]
    hit = found[0]
    # the hit is located in the original text and reads as the phrase once normalised
    assert normalise_phrase(sentence[hit.start : hit.end]) == normalise_phrase(phrase)
    assert sentence[hit.start] not in "，。！？ 、（“" and sentence[hit.end - 1] not in "，。！？ 、）”"
    assert (hit.why == "") == (verdict == "hit")


def test_the_table_is_large_and_covers_every_forbidden_seed_phrase() -> None:
    assert len(TABLE) >= 40
    assert {verdict for *_, verdict in TABLE} == {"hit", "hint", "none"}
    hits = {phrase for _, kind, phrase, verdict in TABLE if kind == F and verdict == "hit"}
    assert set(FORBIDDEN_SEED) <= hits


def test_every_forbidden_phrase_of_the_seed_is_a_red_line_rule() -> None:
    forbidden = {r.text: r.severity for r in SEED_RULES if r.kind == FORBIDDEN}
    assert set(forbidden) == set(FORBIDDEN_SEED)
    assert len(FORBIDDEN_SEED) == 21
    assert set(forbidden.values()) == {"red_line"}


def test_the_normaliser_folds_widths_drops_marks_and_maps_back() -> None:
    norm = normalise(" Ｈｅｌｌｏ，不　知 道！…—“ok”")
    assert norm.text == "hello不知道ok"
    original = " Ｈｅｌｌｏ，不　知 道！…—“ok”"
    assert [original[i] for i in norm.index] == list("Ｈｅｌｌｏ不知道ok")
    assert norm.span(5, 8) == (7, 12)
    assert normalise("") == normalise("，。 ")
    assert normalise("").text == "" and normalise("").index == ()


def test_a_character_nfkc_expands_maps_every_piece_to_it() -> None:
    norm = normalise("a㍉b")  # ㍉ → ミリ
    assert norm.text == "aミリb"
    assert norm.index == (0, 1, 1, 2)


def test_a_hit_inside_a_longer_hit_of_the_same_kind_is_dropped() -> None:
    rules = (PhraseRule(F, "不行", "red_line"), PhraseRule(F, "这样不行", "red_line"), PhraseRule(S, "不行", "major"))
    hits = scan("这样不行。", rules)
    assert [(h.kind, h.phrase) for h in hits] == [(F, "这样不行"), (S, "不行")]


def test_a_phrase_said_twice_is_two_hits() -> None:
    hits = [h for h in scan("不行，不行，真的不行", SEED_RULES) if h.kind == F]
    assert [(h.start, h.end) for h in hits] == [(0, 2), (3, 5), (8, 10)]


def test_a_gap_in_a_rule_spans_at_most_max_gap_characters() -> None:
    rule = (PhraseRule(STANDARD_OPENING, "您好…为您服务", "info"),)
    assert [h.verdict for h in scan("您好，燃气客服中心，8号为您服务", rule)] == ["hit"]
    assert scan("您好" + "燃" * 21 + "为您服务", rule) == []
    assert scan("为您服务，您好", rule) == []


def test_standard_phrases_are_never_judged() -> None:
    hits = scan("请问还有什么可以帮您？感谢您的来电，再见！", SEED_RULES)
    assert {(h.kind, h.phrase, h.verdict) for h in hits} == {
        (STANDARD_CLOSING, "还有什么可以帮您", "hit"),
        (STANDARD_CLOSING, "感谢您的来电", "hit"),
        (STANDARD_CLOSING, "再见", "hit"),
    }


def test_judge_rules_one_by_one() -> None:
    assert judge("不会", "", "的您放心") == ("none", "another word")
    assert judge("不会", "", "吧") == ("hint", "another word")
    assert judge("不知道", "知", "") == ("hint", "A-not-A question")
    assert judge("不知道", "", "您是否方便") == ("hint", "polite question follows")
    assert judge("不知道", "", "你能不能") == ("hint", "polite question follows")
    assert judge("不知道", "", "你在说什么") == ("hit", "")
    assert judge("不知道", "如果您", "户号") == ("hint", "polite opener before")
    assert judge("不知道", "我", "") == ("hit", "")


@pytest.mark.parametrize(("word", "ends", "starts", "verdict", "meaning"), OTHER_WORDS)
def test_every_other_word_entry_decides(word: str, ends: str, starts: str, verdict: str, meaning: str) -> None:
    assert judge(word, "我们" + ends, starts + "处理") == (verdict, "another word")
    assert meaning


@pytest.mark.parametrize("polite", POLITE_NEXT)
def test_every_polite_follow_up_makes_a_hint_with_or_without_a_pronoun(polite: str) -> None:
    assert judge("不知道", "", polite + "一下") == ("hint", "polite question follows")
    assert judge("不知道", "", "您" + polite) == ("hint", "polite question follows")
    assert judge("不知道", "", "他" + polite) == ("hit", "")


@pytest.mark.parametrize("opener", POLITE_BEFORE)
def test_every_opener_before_makes_a_hint(opener: str) -> None:
    assert judge("不清楚", opener + "您对账单", "的话") == ("hint", "polite opener before")


# --- transcripts ---------------------------------------------------------------------------------------


def seg(channel: str, start: float, end: float, text: str) -> dict[str, object]:
    return {"channel": channel, "start": start, "end": end, "text": text}


def test_a_hit_is_timed_by_its_spoken_characters_within_the_segment() -> None:
    # 您好这个我不知道: 8 spoken characters over 10 s, 不知道 is characters 5–8
    flags = scan_segments([seg("agent", 10.0, 20.0, "您好，这个我 不知道。")], SEED_RULES)
    assert flags == [
        {"kind": F, "start": 16.25, "end": 20.0, "value": "不知道", "severity": "red_line", "verdict": "hit"}
    ]


def test_a_hit_at_the_start_of_a_segment_starts_with_it() -> None:
    flags = scan_segments([seg("agent", 3.0, 7.0, "不行，这个办不了")], SEED_RULES)
    assert [(f["start"], f["end"]) for f in flags] == [(3.0, 4.143)]


def test_the_customer_channel_is_never_flagged() -> None:
    segments = [
        seg("customer", 0.0, 5.0, "我不知道啊，你们这不归我管吗？你去投诉吧"),
        seg("customer", 5.0, 8.0, "您好，为您服务，再见"),
    ]
    assert scan_segments(segments, SEED_RULES) == []


def test_a_phrase_split_over_two_segments_is_not_matched() -> None:
    segments = [seg("agent", 0.0, 2.0, "这个我不"), seg("agent", 2.5, 4.0, "知道")]
    assert scan_segments(segments, SEED_RULES) == []
    # …while within one segment a pause written as a space or a comma is seen through
    assert [f["value"] for f in scan_segments([seg("agent", 0.0, 4.0, "这个我不，知道")], SEED_RULES)] == ["不知道"]


def test_hints_carry_their_verdict_and_severity_into_the_flags() -> None:
    flags = scan_segments([seg("agent", 0.0, 6.0, "不知道您是否方便明天在家？")], SEED_RULES)
    assert [(f["kind"], f["verdict"], f["severity"]) for f in flags] == [(F, "hint", "red_line")]


def test_flags_are_in_time_order_across_segments() -> None:
    segments = [
        seg("agent", 30.0, 34.0, "感谢您的来电，再见！"),
        seg("agent", 0.0, 4.0, "您好，燃气客服中心，8号为您服务"),
        seg("customer", 4.0, 9.0, "我家燃气表不走了"),
        seg("agent", 9.0, 12.0, "这不归我管，你去找物业"),
    ]
    flags = scan_segments(segments, SEED_RULES)
    assert [f["start"] for f in flags] == sorted(f["start"] for f in flags)
    assert [(f["kind"], f["value"]) for f in flags] == [
        (STANDARD_OPENING, "您好…为您服务"),
        (F, "这不归我管"),
        (S, "这不归我管"),
        (S, "你去找物业"),
        (STANDARD_CLOSING, "感谢您的来电"),
        (STANDARD_CLOSING, "再见"),
    ]


def test_empty_and_odd_segments_give_no_flags() -> None:
    assert scan_segments([], SEED_RULES) == []
    assert scan_segments([seg("agent", 0.0, 1.0, ""), {"channel": "agent", "start": 1.0, "end": 2.0}], SEED_RULES) == []
    # a segment with no duration puts the hit at its start
    assert [(f["start"], f["end"]) for f in scan_segments([seg("agent", 5.0, 5.0, "不行")], SEED_RULES)] == [(5.0, 5.0)]


# --- standard phrases' presence ------------------------------------------------------------------------


def call(*agent: tuple[float, float, str]) -> list[dict[str, object]]:
    return [seg("customer", 0.0, 2.0, "喂")] + [seg("agent", a, b, t) for a, b, t in agent]


def test_an_opening_and_a_closing_in_their_windows_are_present() -> None:
    presence = standard_presence(
        call(
            (2.0, 6.0, "您好，燃气客服中心，8号为您服务，请问有什么可以帮您？"),
            (20.0, 30.0, "好的，已经为您登记。"),
            (290.0, 295.0, "请问还有什么可以帮您？"),
            (300.0, 303.0, "感谢您的来电，再见！"),
        )
    )
    assert presence.opening.said and presence.opening.phrase == "您好…为您服务"
    assert presence.opening.start == 2.0
    assert presence.closing.said and presence.closing.phrase == "再见"
    assert presence.closing.end == 303.0


def test_an_opening_said_late_or_a_closing_said_early_does_not_count() -> None:
    presence = standard_presence(
        call(
            (5.0, 10.0, "喂，什么事？"),
            (40.0, 45.0, "您好，8号为您服务"),
            (50.0, 52.0, "感谢您的来电"),
            (200.0, 205.0, "好的，就这样。"),
        ),
        opening_within=15.0,
        closing_within=15.0,
    )
    assert not presence.opening.said and presence.opening.start is None
    assert not presence.closing.said


def test_the_windows_follow_the_agent_not_the_recording() -> None:
    # ringing and an IVR fill the first 40 s of the recording; the agent greets 10 s after picking up
    segments = [
        seg("agent", 40.0, 42.0, "喂？"),
        seg("agent", 50.0, 54.0, "您好，8号为您服务"),
        seg("agent", 60.0, 62.0, "再见"),
    ]
    presence = standard_presence(segments, opening_within=15.0)
    assert presence.opening.said and presence.opening.start == 50.0
    assert not standard_presence(segments, opening_within=5.0).opening.said
    assert standard_presence(segments, closing_within=0.0).closing.said


def test_a_greeting_split_by_the_recogniser_still_counts_through_its_second_half() -> None:
    presence = standard_presence(call((2.0, 4.0, "您好，燃气客服中心，"), (4.0, 6.0, "8号为您服务")))
    assert presence.opening.said and presence.opening.phrase == "为您服务"


def test_the_customer_saying_the_phrases_does_not_count() -> None:
    segments = [
        seg("customer", 0.0, 3.0, "您好，我为您服务"),
        seg("agent", 3.0, 6.0, "什么事"),
        seg("customer", 6.0, 8.0, "再见"),
    ]
    presence = standard_presence(segments)
    assert not presence.opening.said and not presence.closing.said


def test_no_agent_speech_says_nothing() -> None:
    presence = standard_presence([seg("customer", 0.0, 3.0, "您好，为您服务，再见")])
    assert not presence.opening.said and not presence.closing.said
    assert not standard_presence([]).opening.said


# --- speed ---------------------------------------------------------------------------------------------
# CPU seconds of this process (time.process_time), so that a busy shared machine does not fail the tests.


def test_ten_thousand_sentences_in_well_under_a_second() -> None:
    sentences = [row[0] for row in TABLE if row[0]]
    batch = [sentences[i % len(sentences)] for i in range(10_000)]
    scan(batch[0], RULES)  # warm the caches
    began = time.process_time()
    hits = sum(len(scan(s, RULES)) for s in batch)
    took = time.process_time() - began
    assert hits > 5_000
    assert took < 1.0, f"10,000 sentences took {took:.3f} s"


def test_one_very_long_text_scans_in_well_under_a_second() -> None:
    text = "。".join(row[0] for row in TABLE if row[0]) * 150  # about 10,000 sentences in one text
    began = time.process_time()
    hits = scan(text, RULES)
    took = time.process_time() - began
    assert len(hits) > 5_000
    assert all(normalise_phrase(text[h.start : h.end]) for h in hits)
    assert took < 1.0, f"{len(text):,} characters took {took:.3f} s"
