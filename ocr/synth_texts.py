"""Poster copy for the synthetic poster generator (ocr/synth.py).

Invented for admon's tests and benchmarks: every company, person, phone number and address
is made up. `violation` marks the copy that lures the public into illegal fundraising
(非法集资); the others are ordinary notices and lawful ads that share some vocabulary
(anti-fraud warnings, bank deposits with risk disclosure), which is what makes detection hard.
The first line of each text is its headline.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PosterText:
    """One poster's copy: an id, its lines (headline first) and the ground-truth label."""

    id: str
    lines: tuple[str, ...]
    violation: bool

    @property
    def text(self) -> str:
        """The poster text as a reader would transcribe it, one line per printed line."""
        return "\n".join(self.lines)


def _p(pid: str, violation: bool, *lines: str) -> PosterText:
    return PosterText(pid, lines, violation)


POSTER_TEXTS: tuple[PosterText, ...] = (
    # --- illegal-fundraising lures (非法集资广告) ---
    _p(
        "p01",
        True,
        "金穗养老合作社",
        "入社一万元 每月返息三百",
        "保本保息 随时可退",
        "咨询电话 139-0000-4127",
    ),
    _p("p02", True, "鼎盛财富 新春理财", "年化收益18%", "本金由集团全额担保", "名额有限 先到先得"),
    _p(
        "p03",
        True,
        "共享充电宝 认购火热进行中",
        "投一台设备 日赚二十元",
        "三个月回本 躺着收钱",
        "推荐好友再送百分之五",
    ),
    _p("p04", True, "数字藏品首发", "限量认购 稳赚不赔", "上线即翻倍", "扫码进群 领取内部名额"),
    _p(
        "p05",
        True,
        "黄金租赁计划",
        "存金一克 每月返现八元",
        "到期原价回购 零风险",
        "地址：新民路88号二楼",
    ),
    _p(
        "p06",
        True,
        "原始股内部认购",
        "明年主板上市 预计翻十倍",
        "教授亲自讲解 机会难得",
        "认购热线 137-0000-2290",
    ),
    _p(
        "p07",
        True,
        "康乐园 以房养老",
        "房产抵押 月领养老金五千",
        "银行托管 安全放心",
        "老年朋友欢迎来电",
    ),
    _p(
        "p08",
        True,
        "消费全返 越买越赚",
        "消费一千元 返还一千二",
        "分十二个月到账",
        "推荐会员另有奖励",
    ),
    _p(
        "p09",
        True,
        "金融互助社 招募会员",
        "互助一千 十天收益百分之三十",
        "拉新一人奖励两百",
        "每周三晚八点线上说明会",
    ),
    _p(
        "p10",
        True,
        "海景公寓 售后返租",
        "年租金回报百分之十二",
        "十年包租 开发商兜底",
        "售楼处：滨江大道1号",
    ),
    _p(
        "p11",
        True,
        "外汇跟单 专家带队",
        "月收益稳定在百分之十五",
        "亏损由平台补偿",
        "微信搜索 汇盈学院",
    ),
    _p(
        "p12",
        True,
        "茶园认养项目",
        "认养一亩 每年分红六千",
        "签订合同 保证收益",
        "茶山实地考察 车费全包",
    ),
    _p(
        "p13",
        True,
        "区块链矿机托管",
        "一台矿机 日产零点五币",
        "一年回本 五年躺赚",
        "首批仅限一百台",
    ),
    _p(
        "p14",
        True,
        "预付卡充值大酬宾",
        "充一万送三千 每月再返息",
        "余额随时可退现",
        "会员热线 136-0000-5518",
    ),
    _p(
        "p15",
        True,
        "新能源项目众筹",
        "起投五千元 月息二分",
        "政府扶持项目 稳赚",
        "老会员带新人奖励百分之三",
    ),
    _p(
        "p16",
        True,
        "私募基金 公开募集",
        "门槛低至一万元",
        "预期年化百分之二十四",
        "保本承诺 签约即生效",
    ),
    _p(
        "p17",
        True,
        "乡村振兴扶贫基金",
        "投一份三千元 年底分红一千",
        "名人代言 央视报道",
        "联系人 王经理",
    ),
    _p(
        "p18",
        True,
        "养生会馆 储值返利",
        "储值两万 每月返八百",
        "一年后本金全退",
        "会馆地址 长安里六号",
    ),
    _p(
        "p19",
        True,
        "期货保证金 十倍杠杆",
        "老师带单 胜率百分之九十",
        "日收益百分之三",
        "加群免费体验三天",
    ),
    _p(
        "p20",
        True,
        "共享单车投资加盟",
        "每辆车投入一千元",
        "日返十元 永久分红",
        "平台上市后股权翻倍",
    ),
    # --- ordinary notices and lawful ads (正常告示与合法广告) ---
    _p(
        "n01",
        False,
        "防范非法集资 守护钱袋子",
        "高息承诺就是陷阱",
        "保本保息往往是骗局",
        "发现线索请拨打12345",
    ),
    _p("n02", False, "小区停水通知", "因管道维修 本周六上午停水", "八点至十二点", "请居民提前储水"),
    _p("n03", False, "社区义诊活动", "本周日上午在社区广场", "免费测量血压血糖", "欢迎居民参加"),
    _p(
        "n04",
        False,
        "电梯年检公告",
        "三号楼电梯将于周二年检",
        "检验期间暂停使用",
        "给您带来不便敬请谅解",
    ),
    _p(
        "n05",
        False,
        "家政服务 诚信上门",
        "保洁 搬家 家电清洗",
        "价格透明 当面结算",
        "预约电话 135-0000-8836",
    ),
    _p(
        "n06",
        False,
        "银行定期存款",
        "三年期年利率以柜台公告为准",
        "存款保险依法保障",
        "理财非存款 投资需谨慎",
    ),
    _p(
        "n07",
        False,
        "垃圾分类 从我做起",
        "厨余垃圾请沥干后投放",
        "可回收物放入蓝色桶",
        "有害垃圾单独投放",
    ),
    _p(
        "n08",
        False,
        "老年大学春季招生",
        "书法 合唱 太极拳",
        "报名时间三月一日起",
        "地点：街道文化站",
    ),
    _p("n09", False, "消防安全提示", "楼道严禁堆放杂物", "电动车不得入户充电", "火警电话119"),
    _p(
        "n10", False, "社区图书室开放", "每周二至周日开放", "上午九点至下午五点", "凭居民卡免费借阅"
    ),
    _p(
        "n11",
        False,
        "警惕养老诈骗",
        "以房养老 高额返利",
        "都是不法分子的话术",
        "有疑问请咨询社区民警",
    ),
    _p(
        "n12",
        False,
        "新店开业 全场九折",
        "鲜榨果汁 手工面包",
        "开业前三天买一送一",
        "地址：和平街21号",
    ),
    _p(
        "n13",
        False,
        "疫苗接种通知",
        "六十岁以上老人可预约",
        "携带身份证和医保卡",
        "地点：社区卫生服务站",
    ),
    _p(
        "n14",
        False,
        "物业缴费提醒",
        "本年度物业费请于月底前缴纳",
        "可在物业服务中心办理",
        "服务电话 0571-0000-6620",
    ),
    _p(
        "n15",
        False,
        "旧衣回收 爱心捐赠",
        "干净衣物可投入回收箱",
        "所得用于公益助学",
        "感谢您的爱心",
    ),
)
