"""Return claims stated in money rather than percentages (金额型收益承诺).

投1万每月返800 → 96; 入股5000元，每年保底分红1000元 → 20; 去年每份分了四千 (on 一万) → 40;
每股一万元，周期半年，到期拿回一万三 → 60; 6个月2800→3500 → 50; 一年内涨到5倍 → 400;
三年后以1.5倍价格回购 → 16.7. A principal, a payout or maturity amount and a period are
found separately and combined; ``ReturnExtractor`` (rules.returns) builds on this class.
"""

from __future__ import annotations

import re

from rules.lexicon import ReturnCues
from rules.numbers import AMT, CN_DIGITS, COUNT, NUM, parse_amount, parse_number
from rules.rates import (
    NUMSTART,
    PERIOD,
    SENTENCE_STOP,
    STOP,
    UNIT,
    UNITS,
    RateClaim,
    alt,
    per_year_of,
)

# Word lists a construction and its cheap gate share, so the two cannot drift apart.
#: income nouns after an amount (三十块的利息, 800元分红)
_INCOME_NOUN = "利息|收益|分红|回报|收入|利润|红利|补贴|零花钱"
#: what follows a duration before the money (7天就能赚70元); `*` covers 就能, 稳稳
_DURATION_MOD = "内|后|就|即可|可|能|稳|共|累计"
#: earning verbs between the duration and the money
_EARN_VERB = "赚|收益|回报|利息|返|拿|得|获利|盈利|分红|到手|收入|进账|给你|给您"

# Gates: words one of which a construction needs in its window. A regex search over the
# window is one C call; ``any(w in win for w in words)`` is a Python step per word.
#: the floor / income-first payout constructions
_FLOOR_OR_INCOME = re.compile(
    "不少于|不低于|至少|保底|最低|起码|稳拿|稳定|利息|收益|分红|回报|收入|利润")

#: the period-income construction (月纯收益6000元)
_INCOME_WORDS = re.compile("收益|收入|利润|回报|分红|租金|分润|返利|利息|返现|净利|纯利")
#: the unit-income construction (亩均纯利1500元)
_PER_UNIT = re.compile("均|每亩|每头|每棵|每株|每台|单台|每套")
#: the term-payout construction (支付红利人民币三千六百元)
_PAID = re.compile("支付|派发|发放|给付|兑付")


#: the money-term-money-back construction (20天后可获得1.3万元) needs one of these
_TERM_BACK_GATE = re.compile("获得|拿到|收到|领取|返还|得到|到手|拿回")
#: how many of a past period (上个月 … 现在值) make a year
_THEN_NOW = {"上个月": 12.0, "上月": 12.0, "上周": 52.0, "去年": 1.0, "昨天": 365.0, "前天": 182.5}
#: periods of the period-income construction (月纯收益, 季度收益), per year
_PER_YEAR = {"日": 365.0, "月": 12.0, "年": 1.0, "周": 52.0, "季": 4.0, "季度": 4.0}
#: After an amount without a currency word: not a quantity of goods (每月配送鲜奶20升).
_NOT_QUANTITY = ("(?![\\d.,零〇一二两三四五六七八九十百千万点]"
                 "|[升斤克个只头箱袋瓶盒件次条吨公枚份套台])")


class AmountClaims:
    """Money-based constructions; the regexes are compiled once per lexicon."""

    def __init__(self, cues: ReturnCues) -> None:
        self.cues = cues
        self._before_after = re.compile(
            rf"{NUMSTART}(?P<n>{COUNT})(?P<u>{UNIT})[^\d{SENTENCE_STOP}]{{0,6}}?(?P<a1>{AMT})"
            rf"(?:给你|给您|就|能|可以|会|就能)?(?:→|变成|变为|变|涨到|涨至|升至|升到)(?P<a2>{AMT})"
        )
        money = (rf"(?:[{CN_DIGITS}]+万[{CN_DIGITS}]+(?![万元])"
                 rf"|(?:\d+(?:,\d{{3}})*(?:\.\d+)?|[{CN_DIGITS}万]+)(?:万元|万块|万|千元|元|块钱|块))")
        verbs = alt(cues.principal_verbs)
        unit_words = (r"(?:每股|每份|一股|一份|每只|每台|每头|每个|每套|每单|售价|仅需|只需|单价"
                      r"|车价|机价|设备价|每单位|每份额|每棵|每株|每亩|每间"
                      r"|价格|认购价|认养价|认领价|认筹价"
                      r"|每[坛瓶罐箱盒克斤件桶枚块张]|原价)"
                      r"(?:认购价|售价|价格|单价)?")
        # 每亩种植成本2000元: what one unit costs, named with a few characters between
        unit_cost = r"(?:认购价|售价|价格|单价|认领费|认养费|托管费|费用|价|成本|投入|投资)"
        self._principal = re.compile(
            rf"(?:{verbs}(?:(?:{COUNT}(?:年|个月|天|期))?[^\d{STOP}]{{0,8}}?(?P<p2>{money})"
            rf"|(?P<p1>{AMT}))"
            rf"|{unit_words}(?:[\u4e00-\u9fff]{{0,4}}?{unit_cost})?"
            rf"(?:为|是|仅|只需|仅需)?(?:人民币)?[(（]?(?P<p3>{AMT})|(?P<p4>{money})(?:一|1|每)(?:股|份|瓶|件|只|套|台|头|亩|盒|箱|克)"
            rf"|每(?P<p5>[\d一二两三四五六七八九十]*[万千百]元?)"
            rf"|(?:一|每)(?:个(?![月星])|间|套|台|股|份|亩|棵|头|只|株|单|位)"
            rf"[^\d{STOP}]{{0,6}}?(?P<p6>{money})"
            # 3000元档位日分润40元: a tier named by its amount
            rf"|(?P<p7>{money})(?:的)?(?:档位|档|套餐|级别|等级)"
            # 一万块一个月挣一百五: the money, then straight away the period it earns over
            rf"|(?P<p8>{money})(?=一个月|一天|一年|一周|每个?月|每天|每年|每周))"
        )
        mods = (r"(?:都|就|可|能|可以|稳定|固定|准时|按时|还|再|保底|自动|额外|另外|另|可获"
                r"|享受?|给您?|给你)*")
        self._payout = re.compile(
            rf"{PERIOD}(?:[^\d{STOP}]{{0,4}}?){mods}{alt(cues.payout_verbs)}(?:[^\d{STOP}]{{0,8}}?)"
            rf"(?P<a>{AMT}){_NOT_QUANTITY}"
        )
        # 一天就有三十块的利息 / 年底按每份800元分红: the amount before the income word
        self._payout_before = re.compile(
            rf"{PERIOD}(?:[^\d{STOP}]{{0,4}}?)(?:就|能|可|都|稳定|固定|还|按)*(?:有|能有|拿|领|分|得)?"
            rf"(?:每份|每股|每人)?(?P<a>{AMT})(?:的)?(?:{_INCOME_NOUN})"
        )
        # 投资1000元，7天赚70元: money earned over a stated duration on the principal before it
        self._duration_money = re.compile(
            rf"{NUMSTART}(?P<n>{COUNT})(?P<u>{UNIT})(?:{_DURATION_MOD})*"
            rf"(?:{_EARN_VERB})了?"
            rf"(?:约|近|超|有|到)?(?P<a>{AMT})"
        )
        # 每季度不少于3000元 / 利息一年一万五: a floor after the period, or the income word first
        self._payout_floor = re.compile(
            rf"{PERIOD}[^\d{STOP}]{{0,4}}?(?:不少于|不低于|至少|保底|最低|起码|稳拿|稳定)(?P<a>{AMT})"
        )
        self._income_first = re.compile(
            rf"(?:利息|收益|分红|回报|收入|利润)(?:是|为|有)?{PERIOD}(?:就|能|可|约|有)?(?P<a>{AMT})"
        )
        # 每天转发三条广告，每条返2元: so many tasks a period, a payout per task
        self._per_task = re.compile(
            rf"{PERIOD}[^\d{STOP}]{{0,6}}?(?P<k>{NUM})(?:条|单|次|个|篇|件|局)[^{SENTENCE_STOP}]{{0,10}}?"
            rf"每(?:条|单|次|个|篇|件|局)(?:都)?(?:返|赚|得|奖励|佣金|给|拿|收益)(?:是)?(?P<a>{AMT})"
        )
        # 每亩种植成本2000元…亩均纯利1500元: a unit's yearly profit on the unit's cost
        self._unit_income = re.compile(
            rf"(?:每亩|亩均|每头|头均|每棵|每株|每台|台均|单台|每套|每间|每份|每股)(?:年)?"
            rf"(?:纯利润?|净利润?|利润|收益|纯收入|净收入|年收益|分红)(?:约|达|可达|高达|超|有)?(?P<a>{AMT})"
        )
        # Cheap gates (a character class first, so the engine skips ahead): the two
        # constructions above run only where their tail occurs, not at every numeral.
        self._payout_before_gate = re.compile(
            rf"[\d元块万千百](?:的)?(?:{_INCOME_NOUN})")
        self._duration_money_gate = re.compile(
            rf"[天日周月年](?:{_DURATION_MOD})*(?:{_EARN_VERB})了?[\d一二两三四五六七八九十百千万]")
        # 一个月给你一千五，十万起: the minimum stake named right after the payout
        self._min_stake = re.compile(rf"(?P<p>{money})起(?:投|步|存|购|借)?")
        # 一万块一个月挣一百五: the money standing right before the period word
        self._money_tail = re.compile(rf"(?P<p>{money})\Z")
        self._growth = re.compile(
            rf"{NUMSTART}(?P<n>{COUNT})(?P<u>{UNIT})(?:内|后)?[^\d{STOP}]{{0,10}}?"
            rf"(?:涨到|涨至|变成|达到|升至|增长到|升到)[^\d{STOP}]{{0,6}}?(?P<k>{NUM})倍"
        )
        self._principal_named = re.compile(
            rf"(?:本金|本钱|投资额|车价|设备价|机价)(?:为|是)?(?P<p>{money})")
        # 月纯收益6000元: the period is the first character of the income word
        self._period_income = re.compile(
            rf"(?<![个\d一二三四五六七八九十两半])(?P<per>[日月年周]|季度?)(?:纯|净|均|稳定|固定|保底)*"
            rf"(?:收益|收入|利润|回报|分红|租金|分润|返利|利息|返现|利)"
            rf"(?:约|达|高达|可达|超|有|保底|不低于|不少于|预计|预期|能|可)*"
            rf"(?P<a>{AMT})"
        )
        # 这个月又进账了8600 (on 本金5万): this month's payout, the principal before or after
        self._month_income = re.compile(
            rf"(?:这个月|本月|上个月|上月)(?:又|共|一共|就)?(?:进账|到账|入账|赚|收入|拿|领)了?(?P<a>{AMT})"
        )
        # 我上个月换的1万积分现在值1.3万了: a past buy-in and what it is worth now
        self._then_now = re.compile(
            rf"(?P<when>上个月|上月|上周|去年|昨天|前天)[^\d{STOP}]{{0,6}}?(?P<a1>{AMT})[^\d{STOP}]{{0,6}}?"
            rf"(?:现在|如今|已经|今天)(?:值|涨到|变成|涨成)了?(?P<a2>{AMT})"
        )
        self._past_payout = re.compile(
            rf"(?:去年|上年|今年|上一年|年底|年终)(?:每份|每股|每户|每人|每位|每家)?"
            rf"(?:分到|分了|领了|拿了|分得|分红|领到|拿到|赚了)(?P<a>{AMT})"
        )
        self._maturity = re.compile(
            rf"(?:返还|退还|拿回|收回|兑付|到手|回购|回收|领回|取回|得到|拿到|领到|到期还|期满还|返|退|拿)"
            rf"(?:现金)?(?:共|合计)?"
            rf"(?P<a>{money})|[以按](?:每[\u4e00-\u9fff])?(?P<a2>{money})(?:的价格)?(?:回购|回收|收回)"
            # 15年后林木采伐收益预计每亩3.6万元: what the stake yields (or is worth) at term
            rf"|(?:收益|价值|可得|可获)(?:预计|约|可达|高达|达到?|为)*(?:每亩|每棵|每头|每份|每股)?"
            rf"(?P<a3>{money})"
        )
        self._term = re.compile(
            rf"(?:周期|期限|为期|锁定期|借期|存期|投资期|合同期)(?:为|是)?(?P<n>{COUNT})(?P<u>{UNIT})"
            rf"|{NUMSTART}(?P<n2>{COUNT})(?P<u2>{UNIT})[^\d{SENTENCE_STOP}]{{0,4}}?"
            rf"(?:后|期满|到期|内|出栏|出局|结束|为一期)"
        )
        self._multiple_buyback = re.compile(
            rf"(?:以|按)(?:购入价|购买价|买入价|原价|本金|认购价|买价)?的?(?P<k>{NUM})倍(?:的)?"
            rf"(?:价格|价|原价|购买价)?(?:回购|回收|收回)"
            rf"|(?:本金|投资额|购买价|本钱)的(?P<k2>{NUM})倍"
        )
        # 投一千返一千五，十天出局 / 存1万到期拿回1.2万，为期半年: the money put in and the money
        # promised back, with the period stated right after (互助盘 "出局" wording included).
        self._swap = re.compile(
            rf"(?:投|投入|投资|存|存入|入金|放|交|充值|充|捐|付)(?P<a1>{AMT})[^\d{STOP}]{{0,3}}?"
            rf"(?:[，,]?(?P<gap>次日|隔日|隔天|第二天|明天|明日))?"
            rf"(?:返还|返|回|还|拿回|拿|得|赚到|到手|变成)(?P<a2>{AMT})"
        )
        self._swap_term = re.compile(
            rf"(?:进|投|存|入|充|打|提供帮助|捐助|付出|排单|打款)(?P<a1>{AMT})[，,]?(?P<n>{COUNT})(?P<u>{UNIT})"
            rf"(?:后|就|即可|能|可)*"
            rf"(?:出|拿|返|提|取|回|收|获得帮助|接受帮助|获得|收到|领取|得到)(?P<a2>{AMT})"
        )
        self._bonus = re.compile(
            rf"(?:返还|退还|退回|归还)[^\d{STOP}]{{0,6}}?(?:并|另|再|且|还)(?:额外|另外)?"
            rf"(?:奖励|补贴|赠送|多给|加送|分红|给|支付|付)(?P<a>{AMT})"
        )
        # 您的1万元已排单成功，20天后可获得1.3万元: the money, a term, the money back
        self._swap_term_back = re.compile(
            rf"{NUMSTART}(?P<a1>{AMT})[^\d{STOP}]{{0,6}}?[，,]?{NUMSTART}(?P<n>{COUNT})(?P<u>{UNIT})(?:后|到期)"
            rf"(?:可|能|即可|就能|就可)?(?:获得帮助|获得|拿到|收到|领取|返还|得到|到手|拿回)(?P<a2>{AMT})"
        )
        self._term_after = re.compile(
            rf"{NUMSTART}(?P<n>{COUNT})(?P<u>{UNIT})(?:出局|回本|到期|结束|期满|后|内|一期|一轮)?"
        )
        # 投1万元，10天一期，每期返1500元: a payout per stated cycle (期/轮), the cycle's length
        # given nearby
        self._cycle = re.compile(
            rf"{NUMSTART}(?P<n>{COUNT})(?P<u>{UNIT})(?:为|一)(?:期|轮|个周期)"
            rf"|(?:每期|一期|每轮|一轮|周期|每个周期)(?:为|是|仅|只有)?(?P<n2>{COUNT})(?P<u2>{UNIT})"
        )
        self._cycle_payout = re.compile(
            rf"(?:每期|每轮|一期|每个周期|每周期)[^\d{STOP}]{{0,4}}?{mods}{alt(cues.payout_verbs)}"
            rf"[^\d{STOP}]{{0,6}}?(?P<a>{AMT})"
        )
        # 认购满十二个月后，公司将…支付红利人民币三千六百元: a payout after a stated term
        self._term_payout = re.compile(
            rf"(?:支付|派发|发放|给付|兑付)(?:红利|利息|收益|分红|回报|奖励)(?:人民币)?(?P<a>{AMT})"
        )

    def _per_year(self, count: str | None, unit: str | None) -> float | None:
        if not count or not unit:
            return None
        n = parse_number(count)
        if n is None or n <= 0:
            return None
        return self.cues.periods.get(UNITS[unit], 1.0) / n

    def _term_before(self, text: str, pos: int) -> float:
        """Periods per year of the last term (一年后, 周期半年) shortly before ``pos``; 1."""
        terms = list(self._term.finditer(text, max(0, pos - 30), pos))
        if not terms:
            return 1.0
        t = terms[-1]
        return self._per_year(t.group("n") or t.group("n2"), t.group("u") or t.group("u2")) or 1.0

    def _before_after_claims(self, text: str, lo: int, hi: int) -> list[RateClaim]:
        """6个月2800→3500 → 50."""
        out = []
        for m in self._before_after.finditer(text, lo, hi):
            per_year = self._per_year(m.group("n"), m.group("u"))
            a1, a2 = parse_amount(m.group("a1")), parse_amount(m.group("a2"))
            if per_year and a1 and a2 and a2 > a1:
                out.append(RateClaim(m.start(), m.end(), (a2 - a1) / a1 * 100 * per_year,
                                     "before_after"))
        return out

    def _growth_claims(self, text: str, lo: int, hi: int) -> list[RateClaim]:
        """一年内价值涨到5倍 → 400; 三年后以1.5倍价格回购 → 16.7."""
        out = []
        for m in self._multiple_buyback.finditer(text, lo, hi):
            k = parse_number(m.group("k") or m.group("k2"))
            if k and k > 1:
                out.append(RateClaim(m.start(), m.end(),
                                     (k - 1) * 100 * self._term_before(text, m.start()),
                                     "buyback"))
        for m in self._growth.finditer(text, lo, hi):
            growth = self._per_year(m.group("n"), m.group("u"))
            k = parse_number(m.group("k"))
            if growth and k and k > 1:
                out.append(RateClaim(m.start(), m.end(), (k - 1) * 100 * growth, "growth"))
        return out

    def _last_principal(self, text: str, lo: int, hi: int) -> tuple[int, float] | None:
        found = None
        for m in self._principal.finditer(text, lo, hi):
            token = (m.group("p1") or m.group("p2") or m.group("p3") or m.group("p4")
                     or m.group("p5") or m.group("p6") or m.group("p7") or m.group("p8"))
            if token and token[0] in "万千百":  # 每万元 = per 10,000 yuan
                token = "一" + token
            value = parse_amount(token) if token else None
            # a price per share or unit may be small (每股2元); a sum put in is not
            if value and value >= (1 if m.group("p3") else 100):
                found = (m.start(), value)
        return found

    def _stake_before(self, text: str, pos: int) -> tuple[int, float] | None:
        """一万块一个月挣一百五: an amount of money ending right where the period starts."""
        m = self._money_tail.search(text, max(0, pos - 12), pos)
        value = parse_amount(m.group("p")) if m else None
        return (m.start(), value) if m and value and value >= 100 else None

    def _stake_after(self, text: str, pos: int) -> tuple[int, float] | None:
        """一个月给你一千五，十万起: a minimum stake (N起) within a clause or two after."""
        m = self._min_stake.search(text, pos, min(len(text), pos + 12))
        value = parse_amount(m.group("p")) if m else None
        return (pos, value) if m and value and value >= 100 else None

    def _principal_after(self, text: str, lo: int, hi: int) -> tuple[int, float] | None:
        """到期本息合计返还11200元（本金10000元）: the principal named after the payout."""
        m = self._principal_named.search(text, lo, hi)
        value = parse_amount(m.group("p")) if m else None
        return (lo, value) if m and value and value >= 100 else None

    def _payout_claims(self, text: str, lo: int, hi: int) -> list[RateClaim]:
        """投1万每月返800 → 96; 入股5000元，每年保底分红1000元 → 20; 去年每份分了四千 → 40."""
        out = []
        win = text[lo:hi]
        payouts = list(self._payout.finditer(text, lo, hi))
        if _FLOOR_OR_INCOME.search(win):
            payouts.extend(self._payout_floor.finditer(text, lo, hi))
            payouts.extend(self._income_first.finditer(text, lo, hi))
        if self._payout_before_gate.search(text, lo, hi):
            payouts.extend(self._payout_before.finditer(text, lo, hi))
        for m in payouts:
            principal = (self._last_principal(text, max(0, m.start() - 40), m.start())
                         or self._stake_after(text, m.end()) or self._stake_before(text, m.start())
                         or self._principal_after(text, m.end(), min(len(text), m.end() + 12)))
            a = parse_amount(m.group("a"))
            if (principal is not None and a and m.group("per") == "年底"
                    and principal[1] < a < 3 * principal[1]):
                a -= principal[1]  # 存十万，年底拿十二万: the total back, not the income
            if principal is None or not a or a >= principal[1]:
                continue
            per_year = per_year_of(m.group("per"))
            out.append(RateClaim(principal[0], m.end(), a / principal[1] * 100 * per_year,
                                 "payout", m.start()))
        income = _INCOME_WORDS.search(win) is not None
        for m in (self._period_income.finditer(text, lo, hi) if income else ()):
            principal = (self._last_principal(text, max(0, m.start() - 40), m.start())
                         or self._principal_after(text, m.end(), min(len(text), m.end() + 12)))
            a = parse_amount(m.group("a"))
            # a year's income may exceed the stake (年净利30万 on 总投资12万); a day's may not
            cap = 5.0 if m.group("per") == "年" else 1.0
            if principal is None or not a or a >= cap * principal[1]:
                continue
            per_year = _PER_YEAR[m.group("per")]
            out.append(RateClaim(principal[0], m.end(), a / principal[1] * 100 * per_year,
                                 "payout", m.start()))
        if _PER_UNIT.search(win):
            for m in self._unit_income.finditer(text, lo, hi):
                principal = self._last_principal(text, max(0, m.start() - 50), m.start())
                a = parse_amount(m.group("a"))
                if principal is not None and a and a < principal[1]:
                    out.append(RateClaim(principal[0], m.end(), a / principal[1] * 100, "payout",
                                         m.start()))
        paid = _PAID.search(win) is not None
        for m in (self._term_payout.finditer(text, lo, hi) if paid else ()):
            back = max(0, m.start() - 60)
            terms = list(self._term.finditer(text, back, m.start()))
            principal = self._last_principal(text, back, m.start())
            a = parse_amount(m.group("a"))
            if not terms or principal is None or not a or a >= principal[1]:
                continue
            t = terms[-1]
            term = self._per_year(t.group("n") or t.group("n2"), t.group("u") or t.group("u2"))
            if term:
                out.append(RateClaim(principal[0], m.end(), a / principal[1] * 100 * term,
                                     "payout", m.start()))
        if "期" in win or "轮" in win:
            out.extend(self._cycle_claims(text, lo, hi))
        for m in (self._per_task.finditer(text, lo, hi) if "每" in win else ()):
            principal = self._last_principal(text, max(0, m.start() - 40), m.start())
            k, a = parse_number(m.group("k")), parse_amount(m.group("a"))
            if principal is not None and k and a and k * a < principal[1]:
                out.append(RateClaim(principal[0], m.end(),
                                     k * a / principal[1] * 100 * per_year_of(m.group("per")),
                                     "payout", m.start()))
        gated = self._duration_money_gate.search(text, lo, hi) is not None
        for m in (self._duration_money.finditer(text, lo, hi) if gated else ()):
            principal = self._last_principal(text, max(0, m.start() - 40), m.start())
            times = self._per_year(m.group("n"), m.group("u"))
            a = parse_amount(m.group("a"))
            if principal is not None and times and a and a < principal[1]:
                out.append(RateClaim(principal[0], m.end(), a / principal[1] * 100 * times,
                                     "payout", m.start()))
        for m in (self._month_income.finditer(text, lo, hi) if "月" in win else ()):
            principal = (self._last_principal(text, max(0, m.start() - 40), m.start())
                         or self._principal_after(text, m.end(), min(len(text), m.end() + 24)))
            a = parse_amount(m.group("a"))
            if principal is not None and a and a < principal[1]:
                out.append(RateClaim(principal[0], m.end(), a / principal[1] * 1200, "payout",
                                     m.start()))
        for m in (self._then_now.finditer(text, lo, hi) if "现在" in win or "如今" in win
                  or "已经" in win or "今天" in win else ()):
            a1, a2 = parse_amount(m.group("a1")), parse_amount(m.group("a2"))
            times = _THEN_NOW[m.group("when")]
            if a1 and a2 and a1 < a2 < 20 * a1:
                out.append(RateClaim(m.start(), m.end(), (a2 - a1) / a1 * 100 * times, "growth"))
        for m in self._past_payout.finditer(text, lo, hi):
            principal = self._last_principal(text, max(0, m.start() - 60), m.start())
            a = parse_amount(m.group("a"))
            if principal is not None and a and a < principal[1]:
                out.append(RateClaim(principal[0], m.end(), a / principal[1] * 100, "payout",
                                     m.start()))
        return out

    def _cycle_claims(self, text: str, lo: int, hi: int) -> list[RateClaim]:
        """投1万元，10天一期，每期返1500元 → 547.5: payout per cycle over the principal."""
        out = []
        for m in self._cycle_payout.finditer(text, lo, hi):
            near = max(0, m.start() - 40)
            cycles = list(self._cycle.finditer(text, near, min(len(text), m.end() + 20)))
            principal = self._last_principal(text, max(0, m.start() - 60), m.start())
            a = parse_amount(m.group("a"))
            if not cycles or principal is None or not a or a >= principal[1]:
                continue
            c = cycles[0]
            per_year = self._per_year(c.group("n") or c.group("n2"), c.group("u") or c.group("u2"))
            if per_year:
                out.append(RateClaim(principal[0], m.end(), a / principal[1] * 100 * per_year,
                                     "cycle"))
        return out

    def _swap_claims(self, text: str, lo: int, hi: int) -> list[RateClaim]:
        """投一千返一千五，十天出局 → 1825: in X, back Y, over the period stated next (or
        just before); without a period it is a promise with no rate to annualise.
        进100，十五天后出150 → 1216.7: the period between the two amounts."""
        out = []
        back = (_TERM_BACK_GATE.search(text, lo, hi) is not None
                and ("后" in text[lo:hi] or "到期" in text[lo:hi]))
        for m in [*self._swap_term.finditer(text, lo, hi),
                  *(self._swap_term_back.finditer(text, lo, hi) if back else ())]:
            a1, a2 = parse_amount(m.group("a1")), parse_amount(m.group("a2"))
            times = self._per_year(m.group("n"), m.group("u"))
            if a1 and a2 and times and a1 < a2 < 20 * a1:
                out.append(RateClaim(m.start(), m.end(), (a2 - a1) / a1 * 100 * times, "swap"))
        for m in self._swap.finditer(text, lo, hi):
            a1, a2 = parse_amount(m.group("a1")), parse_amount(m.group("a2"))
            if not a1 or not a2 or not a1 < a2 < 20 * a1:
                continue
            term = self._term_after.search(text, m.end(), min(len(text), m.end() + 8))
            per_year = (365.0 if m.group("gap")  # 充值100元，次日返还110元: one day
                        else self._per_year(term.group("n"), term.group("u")) if term
                        else self._term_before(text, m.start()) if self._term.search(
                            text, max(0, m.start() - 30), m.start()) else None)
            if per_year:
                end = term.end() if term else m.end()
                out.append(RateClaim(m.start(), end, (a2 - a1) / a1 * 100 * per_year, "swap"))
        return out

    def _bonus_claims(self, text: str, lo: int, hi: int) -> list[RateClaim]:
        """养殖120天出栏，返还认养费并额外奖励60元 (on 认养价300元) → 60.8: the money back
        plus a stated extra, over the term before it."""
        out = []
        for m in self._bonus.finditer(text, lo, hi):
            back = max(0, m.start() - 50)
            terms = list(self._term.finditer(text, back, m.start()))
            principal = self._last_principal(text, back, m.start())
            a = parse_amount(m.group("a"))
            if not terms or principal is None or not a or a >= principal[1]:
                continue
            t = terms[-1]
            times = self._per_year(t.group("n") or t.group("n2"), t.group("u") or t.group("u2"))
            if times:
                out.append(RateClaim(principal[0], m.end(), a / principal[1] * 100 * times,
                                     "bonus"))
        return out

    def _maturity_claims(self, text: str, lo: int, hi: int) -> list[RateClaim]:
        """每股一万元，周期半年，到期可拿回一万三 → 60; 存5万元，一年后返还5.6万元 → 12."""
        out = []
        for m in self._maturity.finditer(text, lo, hi):
            a = parse_amount(m.group("a") or m.group("a2") or m.group("a3"))
            back = max(0, m.start() - 50)
            terms = list(self._term.finditer(text, back, m.start()))
            if not a or not terms:
                continue
            t = terms[-1]
            principal = (self._last_principal(text, back, t.start())
                         or self._last_principal(text, back, m.start())
                         or self._principal_after(text, m.end(), min(len(text), m.end() + 16)))
            per_year = self._per_year(t.group("n") or t.group("n2"), t.group("u") or t.group("u2"))
            if principal and per_year and principal[1] < a < 20 * principal[1]:
                out.append(RateClaim(principal[0], m.end(),
                                     (a - principal[1]) / principal[1] * 100 * per_year,
                                     "maturity"))
        return out
