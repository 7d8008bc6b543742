"""Shanghai, as far as the demo needs it: districts, roads, names. Pure data and a seeded generator.

Every run with the same seed produces the same city, so screenshots, tests and benchmarks
agree on what "the demo" is.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class District:
    name_zh: str
    name_en: str
    lat: float
    lon: float
    radius_km: float
    weight: int  # share of customers: the centre is denser than the outskirts
    roads: tuple[str, ...]


DISTRICTS: tuple[District, ...] = (
    District(
        "黄浦区",
        "Huangpu",
        31.2317,
        121.4846,
        1.8,
        6,
        ("南京东路", "淮海中路", "西藏南路", "复兴中路", "河南中路"),
    ),
    District(
        "徐汇区",
        "Xuhui",
        31.1886,
        121.4365,
        3.5,
        7,
        ("衡山路", "漕溪北路", "肇嘉浜路", "宜山路", "龙华中路"),
    ),
    District(
        "长宁区",
        "Changning",
        31.2160,
        121.4140,
        3.0,
        5,
        ("虹桥路", "延安西路", "天山路", "仙霞路", "遵义路"),
    ),
    District(
        "静安区",
        "Jing'an",
        31.2480,
        121.4560,
        3.0,
        7,
        ("南京西路", "延平路", "共和新路", "万航渡路", "大统路"),
    ),
    District(
        "普陀区",
        "Putuo",
        31.2497,
        121.3960,
        3.5,
        5,
        ("曹杨路", "中山北路", "真北路", "武宁路", "长寿路"),
    ),
    District(
        "虹口区",
        "Hongkou",
        31.2700,
        121.5050,
        2.5,
        5,
        ("四川北路", "曲阳路", "大连路", "西江湾路", "临平路"),
    ),
    District(
        "杨浦区",
        "Yangpu",
        31.2840,
        121.5260,
        3.5,
        6,
        ("国定路", "控江路", "黄兴路", "平凉路", "五角场路"),
    ),
    District(
        "浦东新区",
        "Pudong",
        31.2215,
        121.5447,
        8.0,
        14,
        ("世纪大道", "张杨路", "浦东南路", "金桥路", "张江路", "川沙路"),
    ),
    District(
        "闵行区",
        "Minhang",
        31.1128,
        121.3817,
        6.5,
        8,
        ("莘庄路", "七莘路", "虹梅南路", "都市路", "沪闵路"),
    ),
    District(
        "宝山区",
        "Baoshan",
        31.4050,
        121.4890,
        5.5,
        5,
        ("牡丹江路", "友谊路", "共康路", "淞宝路", "上大路"),
    ),
    District(
        "嘉定区",
        "Jiading",
        31.3747,
        121.2655,
        5.5,
        4,
        ("博乐路", "城中路", "塔城路", "沪宜公路", "安亭路"),
    ),
    District(
        "松江区",
        "Songjiang",
        31.0322,
        121.2277,
        5.5,
        4,
        ("人民北路", "中山中路", "荣乐东路", "文诚路", "九亭大街"),
    ),
    District(
        "青浦区",
        "Qingpu",
        31.1508,
        121.1241,
        5.0,
        3,
        ("公园路", "城中北路", "华新路", "崧泽大道", "赵巷路"),
    ),
    District(
        "奉贤区",
        "Fengxian",
        30.9180,
        121.4740,
        5.0,
        3,
        ("南桥路", "解放东路", "金海公路", "环城东路", "望园路"),
    ),
)

SKILLS: tuple[tuple[str, str, str], ...] = (
    ("hvac", "暖通空调", "HVAC"),
    ("electrical", "电气", "Electrical"),
    ("plumbing", "给排水", "Plumbing"),
    ("appliance", "家用电器", "Appliances"),
    ("network", "网络通信", "Networking"),
    ("elevator", "电梯", "Elevators"),
)

WAREHOUSES: tuple[tuple[str, str, str, float, float], ...] = (
    ("WH-PD", "浦东金桥中心仓", "上海市浦东新区金桥路1399号", 31.2646, 121.5945),
    ("WH-MH", "闵行莘庄中心仓", "上海市闵行区莘庄工业区春东路508号", 31.0898, 121.3742),
    ("WH-PT", "普陀真如中心仓", "上海市普陀区真北路1108号", 31.2570, 121.3905),
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯"
    "邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢钟"
)
GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "强",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "平",
    "刚",
    "桂英",
    "建华",
    "志强",
    "晓东",
    "海峰",
    "文博",
    "子豪",
    "雨轩",
    "思远",
    "浩然",
    "嘉怡",
    "欣怡",
    "宇航",
    "俊杰",
    "佳琪",
    "梓涵",
    "一鸣",
    "家豪",
    "晨曦",
)
PINYIN_SURNAME = {
    "王": "Wang",
    "李": "Li",
    "张": "Zhang",
    "刘": "Liu",
    "陈": "Chen",
    "杨": "Yang",
    "黄": "Huang",
    "赵": "Zhao",
    "吴": "Wu",
    "周": "Zhou",
    "徐": "Xu",
    "孙": "Sun",
    "马": "Ma",
    "朱": "Zhu",
    "胡": "Hu",
    "郭": "Guo",
    "何": "He",
    "高": "Gao",
    "林": "Lin",
    "罗": "Luo",
    "郑": "Zheng",
    "梁": "Liang",
    "谢": "Xie",
    "宋": "Song",
    "唐": "Tang",
    "许": "Xu",
    "韩": "Han",
    "冯": "Feng",
    "邓": "Deng",
    "曹": "Cao",
    "彭": "Peng",
    "曾": "Zeng",
    "肖": "Xiao",
    "田": "Tian",
    "董": "Dong",
    "袁": "Yuan",
    "潘": "Pan",
    "蒋": "Jiang",
    "蔡": "Cai",
    "余": "Yu",
    "杜": "Du",
    "叶": "Ye",
    "程": "Cheng",
    "魏": "Wei",
    "苏": "Su",
    "吕": "Lyu",
    "丁": "Ding",
    "任": "Ren",
    "沈": "Shen",
    "姚": "Yao",
    "卢": "Lu",
    "钟": "Zhong",
}
BUSINESS_PREFIX = (
    "申城",
    "浦江",
    "东方",
    "金桥",
    "新华",
    "华东",
    "海上",
    "外滩",
    "静安",
    "徐家汇",
    "陆家嘴",
    "虹桥",
    "张江",
    "五角场",
    "莘庄",
    "宝钢",
    "嘉里",
    "世纪",
    "长风",
    "滨江",
)
BUSINESS_KIND = (
    ("酒店", "hotel", ("hvac", "plumbing", "electrical", "elevator")),
    ("购物中心", "mall", ("hvac", "elevator", "electrical")),
    ("写字楼物业", "office tower", ("hvac", "elevator", "network", "electrical")),
    ("餐饮管理", "restaurants", ("appliance", "plumbing", "hvac")),
    ("社区医院", "clinic", ("hvac", "electrical", "network")),
    ("实验学校", "school", ("hvac", "electrical", "network")),
    ("数据中心", "data centre", ("hvac", "electrical", "network")),
    ("连锁超市", "supermarket", ("appliance", "hvac", "electrical")),
    ("健身中心", "gym", ("hvac", "plumbing", "appliance")),
    ("服务式公寓", "serviced apartments", ("plumbing", "appliance", "hvac", "elevator")),
)
ACCESS_NOTES = (
    "请从地下车库B2进入，前台登记。",
    "工作日9:00-18:00可进场，需提前电话联系物业。",
    "机房钥匙在保安室，出示工单号领取。",
    "小区门禁，到达后致电联系人。",
    "货梯在大楼北侧，设备在屋顶。",
    "",
    "",
)


@dataclass(frozen=True)
class DemoSite:
    name: str
    address: str
    district: str
    lat: float
    lon: float
    access_notes: str


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    tier: str
    phone: str
    email: str | None
    contact_name: str
    sites: tuple[DemoSite, ...]


@dataclass(frozen=True)
class DemoTechnician:
    number: int
    name: str
    phone: str
    district: str
    lat: float
    lon: float
    skills: tuple[tuple[str, int], ...]
    working_hours: dict[str, list[list[str]]] = field(hash=False)
    max_jobs_per_day: int = 8


def _point_in(rng: random.Random, district: District) -> tuple[float, float]:
    """A uniform point in the district's disc (roughly: districts are not circles)."""
    distance_km = district.radius_km * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = distance_km * math.cos(bearing) / 111.0
    dlon = distance_km * math.sin(bearing) / (111.0 * math.cos(math.radians(district.lat)))
    return round(district.lat + dlat, 6), round(district.lon + dlon, 6)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _mobile(rng: random.Random, used: set[str]) -> str:
    while True:
        number = rng.choice(("138", "139", "136", "158", "186", "189", "177")) + "".join(
            str(rng.randrange(10)) for _ in range(8)
        )
        if number not in used:
            used.add(number)
            return number


def _shift(rng: random.Random) -> dict[str, list[list[str]]]:
    """Most engineers work weekdays 8:30-17:30; some cover Saturday, a few start late."""
    start, end = rng.choice((("08:30", "17:30"), ("08:00", "17:00"), ("10:00", "19:00")))
    days = ["mon", "tue", "wed", "thu", "fri"]
    if rng.random() < 0.3:
        days.append("sat")
    return {
        d: ([[start, end]] if d in days else [])
        for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    }


def generate(
    seed: int = 20261123, *, technicians: int = 40, customers: int = 400
) -> tuple[list[DemoTechnician], list[DemoCustomer]]:
    rng = random.Random(seed)
    phones: set[str] = set()
    weights = [d.weight for d in DISTRICTS]
    skill_codes = [code for code, _, _ in SKILLS]

    techs: list[DemoTechnician] = []
    for n in range(1, technicians + 1):
        district = (
            DISTRICTS[(n - 1) % len(DISTRICTS)]
            if n <= len(DISTRICTS)
            else rng.choices(DISTRICTS, weights)[0]
        )
        lat, lon = _point_in(rng, district)
        # Everyone has a main trade; most have a second, some a third, at lower levels.
        main = skill_codes[(n - 1) % len(skill_codes)]
        others = rng.sample([c for c in skill_codes if c != main], k=rng.choice((0, 1, 1, 2)))
        skills = ((main, rng.choice((3, 4, 4, 5))), *((c, rng.choice((1, 2, 3))) for c in others))
        techs.append(
            DemoTechnician(
                number=n,
                name=_person(rng),
                phone=_mobile(rng, phones),
                district=district.name_zh,
                lat=lat,
                lon=lon,
                skills=skills,
                working_hours=_shift(rng),
                max_jobs_per_day=rng.choice((6, 8, 8, 10)),
            )
        )

    result: list[DemoCustomer] = []
    for n in range(1, customers + 1):
        is_business = rng.random() < 0.55
        tier = "vip" if rng.random() < 0.1 else "standard"
        contact = _person(rng)
        site_count = rng.choice((1, 1, 1, 2, 3)) if is_business else 1
        if is_business:
            prefix = rng.choice(BUSINESS_PREFIX)
            kind_zh, _kind_en, _skills = rng.choice(BUSINESS_KIND)
            name = f"上海{prefix}{kind_zh}有限公司"
            if any(c.name == name for c in result):
                name = f"上海{prefix}{kind_zh}{n}号有限公司"
            email = f"service{n:03d}@customer.demo"
        else:
            name = f"{contact[0]}{rng.choice(('先生', '女士'))}"
            email = f"home{n:03d}@customer.demo" if rng.random() < 0.5 else None
        sites = []
        for s in range(site_count):
            district = rng.choices(DISTRICTS, weights)[0]
            lat, lon = _point_in(rng, district)
            road = rng.choice(district.roads)
            number = rng.randrange(1, 2000)
            unit = (
                f"{rng.randrange(1, 30)}楼"
                if is_business
                else f"{rng.randrange(1, 40)}号{rng.randrange(101, 2403)}室"
            )
            sites.append(
                DemoSite(
                    name=(
                        f"{name.removeprefix('上海').removesuffix('有限公司')}{district.name_zh[:2]}店"
                        if site_count > 1
                        else "主地址"
                    )
                    if is_business
                    else "住宅",
                    address=f"上海市{district.name_zh}{road}{number}号{unit}",
                    district=district.name_zh,
                    lat=lat,
                    lon=lon,
                    access_notes=rng.choice(ACCESS_NOTES),
                )
            )
            del s
        result.append(
            DemoCustomer(
                name=name,
                tier=tier,
                phone=_mobile(rng, phones),
                email=email,
                contact_name=contact,
                sites=tuple(sites),
            )
        )
    return techs, result
