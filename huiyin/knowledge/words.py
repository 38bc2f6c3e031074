"""Chinese text into words, for search and for the bot.

jieba (MIT; its dictionary ships inside the package, nothing is downloaded) cuts text in its search mode, which
also gives the shorter words inside a long one (燃气热水器 → 燃气, 热水器, 燃气热水器), so a two-character
query (漏气, 过户, 复电) finds the articles whose text holds it as a word. The utility's own words are added to
its dictionary so they are kept whole. Latin letters and digits are lower-cased words of their own; full-width
forms are folded to half-width (NFKC); punctuation and the stop words below are dropped.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable

import jieba

_DOMAIN = (
    "燃气 天然气 煤气 漏气 跑气 停气 复气 供气 通气 点火 熄火 燃气表 气表 智能表 IC卡 "
    "充值 缴费 交费 欠费 过户 开户 销户 更名 改管 移表 改装 安检 入户安检 报装 停电 复电 "
    "来电 供电 跳闸 电费 电表 停水 来水 供水 水费 水表 爆管 水质 发黄 浑浊 阶梯气价 "
    "阶梯电价 气价 燃气灶 热水器 壁挂炉 报警器 胶管 波纹管 减压阀 自闭阀 一氧化碳 营业厅 "
    "公众号 电子发票 低保 抢修 报修 维修 没气 没电 没水 莫得 没得 咋个 啥子 咋办 充电桩 二次供水 物联网表 "
)
DOMAIN_WORDS = tuple(_DOMAIN.split())

_STOP = (
    "的 了 吗 呢 吧 啊 呀 哦 嘛 么 和 与 及 或 是 在 有 我 我们 你 你们 您 他 她 它 这 那 这个 那个 就 都 也 还 又 "
    "要 会 能 想 让 给 把 被 对 从 到 向 为 以 之 于 请 请问 一下 一个 怎么 怎样 如何 什么 啥 为什么 为啥 哪里 "
    "哪儿 多少 几 谁 嗯 喂 你好 您好 谢谢 麻烦 可以 可不可以 能不能 是不是 有没有 需要 应该 现在 今天 已经 "
    "一直 一 个 下 上 里 中 等 啦 哈 咧 噻 哟 嘞"
)
STOP_WORDS = frozenset(_STOP.split())
"""Words that say nothing about the subject. 怎么办 and 咋办 are kept: they mark a how-to question."""

_KEEP = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def tokenizer() -> jieba.Tokenizer:
    """The process's jieba, loaded once (about a second: its prefix dictionary)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                t = jieba.Tokenizer()
                t.initialize()
                for w in DOMAIN_WORDS:
                    t.add_word(fold(w), freq=200_000)
                _tokenizer = t
    return _tokenizer


def add_words(words: Iterable[str]) -> None:
    """Keeps these (synonyms, FAQ terms) whole from now on in this process."""
    t = tokenizer()
    for w in words:
        w = fold(w).strip()
        if 1 < len(w) <= 12 and not t.FREQ.get(w):
            t.add_word(w, freq=50_000)


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def words(text: str, *, stop: bool = True) -> list[str]:
    """The words of ``text`` in order, with jieba's search-mode sub-words, folded; no punctuation."""
    out: list[str] = []
    for w in tokenizer().cut_for_search(fold(text)):
        w = w.strip()
        if not w or not _KEEP.search(w) or len(w) > 32:
            continue
        if stop and w in STOP_WORDS:
            continue
        out.append(w)
    return out


def joined(text: str) -> str:
    """``words(text)`` joined by spaces: what the full-text indexes store."""
    return " ".join(words(text))
