"""Believable demo data for a fictional Chongqing gas-and-electricity service center.

The organisation (渝州能源集团), its branches and stations, the service areas (网格/台区)
and the customers are invented, but the districts, townships and naming conventions follow
real 重庆市 practice so that demos look familiar to local staff.

Everything is pure and deterministic: each generator takes a ``random.Random`` and gives the
same output for the same seed.  Account numbers, meter numbers and the phone numbers of a
customer are derived from its sequence number, so they are unique without any bookkeeping.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

__all__ = [
    "CATEGORY_CODES",
    "TAGS",
    "AreaSpec",
    "CustomerSpec",
    "UnitSpec",
    "address",
    "areas",
    "branch_districts",
    "customer",
    "customers",
    "landline",
    "mobile_phone",
    "order_description",
    "person_name",
    "units",
]


@dataclass(frozen=True)
class UnitSpec:
    """An organisational unit; ``kind`` is "company", "branch" or "station"."""

    code: str
    name: str
    parent_code: str | None
    kind: str


@dataclass(frozen=True)
class AreaSpec:
    """A service area (网格/台区); ``area_type`` is "urban", "rural" or "remote"."""

    code: str
    name: str
    area_type: str
    unit_code: str
    district: str


@dataclass(frozen=True)
class CustomerSpec:
    """A customer account with its contact data and special-handling tags."""

    account_no: str
    name: str
    phones: tuple[str, ...]
    address: str
    area_code: str
    meter_no: str
    tags: tuple[str, ...]


TAGS: tuple[str, ...] = ("key_customer", "sensitive", "repeat_complainant", "elderly", "vip")


def _words(text: str) -> tuple[str, ...]:
    """Split whitespace-separated data (keeps the long Chinese word lists compact)."""
    return tuple(text.split())


_T = TypeVar("_T")


def _expand(weighted: Sequence[tuple[_T, float]], size: int) -> tuple[_T, ...]:
    """A lookup table holding each item in proportion to its weight, for O(1) weighted picks."""
    total = sum(weight for _item, weight in weighted)
    table: list[_T] = []
    for item, weight in weighted:
        table.extend([item] * max(1, round(weight / total * size)))
    return tuple(table)


def _pick(rng: random.Random, items: Sequence[_T]) -> _T:
    """Uniform choice; several times faster than ``Random.choice``, which matters for 10**6 customers."""
    return items[int(rng.random() * len(items))]


# --------------------------------------------------------------------------- organisation

_COMPANY_CODE = "YZNY"
_COMPANY_NAME = "渝州能源集团"

# (branch suffix, name, districts covered, stations as "suffix:name")
_BRANCHES: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("YZ", "渝中分公司", ("渝中区",), ("01:解放碑供气所", "02:大坪供电所", "03:渝中抢修班")),
    ("JB", "江北分公司", ("江北区",), ("01:五里店供气所", "02:观音桥供电所", "03:江北网格班")),
    ("YB", "渝北分公司", ("渝北区",), ("01:龙溪供气所", "02:回兴供电所", "03:双龙湖网格班", "04:渝北抢修班")),
    (
        "SP",
        "沙坪坝分公司",
        ("沙坪坝区", "九龙坡区"),
        ("01:小龙坎供气所", "02:杨家坪供电所", "03:石桥铺网格班", "04:沙坪坝抢修班"),
    ),
    ("CS", "长寿分公司", ("长寿区",), ("01:凤城供气所", "02:长寿农村供电所", "03:晏家抢修班")),
    ("JJ", "江津分公司", ("江津区",), ("01:几江供气所", "02:白沙供电所", "03:德感网格班")),
    ("DB", "渝东北分公司", ("城口县", "巫溪县"), ("01:城口供电所", "02:巫溪供电所")),
)

_DISTRICT_CODES: dict[str, str] = {
    "渝中区": "500103",
    "江北区": "500105",
    "沙坪坝区": "500106",
    "九龙坡区": "500107",
    "渝北区": "500112",
    "长寿区": "500115",
    "江津区": "500116",
    "城口县": "500229",
    "巫溪县": "500238",
}
_DISTRICTS: tuple[str, ...] = tuple(_DISTRICT_CODES)

# (district, street/township, suffix, area type, station "BRANCH-NN", roads or villages)
_AREA_ROWS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("渝中区", "解放碑街道", "网格", "urban", "YZ-01", "民族路 民权路 邹容路 八一路 五四路"),
    ("渝中区", "朝天门街道", "网格", "urban", "YZ-01", "陕西路 信义街 朝东路 东水门正街"),
    ("渝中区", "大坪街道", "台区", "urban", "YZ-02", "大坪正街 长江一路 长江二路 石油路"),
    ("渝中区", "上清寺街道", "台区", "urban", "YZ-02", "中山三路 中山四路 人民路 嘉陵桥路"),
    ("渝中区", "化龙桥街道", "网格", "urban", "YZ-03", "虎踞路 李子坝正街 瑞天路"),
    ("江北区", "观音桥街道", "台区", "urban", "JB-02", "建新北路 建新东路 建新西路 洋河一路"),
    ("江北区", "华新街街道", "网格", "urban", "JB-03", "华新街 北城路 嘉陵一村 红石路"),
    ("江北区", "五里店街道", "网格", "urban", "JB-01", "五简路 渝鲁大道 五里店正街"),
    ("江北区", "石马河街道", "台区", "urban", "JB-02", "石马河正街 南桥寺路 玉带山路"),
    ("江北区", "大石坝街道", "网格", "urban", "JB-03", "大石坝正街 石门路 大石坝一村"),
    ("江北区", "寸滩街道", "网格", "urban", "JB-01", "港城东路 寸滩正街 港城南路"),
    ("渝北区", "龙溪街道", "网格", "urban", "YB-01", "金山路 松牌路 新南路 红锦大道 松石北路"),
    ("渝北区", "龙山街道", "网格", "urban", "YB-01", "龙山路 余松路 红黄路 新溉大道"),
    ("渝北区", "回兴街道", "台区", "urban", "YB-02", "兰馨大道 宝圣大道 服装城大道 回兴路"),
    ("渝北区", "双龙湖街道", "网格", "urban", "YB-03", "双龙大道 双湖路 紫荆路 桂馨路"),
    ("渝北区", "两路街道", "台区", "urban", "YB-02", "双凤路 空港大道 双龙西路 渝航路"),
    ("渝北区", "仙桃街道", "网格", "urban", "YB-04", "仙桃大道 数据谷路 仙桃路"),
    ("渝北区", "人和街道", "台区", "urban", "YB-04", "人和大道 金开大道 星光大道 青枫北路"),
    ("沙坪坝区", "小龙坎街道", "网格", "urban", "SP-01", "小龙坎正街 汉渝路 小龙坎新街"),
    ("沙坪坝区", "渝碚路街道", "台区", "urban", "SP-04", "渝碚路 天陈路 沙坪坝正街"),
    ("沙坪坝区", "磁器口街道", "网格", "urban", "SP-04", "磁器口正街 童家桥路 金碧正街"),
    ("沙坪坝区", "天星桥街道", "网格", "urban", "SP-01", "天星桥正街 土湾路 凤天大道"),
    ("沙坪坝区", "覃家岗街道", "台区", "urban", "SP-04", "凤天路 上桥路 新桥正街"),
    ("九龙坡区", "杨家坪街道", "台区", "urban", "SP-02", "杨家坪正街 西郊路 兴胜路 团结路"),
    ("九龙坡区", "谢家湾街道", "网格", "urban", "SP-03", "谢家湾正街 鹤兴路 袁家岗路"),
    ("九龙坡区", "石桥铺街道", "网格", "urban", "SP-03", "科园一路 科园二路 石杨路 渝州路"),
    ("九龙坡区", "黄桷坪街道", "台区", "urban", "SP-02", "黄桷坪正街 黄桷坪新街 铁路一村"),
    ("长寿区", "凤城街道", "网格", "urban", "CS-01", "向阳路 桃源大道 菩提路 建设路"),
    ("长寿区", "晏家街道", "台区", "urban", "CS-03", "晏家正街 齐心大道 化北路"),
    ("长寿区", "云台镇", "台区", "rural", "CS-02", "八字村 石盘村 拱桥村"),
    ("长寿区", "龙河镇", "网格", "rural", "CS-02", "龙河村 盐井村 保合村"),
    ("长寿区", "邻封镇", "网格", "rural", "CS-03", "邻封村 双河村 高峰村"),
    ("江津区", "几江街道", "网格", "urban", "JJ-01", "鼎山大道 大同路 小什字街 艾坪山路"),
    ("江津区", "德感街道", "台区", "urban", "JJ-03", "德感正街 东江路 长风路"),
    ("江津区", "白沙镇", "网格", "rural", "JJ-02", "黑石山村 宝珠村 高屋村"),
    ("江津区", "油溪镇", "台区", "rural", "JJ-02", "石羊村 金刚村 大坡村"),
    ("江津区", "吴滩镇", "网格", "rural", "JJ-03", "郎家村 现龙村 吴滩村"),
    ("城口县", "岚天乡", "网格", "remote", "DB-01", "岚溪村 红岸村 三河村"),
    ("城口县", "北屏乡", "台区", "remote", "DB-01", "苍坪村 安乐村 月峰村"),
    ("城口县", "东安镇", "网格", "remote", "DB-01", "兴田村 仁河村 黄安坝村"),
    ("巫溪县", "宁厂镇", "台区", "remote", "DB-02", "宁厂村 双溪村 七龙村"),
    ("巫溪县", "双阳乡", "网格", "remote", "DB-02", "双阳村 木龙村 七坪村"),
    ("巫溪县", "天元乡", "台区", "remote", "DB-02", "天元村 新华村 象鼻村"),
)


@dataclass(frozen=True)
class _Place:
    """Address material of one area: its street/township and roads or villages."""

    prefix: str  # "重庆市<district><street>"
    street: str
    area_type: str
    places: tuple[str, ...]


def units() -> list[UnitSpec]:
    """Return the unit tree: company, branches, stations; parents precede children."""
    result = [UnitSpec(_COMPANY_CODE, _COMPANY_NAME, None, "company")]
    for suffix, name, _districts, stations in _BRANCHES:
        branch_code = f"{_COMPANY_CODE}-{suffix}"
        result.append(UnitSpec(branch_code, name, _COMPANY_CODE, "branch"))
        for station in stations:
            number, station_name = station.split(":")
            result.append(UnitSpec(f"{branch_code}-{number}", station_name, branch_code, "station"))
    return result


def branch_districts() -> dict[str, tuple[str, ...]]:
    """Map each branch unit code to the districts it covers."""
    return {f"{_COMPANY_CODE}-{suffix}": districts for suffix, _n, districts, _s in _BRANCHES}


def _area_name(district: str, street: str, suffix: str) -> str:
    stem = street.removesuffix("街道") if suffix == "台区" else street
    return f"{district}{stem}{suffix}"


def _build_area_table() -> tuple[tuple[AreaSpec, _Place], ...]:
    counters: dict[str, int] = {}
    table: list[tuple[AreaSpec, _Place]] = []
    for district, street, suffix, area_type, station, places in _AREA_ROWS:
        counters[district] = counters.get(district, 0) + 1
        code = f"A{_DISTRICT_CODES[district]}{counters[district]:02d}"
        name = _area_name(district, street, suffix)
        spec = AreaSpec(code, name, area_type, f"{_COMPANY_CODE}-{station}", district)
        place = _Place(f"重庆市{district}{street}", street, area_type, _words(places))
        table.append((spec, place))
    return tuple(table)


_AREA_TABLE = _build_area_table()
_PLACES: dict[str, tuple[str, _Place]] = {spec.code: (spec.district, p) for spec, p in _AREA_TABLE}


def areas() -> list[AreaSpec]:
    """Return the ~40 service areas, each owned by a station of the branch covering it."""
    return [spec for spec, _place in _AREA_TABLE]


# --------------------------------------------------------------------------- names

_SURNAME_WEIGHTS = (
    "王72 李72 张66 刘60 陈55 杨40 黄26 赵24 吴20 周24 徐14 孙12 马10 朱11 胡14 郭10 何16 林6 "
    "罗18 高10 郑9 梁8 谢12 宋8 唐16 许7 韩6 冯8 邓14 曹7 彭12 曾10 肖10 田9 董6 袁9 潘5 于4 "
    "蒋9 蔡5 余10 杜7 叶5 程6 苏5 魏5 吕4 丁4 任7 沈4 姚4 卢4 姜4 崔2 钟5 谭9 陆3 汪4 范4 金2 "
    "石5 廖6 贾3 夏5 韦2 付6 方3 白3 邹6 孟2 熊6 秦5 邱4 江4 尹3 薛2 闫2 段3 雷5 侯3 龙4 史2 "
    "陶3 黎3 贺3 顾2 毛3 郝2 龚4 邵2 万3 钱2 严3 覃3 武2 戴2 莫2 孔2 向5 汤3 冉4 牟3 幸1 晏2 "
    "税1 母1 欧阳1"  # roughly per mille, nudged towards Chongqing (罗 唐 邓 谭 冉 牟 税 母)
)


def _parse_weights(text: str) -> list[tuple[str, float]]:
    pairs = [re.fullmatch(r"(\D+)(\d+)", item) for item in text.split()]
    return [(m.group(1), float(m.group(2))) for m in pairs if m]


_SURNAME_TABLE = _expand(_parse_weights(_SURNAME_WEIGHTS), 1000)  # weights are per mille

_GIVEN_OLD = _words(
    "建国 建华 建军 国强 国庆 国华 志强 志明 德明 德华 永红 卫东 卫国 淑芬 秀英 桂英 秀兰 玉兰 "
    "桂芳 玉梅 素芳 淑华 春梅 冬梅 凤英 兰英 金凤 德芳 光明 光荣 世平 世明 正华 明贵 福全 长生 "
    "德贵 树林 成富 国富 学文 文华 秀珍 翠兰 素珍 明芳 碧玉 素清 华英 德容 淑容 玉容 光辉 绍华 "
    "华 英 芳 珍 明 军 平 强 琼 蓉 彬 贵"
)
_GIVEN_MID = _words(
    "伟 磊 勇 军 涛 斌 静 敏 丽 艳 娟 霞 燕 刚 波 亮 红 莉 海燕 晓燕 晓东 红梅 丽娟 小红 小兵 "
    "小军 志刚 建平 海波 海涛 晓梅 丽华 雪梅 春燕 晓峰 晓军 建新 俊杰 文静 明辉 宏伟 春华 婷婷 "
    "莉莉 晓丽 小琴 晓庆 玉洁 大勇 成刚 小平 万里 永强 利 渝 川 庆"
)
_GIVEN_YOUNG = _words(
    "子涵 梓轩 浩然 雨桐 欣怡 思琪 一诺 宇航 家豪 佳怡 诗涵 婉婷 梓涵 子轩 皓轩 雨涵 可馨 欣妍 "
    "思远 博文 俊熙 宇轩 天佑 若曦 紫涵 语嫣 嘉怡 梦琪 晨曦 雨欣 文博 子豪 诗雨 俊宇 明轩 鑫 洋 "
    "帅 琳 颖 倩 璐 杰 浩 超 鹏 爽 丹"
)

_MALE_FIRST = "建志俊浩宇子家明文海晓天嘉"
_MALE_SECOND = "伟杰涛峰军辉东轩航博然强鹏豪斌林川"
_FEMALE_FIRST = "晓雨欣思诗佳雅梦丽海春文嘉子"
_FEMALE_SECOND = "怡琪婷雪丽燕梅琳涵萱妍玲蓉霞娟颖瑶"
_COMPOSED = tuple(a + b for a in _MALE_FIRST for b in _MALE_SECOND) + tuple(
    a + b for a in _FEMALE_FIRST for b in _FEMALE_SECOND
)
# Generation mix of account holders: 25% older names, 30% middle, 20% young, 25% freely composed.
_GIVEN_TABLE = _expand(
    [
        (name, share / len(pool))
        for pool, share in ((_GIVEN_OLD, 25), (_GIVEN_MID, 30), (_GIVEN_YOUNG, 20))
        for name in pool
    ]
    + [(name, 25 / len(_COMPOSED)) for name in _COMPOSED],
    20_000,
)

_BRANDS = _words(
    "鑫源 华祥 渝味 山城 巴渝 嘉禾 金鼎 宏达 聚福 蜀香 江源 龙腾 德润 川渝 朝天 两江 金桥 锦程 "
    "恒丰 瑞祥 兴隆 顺达 鼎盛 万福 佳和 春晖 天成 汇通 永盛 和谐"
)
_INDUSTRIES = _words(
    "餐饮 餐饮管理 火锅 酒店管理 物业管理 食品 商贸 建材 汽车维修 洗涤服务 印务 农业开发 机械制造 陶瓷"
)
_SHOPS = _words("火锅店 小面馆 餐馆 烧烤店 茶楼 洗衣店 豆花饭庄 中餐馆 农家乐")

_COMPANY_RATE = 0.04


def _personal_name(rng: random.Random, elderly: bool = False) -> str:
    given = _pick(rng, _GIVEN_OLD) if elderly else _pick(rng, _GIVEN_TABLE)
    return _pick(rng, _SURNAME_TABLE) + given


def _company_name(rng: random.Random, district: str) -> str:
    r = rng.random()
    brand = _pick(rng, _BRANDS)
    if r < 0.5:
        return f"重庆市{district}{brand}{_pick(rng, _INDUSTRIES)}有限公司"
    if r < 0.75:
        return f"重庆{brand}{_pick(rng, _INDUSTRIES)}有限公司"
    return f"{district}{brand}{_pick(rng, _SHOPS)}"


def staff_name(rng: random.Random) -> str:
    """Return a realistic Chinese personal name (staff and agents are people, never a business)."""
    return _personal_name(rng)


def person_name(rng: random.Random) -> str:
    """Return a realistic Chinese personal name, or occasionally (4%) a business name."""
    if rng.random() < _COMPANY_RATE:
        return _company_name(rng, _pick(rng, _DISTRICTS))
    return _personal_name(rng)


# --------------------------------------------------------------------------- phones and numbers

_MOBILE_PREFIXES = tuple(
    int(p)
    for p in _words(
        "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
        "166 173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 193 195 198 199"
    )
)
_METER_PREFIXES = (6101, 6102, 6203, 7301, 7302)
_E4, _E7, _E8 = 10**4, 10**7, 10**8
_SEQ_LIMIT = _E8


def _luhn_chunk(chunk: int) -> int:
    """Luhn sum of a 4-digit chunk whose rightmost digit is in a doubled position."""
    total = 0
    for position in range(4):
        chunk, digit = divmod(chunk, 10)
        doubled = digit * 2 if position % 2 == 0 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return total


_LUHN4 = tuple(_luhn_chunk(chunk) for chunk in range(_E4))


# Fixed pseudo-random round function for the Feistel network below (same on every run).
_SBOX = tuple(random.Random(20_240_611).sample(range(_E4), _E4))


def _feistel(value: int) -> int:
    """A bijection of ``range(10**8)`` (3-round Feistel) so consecutive seqs look unrelated."""
    left, right = divmod(value % _E8, _E4)
    left, right = right, (left + _SBOX[(right + 7_331) % _E4]) % _E4
    left, right = right, (left + _SBOX[(right + 2_617) % _E4]) % _E4
    left, right = right, (left + _SBOX[(right + 9_049) % _E4]) % _E4
    return left * _E4 + right


def _mix7(value: int) -> int:
    """A bijection of ``range(10**7)``: alternating keyed shifts of its 3- and 4-digit halves."""
    high, low = divmod(value % _E7, _E4)
    for key in (4_127, 8_923):
        high = (high + _SBOX[(low + key) % _E4]) % 1_000
        low = (low + _SBOX[(high * 7 + key) % _E4]) % _E4
    return high * _E4 + low


def mobile_phone(rng: random.Random) -> str:
    """Return a valid 11-digit mainland mobile number with a real carrier prefix."""
    return str(_pick(rng, _MOBILE_PREFIXES) * _E8 + int(rng.random() * _E8))


def landline(rng: random.Random) -> str:
    """Return a Chongqing landline as digits, e.g. "02365123456" (023-65123456)."""
    return f"0{2_360_000_000 + int(rng.random() * _E7)}"


def _account_no(mixed: int) -> str:
    """Ten digits: a leading 3, the eight mixed digits and a Luhn check digit."""
    check = (10 - (6 + _LUHN4[mixed // _E4] + _LUHN4[mixed % _E4]) % 10) % 10
    return str(3_000_000_000 + mixed * 10 + check)


def _own_mobile(rng: random.Random, mixed: int) -> str:
    return str(_pick(rng, _MOBILE_PREFIXES) * _E8 + (mixed * 98_765_431 + 24_681_357) % _E8)


def _phones(rng: random.Random, seq: int, mixed: int) -> tuple[str, ...]:
    """One mobile for ~80%, 2-3 numbers for ~20%.

    Every suffix is a bijection of ``seq``, so no two customers share a number while seq < 10**7.
    """
    first = _own_mobile(rng, mixed)
    r = rng.random()
    if r >= 0.2:
        return (first,)
    if rng.random() < 0.5:
        second = f"0{2_360_000_000 + _mix7(seq)}"
    else:
        second = _own_mobile(rng, _feistel(seq + 50_000_000))
    if r < 0.05:
        return (first, second, _own_mobile(rng, _feistel(seq + 25_000_000)))
    return (first, second)


def _meter_no(rng: random.Random, mixed: int) -> str:
    return str(_pick(rng, _METER_PREFIXES) * _E8 + (mixed * 31_415_927 + 27_182_818) % _E8)


# --------------------------------------------------------------------------- addresses

_ESTATES = _words(
    "金港国际 阳光花园 锦绣山庄 翠湖苑 江岸华庭 金色港湾 书香名邸 滨江御园 枫林雅居 碧水云天 "
    "锦华苑 盛世华庭 桂花园 天骄名城 山水家园 龙湾丽景 朝阳新村 电力宿舍 燃气公司家属院 "
    "机械厂宿舍 纺织厂宿舍 和美家园 东方新城 巴山雅苑 嘉陵春晓 长江明珠 南山雅筑 香樟林 "
    "银杏苑 紫薇花园 幸福里 同心家园 锦江花园 学府雅园 泰和苑 华宇锦绣 御景天成"
)
_GENERIC_ROADS = ("人民路", "解放路", "建设路", "新华路", "中山路", "胜利路", "和平路", "滨江路")
_GENERIC_VILLAGES = ("新华村", "红星村", "团结村", "光明村", "长青村", "胜利村")


def _place_of(area: AreaSpec) -> _Place:
    known = _PLACES.get(area.code)
    if known is not None and known[0] == area.district:
        return known[1]
    street = area.name.removeprefix(area.district).removesuffix("网格").removesuffix("台区") or "城区"
    places = _GENERIC_ROADS if area.area_type == "urban" else _GENERIC_VILLAGES
    return _Place(f"重庆市{area.district}{street}", street, area.area_type, places)


# Pre-formatted address pieces: formatting integers is the slow part of 10**6 addresses.
_HOUSE_NUMBERS = tuple(f"{n}号" for n in range(1, 389))
_FLATS = tuple(f"{u}单元{f}0{r}" for u in range(1, 5) for f in range(1, 34) for r in range(1, 7))
_OLD_FLATS = tuple(f"{f}-{r}" for f in range(1, 9) for r in range(1, 5))  # "5-2": 5th floor, flat 2


def _urban_rest(rng: random.Random, place: _Place) -> str:
    road = _pick(rng, place.places)
    style, number = divmod(int(rng.random() * 38_800), 388)  # style is a percentile
    house = road + _HOUSE_NUMBERS[number]
    if style < 55:
        building, flat = divmod(int(rng.random() * 32 * len(_FLATS)), len(_FLATS))
        return f"{house}{_pick(rng, _ESTATES)}{building + 1}栋{_FLATS[flat]}"
    if style < 85:
        return house + _pick(rng, _OLD_FLATS)
    annex, flat = divmod(int(rng.random() * 20 * len(_OLD_FLATS)), len(_OLD_FLATS))
    if style < 95:
        return f"{house}附{annex + 1}号{_OLD_FLATS[flat]}"
    return f"{house}附{annex + 1}号门面"


def _rural_rest(rng: random.Random, place: _Place) -> str:
    r = rng.random()
    if place.area_type == "rural" and r < 0.3:  # in the township's market street
        stem = place.street.removesuffix("镇").removesuffix("乡")
        return f"{stem}{'正街' if r < 0.2 else '新街'}{int(rng.random() * 160) + 1}号"
    group, number = divmod(int(rng.random() * 1_440), 120)
    team = "社" if place.area_type == "remote" and r < 0.5 else "组"
    return f"{_pick(rng, place.places)}{group + 1}{team}{number + 1}号"


def address(rng: random.Random, area: AreaSpec) -> str:
    """Return a full postal address inside ``area``'s district and street/township."""
    place = _place_of(area)
    rest = _urban_rest(rng, place) if place.area_type == "urban" else _rural_rest(rng, place)
    return place.prefix + rest


# --------------------------------------------------------------------------- customers

_AREA_TYPE_WEIGHT = {"urban": 1.0, "rural": 0.35, "remote": 0.12}
_ELDERLY_RATE = 0.08
_ELDERLY_ONLY = ("elderly",)
_RARE_GATE = 0.03  # > 0.002 + 0.01 + 0.01 + 0.005, so each rare tag keeps its overall rate


_AreaTable = tuple[tuple[AreaSpec, _Place], ...]


@lru_cache(maxsize=16)
def _area_table(areas: tuple[AreaSpec, ...]) -> _AreaTable:
    """Areas with their address material as a weighted lookup table (urban areas are busiest)."""
    if not areas:
        raise ValueError("at least one area is required")
    weighted = [((a, _place_of(a)), _AREA_TYPE_WEIGHT.get(a.area_type, 1.0)) for a in areas]
    return _expand(weighted, 100 * len(areas))


def _tags(rng: random.Random, company: bool, elderly: bool) -> tuple[str, ...]:
    """Rare tags for ~3% of residents, drawn within that group (so they tend to co-occur)."""
    if not company and rng.random() >= _RARE_GATE:
        return _ELDERLY_ONLY if elderly else ()
    scale = 1.0 if company else _RARE_GATE
    key = rng.random() * scale < (0.2 if company else 0.002)
    sensitive = rng.random() * scale < 0.01
    repeat = rng.random() * scale < 0.01
    vip = rng.random() * scale < 0.005
    flags = (key, sensitive, repeat, elderly, vip)
    return tuple(tag for tag, on in zip(TAGS, flags, strict=True) if on)


def _make_customer(rng: random.Random, seq: int, table: _AreaTable) -> CustomerSpec:
    if not 0 <= seq < _SEQ_LIMIT:
        raise ValueError(f"seq must be in [0, {_SEQ_LIMIT}), got {seq}")
    area, place = _pick(rng, table)
    u = rng.random()
    company = u < _COMPANY_RATE
    elderly = _COMPANY_RATE <= u < _COMPANY_RATE + _ELDERLY_RATE
    name = _company_name(rng, area.district) if company else _personal_name(rng, elderly)
    mixed = _feistel(seq)
    rest = _urban_rest(rng, place) if place.area_type == "urban" else _rural_rest(rng, place)
    phones = _phones(rng, seq, mixed)
    meter_no = _meter_no(rng, mixed)
    tags = _tags(rng, company, elderly)
    # positional: keyword arguments cost ~10% of the whole customer on a 10**6 run
    return CustomerSpec(_account_no(mixed), name, phones, place.prefix + rest, area.code, meter_no, tags)


def customer(rng: random.Random, seq: int, areas: Sequence[AreaSpec]) -> CustomerSpec:
    """Return customer number ``seq`` (0 <= seq < 10**8) living in one of ``areas``."""
    return _make_customer(rng, seq, _area_table(tuple(areas)))


def customers(rng: random.Random, n: int, areas: Sequence[AreaSpec], *, start: int = 1) -> Iterator[CustomerSpec]:
    """Yield ``n`` customers numbered ``start .. start+n-1``; same as repeated ``customer`` calls."""
    table = _area_table(tuple(areas))
    for seq in range(start, start + n):
        yield _make_customer(rng, seq, table)


# --------------------------------------------------------------------------- order descriptions

_SLOTS: dict[str, tuple[str, ...]] = {
    "when": ("刚才", "今天早上", "今天中午", "半个小时前", "昨天晚上", "今天下午", "一大早", "十来分钟前"),
    "room": ("厨房", "卫生间", "阳台"),
    "place": ("小区门口", "路边", "菜市场旁边", "学校门口", "公交站旁边", "河边步道", "停车场旁边"),
    "floor": ("二楼", "三楼", "五楼", "十二楼", "顶楼"),
    "who": ("老人", "我母亲", "我父亲", "我爱人", "小孩"),
    "parent": ("父亲", "母亲", "外婆", "爷爷", "奶奶"),
    "dur": ("两个多小时", "半天", "一整天", "三个多小时", "快一天"),
    "dur_short": ("半个小时", "四十多分钟", "一个多小时"),
    "days": ("三天", "一个星期", "五天", "十来天", "半个月"),
    "years": ("五六年", "快十年", "七八年"),
    "appliance": ("燃气灶", "燃气热水器", "壁挂炉"),
    "elec_app": ("空调", "冰箱", "电视机", "电磁炉", "洗衣机"),
    "gas_sym": ("火很小", "点不燃", "打好几下才着", "火苗发黄还冒黑烟"),
    "meter_sym": ("不走字了", "显示屏黑屏了", "一直在报警", "充了值显示不出来", "走得特别快"),
    "emeter_sym": ("显示屏黑屏了", "一直在闪红灯", "走得特别快", "显示乱码", "有烧焦的味道"),
    "volt_sym": ("灯一闪一闪的", "灯光很暗", "空调启动不了", "电器经常自己关机", "冰箱嗡嗡响"),
    "alarm_sym": ("一直不亮", "总是乱响", "已经过了使用年限"),
    "master": ("王师傅", "李师傅", "张师傅", "刘师傅", "陈师傅", "杨师傅", "唐师傅", "罗师傅"),
    "clerk": ("小李", "小王", "小张", "小刘", "小陈", "小谭"),
    "date": ("下周一", "这周六上午", "明天上午", "这周五下午", "下周三"),
    "past_date": ("上周六", "前天上午", "昨天下午", "上个星期三"),
    "amount": ("三百多块", "五百多块", "八百多块", "一千多块", "四百多块"),
    "usual": ("一百多块", "七八十块", "两百块左右", "一百二三十块"),
    "months": ("这个月", "上个月", "这两个月"),
    "utility": ("燃气", "电", "气"),
    "outage": ("停气", "停电"),
    "channel": ("微信", "支付宝", "网上营业厅", "银行App"),
    "reason": (
        "刚买了二手房",
        "房子是父母过户给我的",
        "原户主是我父亲，已经去世了",
        "和前房主办完了房产过户",
    ),
    "work": ("挖沟埋管", "换电缆", "改燃气管", "立电杆"),
    "noise_time": ("晚上十一点多", "凌晨一两点", "中午午休的时候", "早上六点不到"),
    "estate": _ESTATES,
    "issue": ("燃气表故障", "热水器打不燃", "停电", "电压不稳", "燃气灶漏气", "电表黑屏"),
    "target": ("阳台", "橱柜外面", "厨房另一面墙"),
}

_TEMPLATES: dict[str, tuple[str, ...]] = {
    "EM-GAS-LEAK": (
        "{when}回家一开门就闻到{room}有很浓的燃气味，我已经开了窗户，也没敢开灯，请你们赶紧派人来看看。",
        "{room}一直有股臭鸡蛋味，{dur}了都没散，怀疑是燃气管漏气，家里有老人和小孩，很着急。",
        "我住{floor}，楼道里燃气味很重，好像是隔壁家漏气了，敲门没人应，麻烦马上派人来。",
        "{place}有一股很重的燃气味，像是地下的燃气管道漏了，路过的人都闻得到，请派抢修人员来。",
    ),
    "EM-GAS-FIRE": (
        "{room}的燃气灶{when}突然起火了，火扑灭了但是管子接头那里还在冒气，我已经关了总阀，请马上派人来。",
        "{place}有燃气管道着火了，火苗窜得很高，已经打了119，请你们赶紧派抢修人员过来。",
        "{when}楼里传来一声很响的爆炸声，好像是{floor}住户燃气出事了，现在楼道里都是烟，请立即派人处理。",
    ),
    "EM-GAS-POISON": (
        "{who}洗澡的时候晕倒在卫生间里，怀疑是热水器一氧化碳中毒，已经打了120，请派人来查一下热水器。",
        "{when}{who}说头晕恶心，家里用的是燃气热水器，门窗都关着，担心是一氧化碳中毒，现在已经开窗通风了。",
        "家里的一氧化碳报警器{when}一直在响，{who}有点头晕，我们已经出门了，请派人来检查。",
    ),
    "EM-ELEC-SHOCK": (
        "{when}{who}在{room}碰到漏电的插座被电了一下，手臂发麻，已经送医院了，请派人来检查线路。",
        "{place}有人碰到掉下来的电线触电了，已经打了120，请赶快把那条线路的电断了。",
        "{place}的配电箱外壳带电，{when}有小孩摸到被电了一下，太危险了，请马上派人来处理。",
    ),
    "EM-ELEC-WIRE": (
        "{place}有根电线杆被风刮倒了，电线掉在地上还在冒火花，路过的人很多，请赶紧派人来。",
        "{when}{place}的电线断了一根垂到地上，离人行道很近，我们不敢靠近，麻烦尽快处理。",
        "{place}那根电线杆歪得很厉害，好像随时要倒，下面就是停车位，请派人来看看。",
    ),
    "RP-GAS-NOGAS": (
        "屋头{when}开始燃气灶就{gas_sym}，表里还有余额，不晓得是不是气压低，请派师傅来看看。",
        "我们这栋楼{when}开始全都没有气了，问了邻居都一样，是不是在停气？什么时候能恢复？",
        "{when}热水器打不燃，燃气灶也没气，卡里刚充了{usual}，请尽快安排人来处理。",
    ),
    "RP-GAS-METER": (
        "我家燃气表{meter_sym}，已经{dur}了，请派人来检查一下是不是表坏了。",
        "IC卡插进燃气表没有反应，充的气用不了，{who}在家做不了饭，麻烦尽快来修。",
        "燃气表上的数字{days}都没动过，但是我们每天都在用气，担心表计有问题，请来核实一下。",
    ),
    "RP-GAS-APPLIANCE": (
        "{appliance}{when}打不着火了，打了好多次只有咔咔的声音，请安排师傅上门维修。",
        "{appliance}用起来{gas_sym}，还有点异响，是你们公司装的，还在保修期内，想请师傅来看看。",
        "家里{appliance}点火以后一会儿就自己熄火了，已经{days}了，麻烦派人来修一下。",
    ),
    "RP-GAS-PIPE": (
        "{room}的燃气管道锈得很厉害，接头那里有点渗，闻着有一点点味道，想请师傅来看看要不要换。",
        "装修的时候不小心把{room}的燃气软管碰坏了，现在阀门关着的，需要请你们来更换。",
        "{room}燃气管的阀门拧不动了，关不上，担心有安全隐患，请派人来处理。",
    ),
    "RP-ELEC-OUTAGE": (
        "我家{when}突然停电了，看了一下邻居家也没电，不知道是不是线路故障，请尽快派人来抢修。",
        "{when}开始整栋楼都停电了，没有收到停电通知，家里老人还在用制氧机，请尽快恢复供电。",
        "就我家没电，电表箱里的开关跳了推不上去，已经停了{dur}，冰箱里的东西都要坏了，请派电工来看看。",
    ),
    "RP-ELEC-VOLT": (
        "我家最近电压很不稳定，{volt_sym}，尤其是晚上用电高峰的时候更明显。",
        "{when}开始家里电压特别低，{volt_sym}，邻居家也一样，请派人来测一下电压。",
        "这个月家里已经烧坏了一台{elec_app}，平时{volt_sym}，怀疑是电压过高，请帮忙检测一下。",
    ),
    "RP-ELEC-METER": (
        "电表{emeter_sym}，已经{dur}了，请派人来检查一下电表是不是出故障了。",
        "我家电表箱里{when}冒了一下火花，现在电表{emeter_sym}，请尽快派人来处理。",
        "电表读数和我们实际用电差得太多，{months}电费比平时多了{amount}，怀疑电表有问题，想申请校验。",
    ),
    "SR-GAS-OPEN": (
        "我在{estate}新买的房子，想办理燃气开户和通气，请问{date}能不能安排师傅上门？",
        "房子装修好了准备入住，需要预约通气点火，{date}家里有人，麻烦安排一下。",
        "我是{estate}的新住户，想开户用燃气，需要带什么资料？能不能尽快安排通气。",
    ),
    "SR-GAS-TRANSFER": (
        "{reason}，想把燃气户名改成我的名字，请问燃气过户要准备哪些材料？",
        "{reason}，现在要办燃气过户，能不能在{channel}上办，不用跑营业厅？",
        "燃气账户还是原来户主的名字，{reason}，想预约{date}去营业厅办理过户。",
    ),
    "SR-GAS-INSPECT": (
        "想预约一下入户安检，{date}家里有人，麻烦安排安检员上门。",
        "上次安检员来的时候家里没人，门上贴了条子让打电话预约，想约{date}。",
        "家里{appliance}用了{years}了，想请你们来做一次安全检查，看看软管要不要换。",
    ),
    "SR-GAS-MOVE": (
        "家里厨房重新装修，想把燃气表移到{target}，请问改管怎么收费，什么时候能来？",
        "装修要改燃气管道位置，想预约师傅{date}上门量一下，看能不能改。",
        "燃气表装在{room}最里面，抄表和维修都不方便，想申请把表迁移出来。",
    ),
    "SR-READING": (
        "{months}的{utility}费比平时高了好多，平时就{usual}，这次要{amount}，怀疑抄表抄错了，请重新核对。",
        "抄表员根本没来我家，账单上的读数是估的，和表上的数字对不上，请派人来重新抄表。",
        "我家{months}都没人住，怎么还有{amount}的{utility}费，读数肯定有问题，麻烦核实一下。",
    ),
    "SR-ELEC-RECONNECT": (
        "我家因为欠费被停电了，{when}已经在{channel}上把电费交清了，请问什么时候能恢复送电？",
        "出差忘了交电费被停了，现在已经补交了，家里还有老人，麻烦尽快复电。",
        "交了电费{dur}了还是没电，是不是系统没到账？请帮忙查一下尽快复电。",
    ),
    "SR-ELEC-NEW": (
        "新开的店铺要装空调和厨房设备，现在的容量不够，想申请增容，需要准备什么资料？",
        "家里准备装充电桩，想申请一个单独的电表，请问流程是怎样的？",
        "自建房刚修好，想申请新装电表，{date}可以安排人来现场勘查吗？",
        "我们在{estate}楼下开了个小餐馆，想把单相电改成三相电，需要办哪些手续？",
    ),
    "SR-ELEC-TRANSFER": (
        "{reason}，需要办理用电过户，请问要带哪些证件去营业厅？",
        "我想把电费户名从房东改成我，房东也同意了，电话里能办吗？",
        "用电户名还是原户主的名字，{reason}，想把电和气一起过户。",
    ),
    "IQ-BILL": (
        "想查一下我家{months}的{utility}费是多少，户号记不清了，可以用电话号码查吗？",
        "为什么{months}{utility}费有{amount}，比平时多这么多，能不能帮我查一下明细？",
        "我想问一下我家现在{utility}费还剩多少钱，有没有欠费。",
    ),
    "IQ-OUTAGE": (
        "我们{estate}是不是要{outage}？楼下贴了通知但没看清时间，想确认一下。",
        "{when}突然{outage}了，请问是计划检修还是故障，什么时候能恢复？",
        "听说{date}要{outage}检修，具体是几点到几点，影响哪些地方？",
    ),
    "IQ-POLICY": (
        "想咨询一下阶梯{utility}价是怎么算的，我家人口多，能不能申请增加基数？",
        "请问老旧小区燃气改造要不要自己出钱，我们{estate}什么时候能改？",
        "想问一下低保户用电用气有没有优惠政策，需要去哪里申请？",
        "听说{utility}价要调整了，想问一下从什么时候开始执行，一个月大概多出多少钱？",
        "家里装了电采暖，想问一下峰谷电价怎么申请，晚上用电是不是便宜一些？",
    ),
    "IQ-PAYMENT": (
        "请问{utility}费除了去营业厅，还可以在哪里交？{channel}能交吗？",
        "家里{parent}不会用手机，想办银行代扣{utility}费，需要带什么去银行？",
        "我在{channel}上交了{utility}费，钱扣了但是显示没到账，请帮忙查一下。",
    ),
    "CP-ATTITUDE": (
        "{past_date}打电话咨询，客服态度很差，话没说完就把电话挂了，我要投诉。",
        "{master}来我家安检的时候很不耐烦，问他问题爱理不理的，还说我们家管子是自己乱改的，态度太差了。",
        "去营业厅办业务，工作人员一直在玩手机，让我等了{dur_short}才理我，希望你们管一管。",
    ),
    "CP-TIMELINESS": (
        "我{days}前就报修了，到现在都没人来处理，打了好几次电话都说在安排，到底什么时候来？",
        "停电已经{dur}了，打电话一直说在抢修，就是不恢复，家里冰箱的东西都坏了。",
        "预约安检说好{past_date}来，结果等了一整天都没人来，也没打电话通知，浪费我们时间。",
    ),
    "CP-BILLING": (
        "{months}{utility}费收了{amount}，平时只有{usual}，家里也没多用，这个钱我不认可。",
        "我已经交过的{utility}费又被扣了一次，银行卡上有两笔扣款，请把多扣的退给我。",
        "改管收了我{amount}，也没给我看收费标准，感觉收费不合理，要求给个说法。",
    ),
    "CP-QUALITY": (
        "我们这里{months}已经停了好几次电，每次都不通知，严重影响生活和做生意。",
        "一到用气高峰燃气灶就{gas_sym}，饭都煮不熟，已经反映好多次了都没解决。",
        "这一片电压一直不稳，{volt_sym}，已经烧坏好几家的电器了，请彻底整改。",
    ),
    "CP-CONSTRUCTION": (
        "你们在{place}{work}，{noise_time}还在施工，吵得人根本睡不着。",
        "{place}挖的沟{days}了还没填，也没有围挡，晚上很危险，有老人已经摔了一跤。",
        "施工队{work}把路面挖坏了一直没恢复，车都开不进小区，请尽快处理。",
    ),
    "SG-SERVICE": (
        "建议停气停电的通知提前几天发短信，很多老人不看小区公告。",
        "希望营业厅周末也能开门，上班族平时根本没时间去办业务。",
        "建议{channel}上能直接预约安检和维修，打电话经常占线。",
        "建议安检人员上门的时候主动出示工作证，现在冒充燃气公司的骗子太多了。",
    ),
    "PR-STAFF": (
        "{past_date}{master}来我家修{appliance}，态度特别好，修好了还教我们怎么安全用气，想表扬一下。",
        "前几天晚上停电，抢修的师傅冒着雨干到半夜就恢复了，非常辛苦，特别感谢{master}。",
        "客服{clerk}很耐心地帮我查账单，解释得清清楚楚，希望公司表扬一下。",
    ),
    "CB-FOLLOWUP": (
        "接到回访电话，之前报修的{issue}已经处理好了，师傅来得很及时，比较满意。",
        "回访时客户反映上次{issue}修好了，但是过了两天又出现同样的问题，希望再来看一下。",
        "回访确认{issue}问题已经解决，客户对处理结果满意，没有其他意见。",
    ),
    "CA-ELDERLY": (
        "我{parent}八十多岁了一个人住，记性不太好，经常忘记关燃气，能不能上门检查一下，装个自动切断阀？",
        "{parent}家里没有智能手机，不会在网上交费，想问下能不能上门收费或者帮忙办代扣。",
        "{parent}一个人住在{estate}，冬天用热水器我们不放心，想请你们上门给老人讲讲怎么安全用气。",
    ),
    "CA-SAFETY": (
        "收到了安全用气提醒短信，想问一下燃气软管多久要换一次，我家的好像用了{years}了。",
        "天冷了家里准备在卫生间装燃气热水器，想问下需要注意什么，要不要装排烟管。",
        "看到通知说要检查燃气报警器，我家的报警器{alarm_sym}，想请人来看看。",
        "收到提醒说燃气灶要换带熄火保护的，我家的灶用了{years}了，想问下是不是必须要换。",
    ),
}

_CLOSINGS: dict[str, tuple[str, ...]] = {
    "EM": ("请尽快！", "电话一直开着，到了打给我。", "我们在楼下等。"),
    "RP": ("麻烦尽快处理。", "白天家里都有人。", "来之前请先打电话。"),
    "SR": ("谢谢。", "麻烦回个电话。", "工作日白天都可以联系我。"),
    "IQ": ("谢谢。", "麻烦回个电话告诉我。"),
    "CP": ("希望尽快给个答复。", "如果还不解决我就向上级部门反映。", "请给我一个说法。"),
    "SG": ("谢谢。", "希望采纳。"),
    "PR": ("谢谢你们！", "辛苦了。"),
    "CA": ("谢谢你们。", "麻烦回个电话。"),
}

_GENERIC_TEMPLATES: tuple[str, ...] = (
    "客户来电反映相关问题，具体情况需进一步核实。",
    "客户来电咨询，详情待客服人员补充。",
    "客户来电，诉求内容待进一步确认。",
)

CATEGORY_CODES: tuple[str, ...] = tuple(_TEMPLATES)

_SLOT_RE = re.compile(r"\{(\w+)\}")

# A template compiled to its literal pieces and, between them, the choices for each slot.
_Compiled = tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]


def _compile(template: str) -> _Compiled:
    parts = _SLOT_RE.split(template)  # literal, slot, literal, ..., literal
    return tuple(parts[0::2]), tuple(_SLOTS[name] for name in parts[1::2])


_COMPILED: dict[str, tuple[_Compiled, ...]] = {
    code: tuple(_compile(t) for t in templates) for code, templates in _TEMPLATES.items()
}


def _fill(rng: random.Random, compiled: _Compiled) -> str:
    literals, slots = compiled
    pieces = [literals[0]]
    for choices, literal in zip(slots, literals[1:], strict=True):
        pieces += (_pick(rng, choices), literal)
    return "".join(pieces)


def order_description(rng: random.Random, category_code: str) -> str:
    """Return a 1-3 sentence Chinese customer statement fitting ``category_code``."""
    templates = _COMPILED.get(category_code)
    if templates is None:
        return _pick(rng, _GENERIC_TEMPLATES)
    text = _fill(rng, _pick(rng, templates))
    closings = _CLOSINGS.get(category_code[:2], ())
    if closings and rng.random() < 0.35:
        text += _pick(rng, closings)
    return text
