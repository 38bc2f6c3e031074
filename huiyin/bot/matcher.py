"""Which FAQ a customer's question asks, and how sure we are.

Each FAQ is asked in several ways (its title and its variants). A question is compared with every one of
them in two ways:

- **words**: jieba's words, each replaced by the first word of its synonym group (煤气, 天然气 → 燃气; 咋个办 →
  怎么办; 黑灯瞎火 → 停电; 火锅店 → 商户) — a word of a group stands for its group alone, not also for the
  pieces jieba's search mode finds inside it — and every district or landmark of the city by the one word
  ``PLACE``; weighted by how rare they are among the FAQs (idf), cosine of the two weighted bags;
- **characters**: the overlapping character pairs of the text (燃汽表 → 燃汽, 汽表), so that a typo or a word
  jieba cut differently still counts for most of its length — cosine of the two idf-weighted bags.

A question's similarity is ``WORDS`` × the first plus the rest × the second; an FAQ takes ``BEST`` × its best
question's plus the rest × its second best's (one lucky variant is not enough), plus ``UNION`` × the cosine
with all its questions' words together (a paraphrase spread over several variants) and ``ANSWER`` × the cosine
with its answer's words (the answer names what the questions don't: 按钮, 气泡, 自建房). Then corrections from
what the question says about itself:

- **utility**: a question that names gas, power or water (燃气, 电费, 自来水, 停电, 灶…: ``UTILITY_WORDS``) lowers
  the FAQs of the other utilities (× ``OTHER_UTILITY``) — 电费怎么交 is not 燃气费怎么交, however alike the
  words; an FAQ's utility is the top-level parent of its category (``Faq.utility``);
- **intent**: a question asking a price, a place or a time, or making a complaint, lowers the FAQs none of whose
  questions ask that (× ``OTHER_INTENT``);
- **coverage**: an FAQ is lowered by the share of the question's word weight its own words hold, against the
  best-covering FAQ's share (``COVER``): a word the question stresses and the FAQ never says counts against it;
- **foreign words**: a word of another trade (银行, 话费, 物业, 驾照, 快递, 招聘, 牌子…: ``FOREIGN_WORDS``) lowers
  every FAQ whose questions do not say it (× ``FOREIGN``, × ``FOREIGN_NAMED`` when the question also names a
  utility): 手机卡过户要带什么资料 is not 燃气过户; the words asking which thing to buy (``SHOPPING``: 牌子, 品牌…)
  lower by ``FOREIGN`` even then, a utility word inside a foreign word names no utility (暖气费), and a foreign word
  counts towards no FAQ's coverage, not even the one that says it (银行卡丢了 is not 银行卡代扣);
- **pinyin slips**: the utility's own words typed with the wrong character of the same sound (电废, 然气, 跳匝, 户好,
  回复供电) are read as the words meant before anything else (``TYPOS``, each in a context where the slip cannot be
  the word itself);
- **small talk and Cantonese**: greetings, thanks and talk to the bot (``SMALL_TALK``) are taken out before
  matching, and a question that is nothing else matches nothing; a few Cantonese words are read as Mandarin
  (``DIALECT``: 唔 → 不, 冇 → 没, 喺边度 → 在哪里);
- **unknown and short**: words no FAQ knows (驾驶证丢了怎么办) and questions that say little (有人吗) lower every
  FAQ (``UNKNOWN``, ``SHORT``).

The score of a match is its share of the belief among the best ``RIVALS`` FAQs and "none of them" (a softmax at
``TEMP``, "none" at similarity ``NONE``): a weak match or a close second both lower it. It is from 0 to 1. The
bot answers the best FAQ only when its score reaches ``THRESHOLD`` and leads the next FAQ by ``MARGIN``; below
that it offers the best three as "您是不是想问". ``Match.similarity`` keeps the similarity itself.

All FAQs' questions are held as inverted indexes (term → the questions holding it, with their weights, as numpy
arrays), so a question costs the postings of its own terms plus a few vector operations over the FAQs.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from huiyin.knowledge.words import STOP_WORDS, add_words, fold, tokenizer

# Chosen on both dev sets together (bench/data/bot_dev.jsonl + bot_dev2.jsonl, 495 questions, 163 out of scope)
# by `python -m bench.bot_eval --sweep`: false answers ≤ 3 % (2.8 %) with answered-correct not below what the
# matcher had before (84.0 %); thresholds 0.40-0.44 × margins 0.10-0.15 give 2.8-3.4 % / 83.4-84.9 %. Not
# tuned on the held-out set. Kept after the third dev set (bot_dev3.jsonl, 364 questions, 88 out of scope): with
# the typo table and the sharper foreign-word and complaint checks, the three sets together give 2.2 % false
# answers at these values.
THRESHOLD = 0.42
MARGIN = 0.15

WORDS = 0.6  # a question's similarity: WORDS × the word cosine + the rest × the character-pair cosine
BEST = 0.8  # an FAQ's: BEST × its best question's + the rest × its second best's
UNION = 0.2  # + this × the cosine with all its questions' words together
ANSWER = 0.2  # + this × the cosine with its answer's words
OTHER_UTILITY = 0.5  # × for an FAQ of another utility than the one the question names
FOREIGN = 0.15  # × for an FAQ that does not hold a word of another trade the question says (FOREIGN_WORDS)
FOREIGN_NAMED = 0.4  # … when the question also names gas, power or water (物业贴通知说燃气要换新表)
OTHER_INTENT = 0.6  # × for an FAQ none of whose questions asks what the question asks (price, place, time)
UNKNOWN = 0.5  # × (the share of the question's word weight (idf) that the FAQs know) ** UNKNOWN
SHORT = 8.0  # × (known weight / SHORT) when the known words weigh less than this (有人 alone: about 3.9)

COVER = 1.0  # × (the FAQ's share of the question's word weight / the best FAQ's share) ** COVER
COVER_ANSWER = 0.5  # a word only the FAQ's answer holds counts this much towards it

RIVALS = 5  # the score is the share of the belief among this many best FAQs and "none of them"
TEMP = 0.06  # the softmax's temperature
NONE = 0.15  # the similarity of "none of them"

HMM = False  # jieba guessing new words from single characters (煤气费去哪交 → 费去, 哪交): off

UTILITIES = ("gas", "power", "water")


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_PUNCT = re.compile(r"[^\w\u4e00-\u9fff]+", re.UNICODE)
_KEEP = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)

# Places say where, not what: every district, town or landmark of the city is the one word PLACE (渝北区哪里有营业厅
# and 南坪那边有营业厅吗 ask the same; 渝北区新房怎么通电 is not about the halls of 渝北区).
PLACE = "某地"
PLACES = _set(
    "重庆 主城 渝中 渝北 江北 南岸 沙坪坝 九龙坡 大渡口 巴南 北碚 两江新区 高新区 南坪 观音桥 解放碑 杨家坪 三峡广场 "
    "大坪 石桥铺 鱼洞 西永 大学城 蔡家 礼嘉 照母山 弹子石 茶园 李家沱 陈家坪 龙头寺 冉家坝 大石坝 磁器口 朝天门 "
    "万州 涪陵 永川 合川 江津 璧山 长寿 綦江 大足 铜梁 潼南 荣昌 南川 开州 梁平 武隆 黔江"
)
_PLACE_SUFFIX = re.compile(r"^[\u4e00-\u9fff]{2,4}(区|县|镇|乡|街道)$")
_NOT_PLACE = _set("小区 片区 社区 城区 园区 景区 市区 郊区 新区 老城区 辖区 区县 乡镇 城镇 小镇 老家镇")


def _is_place(w: str) -> bool:
    if w in PLACES:
        return True
    if w in _NOT_PLACE or not _PLACE_SUFFIX.match(w):
        return False
    return w[:-1] in PLACES or w[:-2] in PLACES or len(w) >= 3


# Words (after the synonyms) that name a utility. Kept to the unambiguous ones: 水 alone is not water (烧水,
# 热水器 are gas), 电 alone is not power (电话, 电子发票, 燃气表的电池).
UTILITY_WORDS: dict[str, frozenset[str]] = {
    "gas": _set(
        "火 火小 着火 点不着 液化气 中毒 燃气 燃气费 燃气表 停气 复气 漏气 供气 用气 通气 气价 阶梯气价 购气 "
        "IC卡 物联网表 灶具 热水器 壁挂炉 报警器 胶管 自闭阀 减压阀 波纹管 点火 熄火 打火 火苗 一氧化碳 燃气管 "
        "燃气公司 天然气管道"
    ),
    "power": _set(
        "空开 灯暗 峰谷电 电动汽车 电费 停电 来电 电表 跳闸 电价 阶梯电价 供电 用电 通电 电压 电力 充电桩 增容 "
        "电器 断路器 电线 插座 电灯 灯 路灯 电工 电闸 漏电 电力公司 供电局 充电 电磁炉 度电"
    ),
    "water": _set(
        "水压小 发白 水费 停水 来水 水表 自来水 水管 水压 水质 供水 用水 二次供水 水箱 水龙头 复水 自来水公司 "
        "水厂 水务 爆管 浑浊 发黄 水垢 余氯 消毒水 净水器 水池 水价 阶梯水价"
    ),
}

# What a question asks, read from its wording (before stop words are dropped).
INTENTS: dict[str, re.Pattern[str]] = {
    "price": re.compile(
        r"多少钱|好多钱|几块钱|几毛|价格|价钱|单价|啥价|什么价|收费|费用|要钱|收钱|出钱|花钱|贵不贵|多少一|好多一"
    ),
    "where": re.compile(r"哪里|哪儿|哪点|在哪|去哪|哪些渠道|哪个网点|地址|哪些地方"),
    "when": re.compile(r"多久|多长时间|好久|什么时候|啥时候|啥子时候|几点|几天|几号|哪天|周期|几次|时间"),
    "complain": re.compile(r"投诉|举报"),
}


# Cantonese words for the Mandarin ones the FAQs use (煤气炉点唔着火, 屋企冇水, 喺边度交).
DIALECT = {
    "唔该": "谢谢",
    "唔": "不",
    "冇": "没",
    "喺": "在",
    "边度": "哪里",
    "边个": "谁",
    "点样": "怎么",
    "点算": "怎么办",
    "几多": "多少",
    "咗": "了",
    "嘅": "的",
    "屋企": "家里",
    "而家": "现在",
    "几时": "什么时候",
    "听日": "明天",
    "琴日": "昨天",
    "乜嘢": "什么",
    "咩": "什么",
    "係": "是",
    "俾": "给",
    "畀": "给",
    "啲": "些",
    "跳掣": "跳闸",
}
_DIALECT = re.compile("|".join(sorted(DIALECT, key=len, reverse=True)))

# What a pinyin keyboard types for the utility's own words (电废, 然气, 跳匝, 户好, 回复供电…): read as the word meant,
# before anything else. Each is a slip of the same sound (or nearly) inside a word the FAQs use, kept to contexts where
# the slip cannot be the meant word (回复 is 恢复 only before 供/用/通/来, 废 is 费 only after 电/水/气/交).
TYPOS: tuple[tuple[str, str], ...] = (
    (r"(?<![天燃])然气|燃起(?=费|表|灶|公司)", "燃气"),
    (r"(?<=[电水气交缴])废", "费"),
    (r"店费", "电费"),
    (r"停店|断店", "停电"),
    (r"(?<=[停没来通断有])汽", "气"),
    (r"回复(?=供|用|通|来|正常)", "恢复"),
    (r"(?<=费)(怎么|咋|在哪里?|去哪)叫", r"\1交"),
    (r"热限|热钱(?=电话|号码)", "热线"),
    (r"跳匝|跳扎", "跳闸"),
    (r"阀们|伐门", "阀门"),
    (r"(?<=[关开])伐", "阀"),
    (r"户好|护号", "户号"),
    (r"过护", "过户"),
    (r"开护", "开户"),
    (r"消户", "销户"),
    (r"阶提|接梯", "阶梯"),
    (r"风谷|峰古", "峰谷"),
    (r"增熔|增荣", "增容"),
    (r"抱警|报井", "报警"),
    (r"安减|按检", "安检"),
    (r"滞纳今|滞纳斤", "滞纳金"),
    (r"逾其", "逾期"),
    (r"代口|带扣", "代扣"),
    (r"到帐", "到账"),
    (r"充直|冲值", "充值"),
    (r"发漂|发飘", "发票"),
    (r"帮定|邦定", "绑定"),
    (r"报状|抱装", "报装"),
    (r"营业听|营业亭", "营业厅"),
    (r"电尺|电迟", "电池"),
    (r"交管(?=多|老|换|裂|破)", "胶管"),
    (r"(?<=[燃煤])气标", "气表"),
    (r"发璜", "发黄"),
    (r"边高|变搞", "变高"),
    (r"每(?=[水电气]了)", "没"),
    (r"多少前", "多少钱"),
    (r"包裂|暴裂", "爆裂"),
    (r"修该", "修改"),
    (r"(?<=[着燃点])伙", "火"),
)
_TYPOS = [(re.compile(a), b) for a, b in TYPOS]


def untypo(text: str) -> str:
    """``text`` with the pinyin slips of ``TYPOS`` read as the words meant (电废怎么交 → 电费怎么交)."""
    for p, r in _TYPOS:
        text = p.sub(r, text)
    return text


# What is said to anyone, not asked of the FAQs: greetings, thanks, acknowledgements, talk to the bot itself. Taken
# out of the question before it is matched (你好，燃气费怎么交 asks what 燃气费怎么交 asks); a question that is
# nothing else (你好, 好的收到, 你是机器人吗) matches no FAQ.
SMALL_TALK = re.compile(
    r"你们?好[呀啊吖]?|您好|大家好|早上好|中午好|下午好|晚上好|早安|晚安|早晨|在吗|在不在|在么|有人吗|有没有人|"
    r"喂+|hello|hi|谢谢|多谢|感谢|谢了|唔该|好的|好滴|好嘞|ok|收到|明白了?|知道了|懂了|嗯+|哦+|噢+|哈+|呵+|嘿+|"
    r"6{2,}|拜拜|再见|辛苦了?|新年快乐|节日快乐|春节快乐|麻烦了|打扰了|不好意思|"
    r"我?想?问个问题|我?想问一下|问一下|咨询一下|有个事情?|有个问题|"
    r"人工客服|转人工|人工|机器人|智能客服|真人|你叫什么名字|你是谁|讲个笑话|笑话|聊天|陪我|唱歌|无聊|好笨|太笨|傻"
)

# Words of other trades than gas, power and water (banks, telephones, property managers, cars, papers of the
# state, shops, jobs, weather, appliances' brands…). An FAQ whose questions do not hold one the question
# says is lowered (× ``FOREIGN``): 银行几点下班 is not 营业厅几点下班, 手机卡过户 is not 燃气过户; but 装了中央空调
# 需要增容吗 is the FAQ that says 空调. Matched on the text itself, not on jieba's words.
FOREIGN_WORDS = _set(
    "银行 信用卡 储蓄卡 借记卡 贷款 房贷 车贷 花呗 借呗 白条 理财 基金 股票 股价 股市 炒股 年报 财报 彩票 利率 汇率 "
    "话费 流量 套餐 宽带 手机卡 电话卡 电信 联通 中国移动 移动公司 移动营业厅 有线电视 电视 机顶盒 网速 wifi "
    "物业 电梯 门禁 停车 下水道 马桶 化粪池 垃圾 暖气 集中供暖 游泳池 "
    "社保 医保 公积金 养老金 退休金 户口 身份证 护照 签证 驾照 驾驶证 行驶证 营业执照 房产证 不动产 居住证 "
    "汽车 车险 违章 罚单 etc 加油 汽油 柴油 油价 加气站 驾校 上牌 牌照 年检 洗车 "
    "快递 外卖 网购 淘宝 京东 拼多多 退货 包裹 "
    "招聘 招人 应聘 面试 实习 工资 薪资 待遇 编制 简历 岗位 电工证 "
    "医院 挂号 看病 学校 上学 高考 考试 火车 高铁 机票 飞机 旅游 景点 酒店 天气 下雨 气温 台风 "
    "牌子 品牌 哪款 哪家 推荐 性价比 冰箱 洗衣机 电脑 油烟机 净水器 桶装水 饮水机 电饭煲 微波炉 制冷 光伏 太阳能 "
    "发电机 电瓶 充电宝 猫 狗 宠物 "
    "煤气罐 液化气罐 气罐 钢瓶 电热水器 找工作 市长 12345 公交卡 饭卡 油卡 游戏 会员 车子 车辆 二手车 支付密码 "
    "押金 楼道灯 路灯 哪个好 续航 招不招 招工 年终奖 工作好不好 噪音 太吵 扰民"
)
# Of those, the ones asking which thing to buy: no FAQ answers them, whatever utility the question names (充电桩哪个
# 品牌好 is not how to apply for one), so they lower by ``FOREIGN`` even then.
SHOPPING = _set("牌子 品牌 哪款 哪家 推荐 性价比 哪个好")
_FOREIGN = re.compile("|".join(sorted((re.escape(w) for w in FOREIGN_WORDS), key=len, reverse=True)))


def _confidence(raw: list[float]) -> list[float]:
    """Each FAQ's share of the belief among the best ``RIVALS`` FAQs and "none of them" (a rival of similarity
    ``NONE``): a softmax at temperature ``TEMP``. A close second FAQ or a weak match both lower the best's share."""
    if not raw:
        return []
    top = raw[:RIVALS]
    m = max([NONE, *top])
    e = [math.exp((x - m) / TEMP) for x in top]
    z = math.exp((NONE - m) / TEMP) + sum(e)
    return [x / z for x in e] + [0.0] * (len(raw) - len(top))


def utility_of(label: str | None) -> str | None:
    """``gas`` / ``power`` / ``water`` from a category key or name (燃气业务, power-outage…), else None."""
    if not label:
        return None
    t = fold(label)
    for u in UTILITIES:
        if t == u or t.startswith(u + "-"):
            return u
    if "燃气" in t or "天然气" in t:
        return "gas"
    if "电力" in t or "供电" in t or "用电" in t:
        return "power"
    if "供水" in t or "用水" in t or "自来水" in t:
        return "water"
    return None


@dataclass(frozen=True)
class Faq:
    article_id: int
    title: str
    answer: str
    questions: tuple[str, ...]
    key: str | None = None
    utility: str | None = None  # the top-level category (gas, power, water, or another: none)
    category: str | None = None


@dataclass(frozen=True)
class Match:
    faq: Faq
    score: float
    question: str  # which of its questions matched best
    similarity: float = 0.0  # how alike the question and the FAQ are (0..1), before weighing the rivals


def clean(text: str) -> str:
    return _PUNCT.sub("", fold(text))


def bigrams(text: str) -> Counter[str]:
    t = clean(text)
    if len(t) < 2:
        return Counter([t]) if t else Counter()
    return Counter(t[i : i + 2] for i in range(len(t) - 1))


def intents(text: str) -> frozenset[str]:
    """What ``text`` asks: a price, a place, a time (none, one or more)."""
    t = fold(text)
    return frozenset(k for k, p in INTENTS.items() if p.search(t))


def _intent_bits(text: str) -> int:
    t = fold(text)
    return sum(1 << i for i, p in enumerate(INTENTS.values()) if p.search(t))


class _Index:
    """One channel (words, pairs, merged questions, answers): idf-weighted unit vectors of its texts, by term."""

    def __init__(self, bags: list[Counter[str]], owner: list[int], n_faqs: int) -> None:
        df: Counter[str] = Counter()
        seen: set[tuple[int, str]] = set()
        for bag, f in zip(bags, owner, strict=True):
            for k in bag:
                if (f, k) not in seen:
                    seen.add((f, k))
                    df[k] += 1
        n = max(n_faqs, 1)
        self.idf = {k: math.log(1 + n / d) for k, d in df.items()}
        self.default_idf = math.log(1 + n)
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for qi, bag in enumerate(bags):
            for k, x in self.weigh(bag).items():
                rows, ws = postings.setdefault(k, ([], []))
                rows.append(qi)
                ws.append(x)
        self.postings = {k: (np.asarray(r, dtype=np.intp), np.asarray(w)) for k, (r, w) in postings.items()}

    def weigh(self, bag: Counter[str]) -> dict[str, float]:
        v = {k: (1 + math.log(c)) * self.idf.get(k, self.default_idf) for k, c in bag.items()}
        n = math.sqrt(sum(x * x for x in v.values()))
        return {k: x / n for k, x in v.items()} if n else {}

    def cosines(self, bag: Counter[str], out: np.ndarray[Any, np.dtype[np.float64]], scale: float) -> bool:
        """Adds ``scale`` × the cosine of ``bag`` with every question to ``out``; False if nothing is shared."""
        hit = False
        for k, x in self.weigh(bag).items():
            p = self.postings.get(k)
            if p is not None:
                out[p[0]] += scale * x * p[1]
                hit = True
        return hit


class Matcher:
    """The published FAQs, prepared for matching (built once per change of the FAQs or the synonyms)."""

    def __init__(self, faqs: Sequence[Faq], synonym_groups: Iterable[Sequence[str]] = ()) -> None:
        groups = [[w for w in g if w.strip()] for g in synonym_groups]
        groups = [g for g in groups if g]
        add_words(w for g in groups for w in g)  # kept whole by jieba (黑灯瞎火, 屋头)
        self.canon: dict[str, str] = {}
        for group in groups:
            head = fold(group[0])
            for w in group:
                self.canon.setdefault(fold(w), head)
        self.faqs = tuple(faqs)
        n = len(self.faqs)
        texts: list[str] = []
        owner: list[int] = []
        slot: list[int] = []
        for fi, f in enumerate(self.faqs):
            for j, q in enumerate(dict.fromkeys(q for q in f.questions if q.strip())):
                texts.append(q)
                owner.append(fi)
                slot.append(j)
        self.questions = texts
        bags = [self._words(t) for t in texts]
        self.words = _Index(bags, owner, n)
        self.pairs = _Index([bigrams(t) for t in texts], owner, n)
        merged: list[Counter[str]] = [Counter() for _ in self.faqs]
        for bag, fi in zip(bags, owner, strict=True):
            merged[fi].update(set(bag))
        self.merged = _Index(merged, list(range(n)), n)
        self.answers = _Index([self._words(f.answer) for f in self.faqs], list(range(n)), n)
        # an FAQ × its questions grid (padded with -1), to take each FAQ's best two at once
        width = max(slot, default=-1) + 1
        self._row = np.asarray(owner, dtype=np.intp)
        self._col = np.asarray(slot, dtype=np.intp)
        self._grid = np.full((n, max(width, 2)), -1.0)
        self._qid = np.zeros((n, max(width, 2)), dtype=np.intp)
        self._qid[self._row, self._col] = np.arange(len(texts))
        # each FAQ's utility (-1: none) and the intents its questions ask (a bit each)
        self._utility = np.asarray(
            [UTILITIES.index(u) if (u := utility_of(f.utility)) else -1 for f in self.faqs], dtype=np.intp
        )
        self._texts = [fold(" ".join(f.questions)) for f in self.faqs]
        # for each word, the FAQs that hold it: 1 in their questions, COVER_ANSWER in their answer alone
        held: dict[str, dict[int, float]] = {}
        for k, (rows, _) in self.answers.postings.items():
            held.setdefault(k, {}).update(dict.fromkeys(rows.tolist(), COVER_ANSWER))
        for k, (rows, _) in self.merged.postings.items():
            held.setdefault(k, {}).update(dict.fromkeys(rows.tolist(), 1.0))
        self._held = {
            k: (np.fromiter(d.keys(), dtype=np.intp), np.fromiter(d.values(), dtype=float)) for k, d in held.items()
        }
        self._holding: dict[str, np.ndarray[Any, np.dtype[np.bool_]]] = {}
        self._intents = np.zeros(n, dtype=np.intp)
        for t, fi in zip(texts, owner, strict=True):
            self._intents[fi] |= _intent_bits(t)

    def _words(self, text: str) -> Counter[str]:
        """jieba's words in search mode, each replaced by its synonym group's first word, except that a word of
        a group stands for its group alone (餐饮店 → 商户, not also 餐饮, 饮店): the parts of a word are kept only
        when the whole has no synonyms. Neighbouring words that together make a word of a group are that word
        (煤气 + 费 → 煤气费, which jieba's own dictionary knows only as a rare word). A place is the one word
        ``PLACE``."""
        out: Counter[str] = Counter()
        tok = tokenizer()
        for w in self._joined(tok.cut(fold(text), HMM=HMM)):
            w = w.strip()
            if not w or not _KEEP.search(w) or len(w) > 32 or w in STOP_WORDS:
                continue
            c = self.canon.get(w) or (PLACE if _is_place(w) else None)
            if c is not None:
                out[c] += 1
                continue
            n = len(w)
            for size in (2, 3):
                if n > size:
                    for i in range(n - size + 1):
                        g = w[i : i + size]
                        if tok.FREQ.get(g) and g not in STOP_WORDS:
                            out[self.canon.get(g, g)] += 1
            out[w] += 1
        return out

    def _joined(self, cut: Iterable[str]) -> Iterable[str]:
        ws = list(cut)
        i = 0
        while i < len(ws):
            for size in (4, 3, 2):
                if i + size > len(ws):
                    continue
                whole = "".join(ws[i : i + size])
                if whole not in self.canon:  # 燃汽 + 费: 燃汽 is 燃气, and 燃气费 a word of a group
                    whole = "".join(self.canon.get(w, w) for w in ws[i : i + size])
                if whole in self.canon:
                    yield whole
                    i += size
                    break
            else:
                yield ws[i]
                i += 1

    def question_utilities(self, text: str) -> frozenset[str]:
        """The utilities ``text`` names (by its words after the synonyms)."""
        return self._utilities(self._words(text))

    @staticmethod
    def _utilities(ws: Counter[str]) -> frozenset[str]:
        return frozenset(u for u, vocab in UTILITY_WORDS.items() if not vocab.isdisjoint(ws))

    def match(self, text: str, top: int = 3) -> list[Match]:
        """The best ``top`` FAQs for ``text``, best first."""
        n = len(self.faqs)
        if not n or top <= 0:
            return []
        text = SMALL_TALK.sub(" ", _DIALECT.sub(lambda g: DIALECT[g.group()], untypo(fold(text))))
        qwords = self._words(text)
        if not qwords:
            return []
        s = np.zeros(len(self.questions))
        hit = self.words.cosines(qwords, s, WORDS)
        hit = self.pairs.cosines(bigrams(text), s, 1 - WORDS) or hit
        if not hit:
            return []
        # each FAQ: its best question and its second best
        grid = self._grid.copy()
        grid[self._row, self._col] = s
        best_col = grid.argmax(axis=1)
        two = np.partition(grid, -2, axis=1)[:, -2:]
        best, second = two[:, 1], np.where(two[:, 0] < 0, two[:, 1], two[:, 0])
        scores = BEST * best + (1 - BEST) * second
        self.merged.cosines(qwords, scores, UNION)
        self.answers.cosines(qwords, scores, ANSWER)
        # what the question says about itself
        found = set(_FOREIGN.findall(text))
        # the utility the question names, outside the words of other trades (暖气费 names no gas, 电热水器 no gas)
        us = self._utilities(self._words(_FOREIGN.sub(" ", text)) if found else qwords)
        if us:
            mine = [UTILITIES.index(u) for u in us]
            scores[(self._utility >= 0) & ~np.isin(self._utility, mine)] *= OTHER_UTILITY
        asks = _intent_bits(text)
        if asks:
            scores[(self._intents & asks) == 0] *= OTHER_INTENT
        scores *= self._sureness(qwords)
        for w in found:
            scores[~self._holds(w)] *= FOREIGN_NAMED if us and w not in SHOPPING else FOREIGN
        cov = self._coverage(qwords, found)
        top_cov = float(cov.max())
        if top_cov > 0:  # relative to the best-covering FAQ: it ranks the FAQs, the foreign words reject
            scores *= (cov / top_cov) ** COVER
        # the best few, and their share of the belief
        k = min(max(top, RIVALS), n)
        idx = np.argpartition(-scores, k - 1)[:k] if k < n else np.arange(n)
        order = sorted((int(i) for i in idx if scores[i] > 0), key=lambda i: (-scores[i], self.faqs[i].article_id))
        raw = [float(scores[i]) for i in order]
        conf = _confidence(raw)
        return [
            Match(self.faqs[fi], round(c, 4), self.questions[self._qid[fi, best_col[fi]]], round(min(r, 1.0), 4))
            for fi, c, r in zip(order[:top], conf, raw, strict=False)
        ]

    def _holds(self, word: str) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Which FAQs' questions hold ``word`` (as text)."""
        h = self._holding.get(word)
        if h is None:
            h = self._holding[word] = np.asarray([word in t for t in self._texts], dtype=bool)
        return h

    def _coverage(self, qwords: Counter[str], foreign: Iterable[str] = ()) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Each FAQ's share of the question's word weight (idf): the words its questions hold count whole, the
        words only its answer holds ``COVER_ANSWER``; a word no FAQ knows counts against every FAQ, and so does a
        word of another trade (``foreign``), even for the FAQ that says it: 银行卡丢了怎么补办 is not covered by the
        FAQ of paying by bank card."""
        held = np.zeros(len(self.faqs))
        total = 0.0
        fw = tuple(foreign)
        for w in qwords:
            x = self.words.idf.get(w) or self.answers.idf.get(w) or self.words.default_idf
            total += x
            p = None if any(f in w or w in f for f in fw) else self._held.get(w)
            if p is not None:
                held[p[0]] += x * p[1]
        return np.minimum(held / total, 1.0) if total else held

    def _sureness(self, qwords: Counter[str]) -> float:
        """Less than 1 when the FAQs do not know some of the question's words (驾驶证丢了怎么办: only 丢 and 怎么办
        are theirs), or when it says too little to be sure of (有人吗)."""
        total = known = 0.0
        for w in qwords:
            x = self.words.idf.get(w)
            total += x or self.words.default_idf
            if x is not None or w in self.answers.idf:
                known += x or self.words.default_idf
        if not total:
            return 0.0
        f = (known / total) ** UNKNOWN
        if known < SHORT:
            f *= known / SHORT
        return float(f)
