"""Knowledge-base search over many articles (issue 19): p99 under 50 ms over 50,000 articles.

    python -m bench.kb_search --url sqlite:///bench/out/kb.db --articles 50000
    python -m bench.kb_search --url postgresql://postgres@127.0.0.1/huiyin_kb_bench --articles 50000
    python -m bench.kb_search --url ... --reuse --http       # also through a running `huiyin serve`

1. **Data** (unless ``--reuse``): a fresh database, migrated and seeded, then ``--articles`` articles in a
   two-level category tree of 60 categories: titles and bodies written from the utility's own vocabulary
   (devices, faults, procedures, districts, materials, channels: about 1,500 distinct words, drawn with a
   Zipf skew, 8–25 sentences each, as long as real procedure documents), a fifth of them FAQs with 6
   question variants, a tenth with validity dates, a third public. Indexed by
   ``knowledge.search.do_index_many`` (the same rows as one article's ``do_index``).
2. **Queries**: 400 queries as agents and customers type them: two-character words (漏气, 过户, 复电),
   phrases (燃气表漏气怎么办), sentences with stop words, words with synonyms (煤气, 没得气), drawn from the same
   vocabulary, each run once to warm up, then ``--rounds`` times in a shuffled order.
3. **Measured**: per query, the time of ``knowledge.service.find`` in process (parse, candidates, BM25,
   snippets, the outages' generated articles) on one connection; with ``--http``, ``GET /api/v1/kb/search``
   through the server. p50/p90/p99/max and the mean hits.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any


def _words(text: str) -> list[str]:
    return text.split()


ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

DEVICES = _words(
    "燃气表 智能燃气表 IC卡表 物联网表 燃气灶 燃气热水器 壁挂炉 报警器 胶管 波纹管 "
    "减压阀 自闭阀 球阀 调压箱 立管 引入管 户内管道 电表 智能电表 空气开关 漏电保护器 "
    "变压器 配电箱 水表 水龙头 总阀 二次供水 水箱 管网 "
)
FAULTS = _words(
    "漏气 跑气 有气味 点不着火 熄火 火小 火苗发黄 异响 读数异常 走字快 不走字 充值不到账 "
    "卡片损坏 欠费停气 关阀 停气 停电 跳闸 电压低 频繁断电 停水 水压低 水发黄 水浑浊 "
    "爆管 渗水 结冰 冻裂 被盗 锈蚀 "
)
ACTIONS = _words(
    "过户 开户 销户 更名 改管 移表 报装 增容 换表 校验 安检 入户安检 维修 抢修 更换 "
    "安装 拆除 缴费 充值 补卡 开票 退费 复气 复电 来水 预约 回访 催缴 核查 复核 抄表 "
    "估抄 "
)
MATERIALS = _words(
    "身份证 户口簿 房产证 不动产权证 购房合同 租赁合同 委托书 营业执照 公章 银行卡 燃气卡 "
    "缴费凭证 发票 低保证 残疾证 老年证 施工图纸 验收报告 "
)
CHANNELS = [
    "营业厅",
    "公众号",
    "服务热线",
    "自助终端",
    "网上营业厅",
    "支付宝",
    "银行代扣",
    "社区服务点",
    "手机营业厅",
    "短信",
]
DISTRICTS = _words(
    "渝北区 江北区 南岸区 沙坪坝区 九龙坡区 渝中区 大渡口区 巴南区 北碚区 两江新区 "
    "龙溪街道 人和街道 回兴街道 双龙湖街道 鸳鸯街道 观音桥街道 南坪街道 杨家坪街道 "
    "石桥铺街道 解放碑街道 "
)
PEOPLE = [
    "客户",
    "用户",
    "坐席",
    "班长",
    "值班经理",
    "调度员",
    "维修人员",
    "抄表员",
    "安检员",
    "网格员",
    "物业",
    "业主",
    "租户",
    "老人",
    "商户",
]
STEPS = _words(
    "核实身份 记录诉求 查询档案 告知流程 派发工单 联系单位 上门处理 电话回访 短信通知 "
    "升级督办 关闭阀门 开窗通风 撤离现场 拨打抢修电话 预约时间 现场勘察 出具报告 收取费用 "
    "退还费用 办理手续 "
)
TIMES = [
    "当天",
    "次日",
    "三个工作日",
    "五个工作日",
    "七个工作日",
    "两小时内",
    "半小时内",
    "二十四小时内",
    "一个月内",
    "每年",
]
FILLER = _words(
    "按照 规定 要求 及时 认真 做好 相关 工作 情况 处理 服务 标准 流程 规范 确保 安全 "
    "质量 满意 解释 说明 注意 事项 特殊 情形 另行 通知 原则上 一般 应当 不得 严禁 "
    "必须 可以 协助 配合 跟踪 反馈 闭环 记录 存档 "
)

SENTENCES = (
    "{p}反映{d}{v}{f}，{p2}应{s}并{s2}。",
    "办理{a}业务需携带{m}和{m2}，可在{c}办理，{t}办结。",
    "{d}的{v}出现{f}时，{s}，{s2}，{x}{y}。",
    "{v}{a}须{s}，{t}内完成，{x}{y}{z}。",
    "如{p}对{a}结果不满意，可通过{c}提出复核，{p2}{t}内{s}。",
    "{x}{y}{z}，{p}{f}的，由{p2}{s}，{t}回访。",
    "{a}费用按{v}规格收取，{m}不全的不予受理，{x}{y}。",
)


def _zipf(rng: random.Random, words: list[str]) -> str:
    """Low ranks much more often than high ones, as words are in real text."""
    i = min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)
    return words[i]


def _topic(rng: random.Random) -> dict[str, list[str]]:
    """What one article is about: a device, a fault or two, an action or two, a district, the materials, the
    channels. Its sentences draw mostly from these, now and then from the whole vocabulary."""
    return {
        "v": rng.sample(DEVICES, 1),
        "f": rng.sample(FAULTS, 2),
        "a": rng.sample(ACTIONS, 2),
        "d": rng.sample(DISTRICTS, 1),
        "m": rng.sample(MATERIALS, 3),
        "c": rng.sample(CHANNELS, 2),
        "p": rng.sample(PEOPLE, 3),
        "s": rng.sample(STEPS, 4),
        "t": rng.sample(TIMES, 2),
    }


_POOLS = {
    "v": DEVICES,
    "f": FAULTS,
    "a": ACTIONS,
    "d": DISTRICTS,
    "m": MATERIALS,
    "c": CHANNELS,
    "p": PEOPLE,
    "s": STEPS,
    "t": TIMES,
}


def _sentence(rng: random.Random, topic: dict[str, list[str]]) -> str:
    def w(slot: str) -> str:
        return rng.choice(topic[slot]) if rng.random() < 0.95 else _zipf(rng, _POOLS[slot])

    return rng.choice(SENTENCES).format(
        p=w("p"),
        p2=w("p"),
        d=w("d"),
        v=w("v"),
        f=w("f"),
        s=w("s"),
        s2=w("s"),
        a=w("a"),
        m=w("m"),
        m2=w("m"),
        c=w("c"),
        t=w("t"),
        x=_zipf(rng, FILLER),
        y=rng.choice(FILLER),
        z=rng.choice(FILLER),
    )


def article(rng: random.Random, n: int) -> tuple[str, str, list[str]]:
    topic = _topic(rng)
    v, f, a, d = topic["v"][0], topic["f"][0], topic["a"][0], topic["d"][0]
    title = rng.choice(
        (
            f"{v}{f}的处理流程",
            f"{a}业务办理指引",
            f"{d}{v}{a}服务规范",
            f"{v}{f}应答话术",
            f"关于{a}{v}的管理规定（第{n % 9 + 1}版）",
            f"{v}{f}怎么办",
        )
    )
    body = "".join(_sentence(rng, topic) for _ in range(rng.randint(8, 25)))
    variants = []
    if rng.random() < 0.2:
        variants = [
            f"{v}{f}了怎么办",
            f"家里{v}{f}",
            f"{v}老是{f}咋个办",
            f"{a}要带什么",
            f"{a}去哪里办",
            f"{v}{f}找谁",
        ]
    return title, body, variants


def queries(rng: random.Random, n: int = 400) -> list[str]:
    out: list[str] = []
    shapes = (
        lambda: rng.choice(FAULTS)[:2],
        lambda: rng.choice(ACTIONS),
        lambda: f"{rng.choice(DEVICES)}{rng.choice(FAULTS)}怎么办",
        lambda: f"{rng.choice(ACTIONS)}需要什么材料",
        lambda: f"我家{rng.choice(DEVICES)}{rng.choice(FAULTS)}了，请问{rng.choice(ACTIONS)}要多久",
        lambda: f"煤气{rng.choice(FAULTS)}",
        lambda: f"没得气了{rng.choice(DISTRICTS)}",
        lambda: rng.choice(("漏气", "过户", "复电", "停气", "销户", "充值", "跳闸", "水质")),
        lambda: f"{rng.choice(DISTRICTS)}{rng.choice(DEVICES)}{rng.choice(ACTIONS)}",
    )
    for _ in range(n):
        out.append(rng.choice(shapes)())
    return out


def build(url: str, articles: int, seed: int) -> None:
    from sqlalchemy import insert

    from huiyin.cli import upgrade_database
    from huiyin.db import Database
    from huiyin.knowledge.models import KbArticle, KbCategory, KbVersion
    from huiyin.knowledge.search import DocText, do_index_many
    from huiyin.seed import ensure_reference_data
    from huiyin.settings import Settings

    settings = Settings(database_url=url)
    upgrade_database(settings.database_url)
    db = Database(settings)
    rng = random.Random(seed)
    at = datetime.now(UTC)
    with db.session() as s:
        ensure_reference_data(s)
        s.commit()
    with db.session() as s:
        cats = []
        for i in range(10):
            parent = KbCategory(name=f"业务类别{i + 1}", position=i)
            s.add(parent)
            s.flush()
            cats.append(parent.id)
            for j in range(5):
                child = KbCategory(name=f"业务类别{i + 1}-{j + 1}", parent_id=parent.id, position=j)
                s.add(child)
                s.flush()
                cats.append(child.id)
        t0 = time.perf_counter()
        docs: list[DocText] = []
        arts: list[dict[str, Any]] = []
        vers: list[dict[str, Any]] = []
        for i in range(1, articles + 1):
            title, body, variants = article(rng, i)
            kind = "faq" if variants else rng.choice(("policy", "procedure", "script"))
            vis = "public" if rng.random() < 0.33 else "internal"
            vf = vt = None
            if rng.random() < 0.1:
                vf = date.today() - timedelta(days=rng.randint(0, 400))
                vt = vf + timedelta(days=rng.randint(30, 700))
            cat = rng.choice(cats)
            arts.append(
                dict(
                    id=i,
                    kind=kind,
                    category_id=cat,
                    visibility=vis,
                    state="published",
                    title=title,
                    valid_from=vf,
                    valid_to=vt,
                    live_version_id=i,
                    views=0,
                    created_at=at,
                    updated_at=at,
                )
            )
            vers.append(
                dict(
                    id=i,
                    article_id=i,
                    number=1,
                    state="published",
                    title=title,
                    body=body,
                    variants=variants,
                    note="",
                    review_note="",
                    created_at=at,
                    published_at=at,
                )
            )
            docs.append(DocText(i, kind, cat, vis, vf, vt, title, variants, body))
        s.execute(insert(KbArticle), arts)
        s.execute(insert(KbVersion), vers)
        do_index_many(s, docs)
        s.commit()
        print(f"indexed {articles} articles in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    db.dispose()


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def measure(url: str, rounds: int, seed: int) -> dict[str, Any]:
    from huiyin.knowledge import service
    from huiyin.settings import Settings
    from huiyin.wiring import open_database

    settings = Settings(database_url=url)
    db = open_database(settings)
    rng = random.Random(seed + 1)
    qs = queries(rng)
    times: list[float] = []
    hits: list[int] = []
    with db.session(write=False) as s:
        for q in qs:  # warm: jieba's dictionary, the synonyms, the connection
            service.find(s, q, audience="agent", limit=10)
        for _ in range(rounds):
            rng.shuffle(qs)
            for q in qs:
                t0 = time.perf_counter()
                found = service.find(s, q, audience="agent", limit=10)
                times.append((time.perf_counter() - t0) * 1000)
                hits.append(len(found))
    db.dispose()
    return {
        "queries": len(times),
        "p50_ms": round(_pct(times, 50), 2),
        "p90_ms": round(_pct(times, 90), 2),
        "p99_ms": round(_pct(times, 99), 2),
        "max_ms": round(max(times), 2),
        "mean_hits": round(statistics.mean(hits), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--articles", type=int, default=50_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--reuse", action="store_true", help="measure the database as it is")
    ap.add_argument("--out", type=Path, default=OUT / "kb_search.jsonl")
    args = ap.parse_args()
    if not args.reuse:
        _fresh(args.url)
        build(args.url, args.articles, args.seed)
    result = {"url": args.url.split("@")[-1], "articles": args.articles, **measure(args.url, args.rounds, args.seed)}
    print(json.dumps(result, ensure_ascii=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a") as f:
        f.write(json.dumps({"at": datetime.now(UTC).isoformat(timespec="seconds"), **result}) + "\n")


def _fresh(url: str) -> None:
    """An empty database at ``url``: the SQLite file removed, the PostgreSQL database dropped and created."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from huiyin.db import normalize_url

    u = make_url(normalize_url(url))
    if u.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(u.database) + suffix).unlink(missing_ok=True)
        return
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()


if __name__ == "__main__":
    main()
