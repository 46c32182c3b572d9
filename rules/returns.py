"""Return claims (收益承诺) found in text and annualised as a simple rate in percent.

Conventions (legal-basis.md §3.5, corpus README):

* 年化8.5% → 8.5; 月息2% → 24; 周返1% → 52; 日息1% → 365 (simple, not compounded);
* 百分之 / 千分之 / 万分之: 日息千分之三 → 109.5, 日息万分之五 → 18.25;
* 分/厘 after an interest word: one 分 is 10 % a year, 1 % a month, 0.1 % a day, and a 厘 is
  a tenth of a 分 (月息2分 → 24, 月息2分5 → 30, 月息一分五 → 18);
* a percentage after a return word with no period counts as annual (收益高达30% → 30);
* a percentage over a stated duration (15天收益30% → 730), payback (三个月回本 → 400),
  multiplication (一年翻倍 → 100; 两年翻10倍 = +900 % → 450), before → after amounts
  (6个月2800→3500 → 50), principal and periodic payout (投1万每月返800 → 96), principal,
  term and maturity amount (每股一万元，周期半年，到期拿回一万三 → 60);
* ranges count at the high end (8%-12% → 12).

A claim next to loan, salary, discount or price-move words (贷款月息低至3厘, 月薪, 打8折,
股价涨了5%) is not an investment return and is dropped. Rate kinds are code (here, in
rules.amounts for money-based constructions and rules.rates for the shared value
patterns); the words they use come from returns.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from rules.amounts import AmountClaims
from rules.lexicon import ReturnCues
from rules.numbers import AMT, COUNT, NUM, parse_amount, parse_number
from rules.rates import (
    CLAUSE_TAIL,
    FEN,
    GAIN_WORDS,
    NUMSTART,
    PCT,
    PERIOD,
    SENTENCE_HEAD,
    SENTENCE_STOP,
    SENTENCE_TAIL,
    STOP,
    UNIT,
    RateClaim,
    alt,
    fen_value,
    pct_value,
    per_year_of,
)

# Every return construction contains one of these; patterns run only near them.
_TRIGGER = re.compile(
    r"[%→倍翻]|分之|回本|收回|个月|个点|\dw(?![a-z])|分了\d|分红\d"
    r"|[元块万分厘成天日周月年](?<=[\d一二两三四五六七八九十半百千万][元块万分厘成天日周月年])"
)
_BEFORE, _AFTER = 45, 40
# Above this (percent a year) a "rate" is a misread number, not a claim (百倍币 is 10,000).
_MAX_RATE = 100_000.0
# ... and one of these near the trigger (月薪6000元 and 2026年5月 are not returns).
_RETURN_WORDS = (
    "息", "利率", "利润", "利息", "年利", "月利", "日利", "年化", "月化", "日化",
    "收益", "回报", "返", "分红", "赚", "回本", "翻", "倍", "增值", "涨",
    "拿", "领", "到手", "补贴", "奖励", "溢价", "升值", "回购", "回收", "收回",
    "退还", "赠", "兑付", "产出", "释放", "→", "给您", "给你", "发放", "到账",
    "获得", "获利", "分得", "分到", "分了", "分成", "保底", "分配", "多拿", "另付", "得到",
    "到期还",
    "还本",
    "每年分", "每月分", "每天分", "年底分", "现金", "利钱", "个点", "后出", "后拿",
    "净收入", "纯收入", "均收入", "纯利", "净利", "挣", "打过来", "转过来", "按时打", "按时转",
    "按时给", "进账", "入账", "现在值", "如今值",
)
_NEAR = 30
#: an allocation of an offering (最后一个额度) rather than a credit line
_QUOTA = re.compile("(?:最后|剩余|仅剩|预留|认购|投资|仅有|最后一个)[^，,。]{0,2}额度|额度有限")
#: after a profit word, "的" or 分成 makes the percentage a share of profits, not a rate
_SHARE = re.compile("(?:的|分成|按|提成)+$")
# money handed over as a bare number (捐100得150): the in/out constructions may apply
_SWAP_GATE = re.compile("[投存放交充捐付进入打][\\d零一二两三四五六七八九十]")
# Highest bare number (no %) read as a percentage after a rate word of each period: above
# it the number is an amount or a date (年息7.2 → 7.2 %; 年收益50 is not 50 %).
_BARE_MAX = {"year": 36.0, "month": 5.0, "week": 3.0, "day": 1.0}
# where a percentage can end (18%, 百分之十八, 两成, 3个点), and how far a rate-after
# construction reaches before (a range 8.5%-12.5%, 百分之一百二十) and after (的年化收益率) it
_PCT_MARK = re.compile("%|分之|成|个点")
_PCT_BACK = 24
_PCT_AHEAD = 16
#: Claims read per text. Ordinary pages have a handful; past this the page is a rate table
#: or one ad repeated, and reading on would only cost time (the highest rate so far stands).
MAX_CLAIMS = 2000
_MAX_WINDOW = 2000


def _drop_inside_periods(claims: list[RateClaim]) -> list[RateClaim]:
    """三年升值50% → 16.7, not 50: a bare percentage (read as annual) inside a claim that
    states its own period (duration, term) gives way to it."""
    periods = [c for c in claims if c.kind in ("duration", "term")]
    if not periods:
        return claims
    return [c for c in claims if c.kind != "bare"
            or not any(p.start <= c.start and c.end <= p.end for p in periods)]


class ReturnExtractor(AmountClaims):
    """Finds return claims; built once per lexicon (the regexes are compiled here)."""

    def __init__(self, cues: ReturnCues) -> None:
        super().__init__(cues)
        gap = rf"[^\d{STOP}%]{{0,10}}?"
        self._rate_word = re.compile(
            rf"(?P<w>{alt(cues.rate_words)})(?P<gap>{gap}){NUMSTART}(?P<v>{PCT}|{FEN})"
        )
        self._rate_after = re.compile(
            rf"{NUMSTART}(?P<v>{PCT})(?:的)?"
            rf"(?P<w>{alt(cues.rate_words)}|{alt(cues.return_words)})"
        )
        self._bare = re.compile(
            rf"(?P<w>{alt(cues.return_words)})(?P<gap>[^\d{STOP}%]{{0,8}}?)"
            rf"{NUMSTART}(?P<v>{PCT})"
        )
        self._duration = re.compile(
            rf"{NUMSTART}(?P<n>{COUNT})(?P<u>{UNIT})(?:内|后|期|就|即可|可|能|时间|里|的)*"
            rf"(?:[^\d。！!？?；;\n%]{{0,12}}?){GAIN_WORDS}"
            rf"(?:率)?(?:高达|达到|达|可达|超过|超|约|为|就有|有|能|可|了|即)*"
            rf"{NUMSTART}(?P<v>{PCT})"
        )
        self._term_rate = re.compile(
            rf"(?:期限|周期|为期|投资期|锁定期)(?:为|是|仅|只有)?(?P<n>{COUNT})(?P<u>{UNIT})"
            rf"[^{SENTENCE_STOP}]{{0,14}}?(?:收益率?|回报率?|利率|利息)[^\d{STOP}%]{{0,6}}?"
            rf"{NUMSTART}(?P<v>{PCT})"
        )
        self._payback = re.compile(
            rf"(?:{NUMSTART}(?P<n>{COUNT})(?P<u>{UNIT})(?:内|左右|即可|就能|就可|就|可|能|便|全部)*"
            rf"(?:回本|收回(?:全部|所有)?(?:成本|本金|投资)|回收成本)(?!一大半|一半|大半|一部分)"
            rf"|回本周期(?:仅|只需|只要|为|约|是|短至|不到)*(?P<n2>{COUNT})(?P<u2>{UNIT}))"
        )
        self._doubling = re.compile(
            rf"{NUMSTART}(?P<n>{COUNT})(?P<u>{UNIT})(?:内|后|就|即可|能|可|收益|资产|资金|本金|轻松|直接)*"
            rf"(?:[^\d{STOP}]{{0,2}}[，,]?(?:就|已经|已|都|收益|资金|本金)*)?"
            rf"(?:翻倍|翻一番|翻了?(?:快|近|将近|差不多|整整|足足)?(?:一倍|一番)|翻(?P<k>{NUM})倍|翻(?P<f>{NUM})番)"
        )
        self._periodic_pct = re.compile(
            rf"{PERIOD}(?P<gap>[^\d{STOP}%]{{0,8}}?){NUMSTART}(?P<v>{PCT})"
        )
        self._period_char = re.compile(
            r"(?:(?<![个\d一二三四五六七八九十两半])月|(?<![\d一二三四五六七八九十两半])[日年周])"
            r"(?:纯|净|产出|化|均|度|综合)?(?:收益率?|回报率?|利率|息|返|分红|利润)"
            rf"(?P<gap>[^\d{STOP}%]{{0,8}}?){NUMSTART}(?P<v>{PCT})"
        )
        # 积分每天涨1%: a holding that grows by a rate each period is a return on it
        self._grows = re.compile("涨|增长|上涨|增加")
        self._holding = re.compile("积分|余额|资产|本金|账户|币|算力|份额|金豆|额度")
        self._named_period = re.compile(alt(cues.rate_words))
        # 年息7.2 (no % sign): a bare number right after a rate word, read as a percentage
        self._rate_word_bare = re.compile(
            rf"(?P<w>{alt(cues.rate_words)})(?:为|是|高达|达|约|可达)?"
            r"(?P<v>\d{1,2}(?:\.\d{1,2})?)(?![\d.%万千百元块分厘个wk倍年月天日周期号折])"
        )
        self._return_word_re = re.compile(alt(cues.return_words))
        #: Words that open a window (the matcher's automaton finds them in its one pass over
        #: the page; the regex is the fallback when that list was capped).
        self.returnish_words = tuple(sorted({*_RETURN_WORDS, *cues.return_words}))
        self._returnish = re.compile(alt(self.returnish_words))
        self._return_cue = re.compile(
            alt((*cues.return_words, *cues.payout_verbs, "释放", "增值", "享", "派", "稳", "保底",
                 "固定"))
        )
        self._rate_doubling = re.compile(
            rf"(?P<w>{alt(cues.rate_words)})(?:就|能|可|轻松|直接)*(?:翻倍|翻番|翻一番)"
        )
        # 充值1000元获得2000积分，积分每天释放1%: the rate applies to the credited units, so
        # on the money paid it is multiplied by credited / paid
        self._credit = re.compile(
            rf"(?:充值|投入|存入|购买|买入|入金)(?P<a>{AMT})(?:元)?[^\d{STOP}]{{0,3}}?"
            rf"(?:获得|得到|可得|送|赠送?|到账|兑换)(?P<b>{AMT})(?:积分|算力|币|金豆|点数|个?点)"
        )
        # 每日释放0.5%…享双倍释放: an upgraded rate doubles (or multiplies) the stated one
        self._boost = re.compile(
            r"(?:享|享受|升级|开启|获得|可享)(?P<k>双|两|2|三|3|加)倍(?:释放|收益|返利|分红|利息|回报)"
        )
        self._premium = re.compile(
            rf"(?:加|上浮|溢价|加价|多|高于(?:买入价|购买价|原价|买价|成本价|本金))(?P<v>{PCT})(?:回收|回购|收回|退还|返还|售出|卖出|出售|转让)"
        )
        # borrowing *from* the public (集资) is not a loan product's interest
        self._lender = re.compile(
            "向社会借|诚借|向大家借|向您借|向公众借|借给我们|借款给我们|民间借款|借款人为|借款方为|借款企业"
            # the advertiser needs the money (a business borrowing from the public)
            "|寻资金|需(?:要)?(?:流动)?资金|急需资金|缺资金|求资金|资金合作|急用钱|寻求资金|向村民|向居民"
            "|向亲友|找人借|借我|借给我|借款给(?![您你])|借给(?![您你])|出借人|出借方|出借专区"
            "|向[^,，。！？；\n]{0,6}?(?:员工|亲友|朋友|大家|社会|公众|村民|居民|群众|街坊|乡亲)"
            "|吸收资金|吸收存款|募集资金")
        self._investor_side = re.compile(
            "理财|投资|收益|回报|分红|起投|认购|入股|存入|买入|投入|出借")
        self._exclude_before = re.compile(alt(cues.exclude_before))
        self._exclude_after = re.compile(alt(cues.exclude_after))

    def _excluded(self, text: str, start: int, end: int, clause: bool = False) -> bool:
        """Loan, salary, discount and price-move numbers are not returns. ``clause``: look
        back only to the start of the clause (a payout read against a principal stated
        earlier: 每单提成8% between them is another clause, not this number's context)."""
        lo = max(0, start - 16)
        tail = (CLAUSE_TAIL if clause else SENTENCE_TAIL).search(text, lo, start)
        lo = tail.start() if tail else lo
        found = self._exclude_before.search(text, lo, end)
        # 专属额度待领取：理财年化收益12.8% — an investment word between the loan word and
        # the number makes the number the investor's return again
        if found and found.group() == "额度" and _QUOTA.search(text, max(0, found.start() - 6),
                                                              found.end()):
            found = None  # 最后一个额度: a share of an offering, not a credit line
        if (found and not (found.group().startswith(("借", "贷款"))
                           and self._lender.search(text, lo, end))
                and not self._investor_side.search(text, found.end(), start)):
            return True
        head = SENTENCE_HEAD.match(text, end, min(len(text), end + 8))
        after = self._exclude_after.search(text, end, head.end() if head else end)
        # 出借人专区，年化借款利率10.8%，借款方…: the public lends, the rate is its return
        if after is None:
            return False
        return not (after.group().startswith("借") and self._lender.search(text, lo, end))

    def extract(self, text: str,
                returnish: Sequence[tuple[int, int, str]] | None = None) -> list[RateClaim]:
        """Every return claim in normalised ``text`` (loan/salary/discount numbers dropped).

        ``returnish``: every occurrence of ``returnish_words`` in ``text`` (start, end, word),
        when the caller has found them already (the detector's automaton pass); without it
        a regex finds them.

        Every construction contains a trigger (%, 分之, 回本, 翻, 倍, →, or a number followed
        by a unit such as 元/万/分/厘/成/天/月/年); the patterns run only in windows around
        triggers, so long pages without numbers cost one character-class scan.
        """
        claims: list[RateClaim] = []
        for lo, hi in self._windows(text, returnish):
            claims.extend(self._extract_window(text, lo, hi))
            if len(claims) >= MAX_CLAIMS:
                break  # a rate table, or one ad pasted thousands of times
        valid = [c for c in claims if 0 < c.rate <= _MAX_RATE
                 and not (self._excluded(text, c.anchor, c.end, clause=True) if c.anchor >= 0
                          else self._excluded(text, c.start, c.end))]
        # overlapping readings of one phrase: keep the highest rate, then the tightest span
        # (one sweep over claims sorted by start, so a page full of rates stays linear)
        valid = _drop_inside_periods(valid)
        valid.sort(key=lambda c: c.start)
        kept: list[RateClaim] = []
        cluster: list[RateClaim] = []
        cluster_end = -1
        for c in valid:
            if cluster and c.start >= cluster_end:
                kept.append(min(cluster, key=lambda k: (-k.rate, k.end - k.start)))
                cluster = []
            cluster.append(c)
            cluster_end = max(cluster_end, c.end) if len(cluster) > 1 else c.end
        if cluster:
            kept.append(min(cluster, key=lambda k: (-k.rate, k.end - k.start)))
        return kept

    def _windows(self, text: str, returnish: Sequence[tuple[int, int, str]] | None = None
                 ) -> Iterator[tuple[int, int]]:
        """Windows around triggers that have a return word nearby, merged, in text order.

        Return words are rarer than triggers (dates and prices are everywhere), so the
        search starts from them and looks for a trigger close by. A window stops growing at
        ``_MAX_WINDOW`` characters (the next one overlaps it by a construction's reach), so
        a page that is one long run of claims is still read piece by piece and the caller
        can stop at ``MAX_CLAIMS``.
        """
        size = len(text)
        searched_to = 0
        current: tuple[int, int] | None = None
        spans = (sorted((start, end) for start, end, _ in returnish) if returnish is not None
                 else [m.span() for m in self._returnish.finditer(text)])
        for r_start, r_end in spans:
            lo = max(searched_to, r_start - _NEAR)
            hi = min(size, r_end + _NEAR)
            if lo >= hi:
                continue
            searched_to = hi
            for m in _TRIGGER.finditer(text, lo, hi):
                w_lo, w_hi = max(0, m.start() - _BEFORE), min(size, m.end() + _AFTER)
                if current is not None and w_lo <= current[1]:
                    if w_hi - current[0] <= _MAX_WINDOW:
                        current = (current[0], max(current[1], w_hi))
                        continue
                    yield current
                    current = (max(w_lo, current[1] - _BEFORE - _AFTER), w_hi)
                    continue
                if current is not None:
                    yield current
                current = (w_lo, w_hi)
        if current is not None:
            yield current

    def _extract_window(self, text: str, lo: int, hi: int) -> list[RateClaim]:
        # Cheap substring gates first: a construction whose key character is not in the
        # window cannot match there, and a regex call costs far more than ``in``.
        win = text[lo:hi]
        has_pct = "%" in win or "分之" in win or "成" in win or "个点" in win
        has_money = "元" in win or "万" in win or "块" in win or "w" in win
        claims: list[RateClaim] = []
        if has_pct or "分" in win or "厘" in win:
            claims.extend(self._rate_word_claims(text, lo, hi, has_pct))
        if "息" in win or "化" in win or "利" in win or "收益" in win:
            claims.extend(self._bare_number_claims(text, lo, hi))
        if has_pct:
            claims.extend(self._percentage_claims(text, lo, hi))
            claims.extend(self._pct_claims(text, lo, hi))
        if "回本" in win or "收回" in win or "回收" in win:
            claims.extend(self._payback_claims(text, lo, hi))
        if "翻" in win or "倍" in win:
            for m in self._doubling.finditer(text, lo, hi):
                claims.extend(self._doubling_claim(m))
            claims.extend(self._growth_claims(text, lo, hi))
        if "→" in win or "变" in win or "涨" in win or "升" in win:
            claims.extend(self._before_after_claims(text, lo, hi))
        if has_money or any(ch in win for ch in "百千") or "股" in win or "分了" in win:
            claims.extend(self._payout_claims(text, lo, hi))
        if has_money:
            claims.extend(self._maturity_claims(text, lo, hi))
            claims.extend(self._bonus_claims(text, lo, hi))
        if (has_money or any(ch in win for ch in "百千万") or ("进" in win and "出" in win)
                or _SWAP_GATE.search(win)):
            claims.extend(self._swap_claims(text, lo, hi))
        return claims

    def _rate_word_claims(self, text: str, lo: int, hi: int,
                          has_pct: bool = True) -> list[RateClaim]:
        """年化18% → 18; 月息2分5 → 30; 日息万分之五 → 18.25; 18%年化 → 18."""
        out = []
        periods = self.cues.periods
        for m in self._rate_word.finditer(text, lo, hi):
            period = self.cues.rate_words[m.group("w")]
            raw = m.group("v")
            is_pct = raw.endswith(("%", "个点")) or "分之" in raw
            value = pct_value(raw) if is_pct else fen_value(raw, period)
            if value is not None:
                out.append(RateClaim(m.start(), m.end(), value * periods[period], "rate_word"))
        # 18%年化 needs a percentage; most windows reach here on a 分 (部分, 分钟) alone.
        # The number-led regex runs only just around each percentage mark, not at every
        # numeral of the window.
        for m in (self._rate_after_near_marks(text, lo, hi) if has_pct else ()):
            period = self.cues.rate_words.get(m.group("w"), "year")
            value = pct_value(m.group("v"))
            if value is not None:
                out.append(RateClaim(m.start(), m.end(), value * periods[period], "rate_word"))
        return out

    def _bare_number_claims(self, text: str, lo: int, hi: int) -> list[RateClaim]:
        """年息7.2 → 7.2: a rate word and a small bare number (no % sign) after it."""
        out = []
        for m in self._rate_word_bare.finditer(text, lo, hi):
            period = self.cues.rate_words[m.group("w")]
            value = float(m.group("v"))
            if 0 < value <= _BARE_MAX.get(period, 0.0):
                out.append(RateClaim(m.start(), m.end(), value * self.cues.periods[period],
                                     "rate_word"))
        return out

    def _rate_after_near_marks(self, text: str, lo: int, hi: int) -> list[re.Match[str]]:
        spans: list[tuple[int, int]] = []
        for mark in _PCT_MARK.finditer(text, lo, hi):
            s_lo, s_hi = max(lo, mark.start() - _PCT_BACK), min(hi, mark.end() + _PCT_AHEAD)
            if spans and s_lo <= spans[-1][1]:
                spans[-1] = (spans[-1][0], s_hi)
            else:
                spans.append((s_lo, s_hi))
        out: list[re.Match[str]] = []
        for s_lo, s_hi in spans:
            out.extend(self._rate_after.finditer(text, s_lo, s_hi))
        return out

    def _percentage_claims(self, text: str, lo: int, hi: int) -> list[RateClaim]:
        """收益高达30% → 30; 15天收益30% → 730; 期限6个月，收益率10% → 20."""
        out = []
        win = text[lo:hi]
        if self._return_word_re.search(win):
            for m in self._bare.finditer(text, lo, hi):
                if _SHARE.match(m.group("gap")):
                    continue  # 店铺利润的60%, 利润分成20%: a share of profits, not a rate
                value = pct_value(m.group("v"))
                if value is not None:
                    out.append(RateClaim(m.start(), m.end(), value, "bare"))
        patterns = [(self._duration, "duration")]
        if any(word in win for word in ("期限", "周期", "为期", "投资期", "锁定期")):
            patterns.append((self._term_rate, "term"))
        for pattern, kind in patterns:
            for m in pattern.finditer(text, lo, hi):
                if self._named_period.search(text, m.end("u"), m.start("v")):
                    continue  # 存满30天享年化收益16.8%: the rate names its own period
                per_year = self._per_year(m.group("n"), m.group("u"))
                value = pct_value(m.group("v"))
                if per_year is not None and value is not None:
                    out.append(RateClaim(m.start(), m.end(), value * per_year, kind))
        return out

    def _payback_claims(self, text: str, lo: int, hi: int) -> list[RateClaim]:
        """三个月回本 → 400; 回本周期一年 → 100."""
        out = []
        for m in self._payback.finditer(text, lo, hi):
            per_year = self._per_year(m.group("n") or m.group("n2"), m.group("u") or m.group("u2"))
            if per_year is not None:
                out.append(RateClaim(m.start(), m.end(), 100.0 * per_year, "payback"))
        return out

    def _doubling_claim(self, m: re.Match[str]) -> list[RateClaim]:
        per_year = self._per_year(m.group("n"), m.group("u"))
        if per_year is None:
            return []
        gain = 100.0
        if m.group("k"):
            k = parse_number(m.group("k"))
            gain = (k - 1) * 100 if k and k >= 2 else 100.0
        elif m.group("f"):
            f = parse_number(m.group("f"))
            gain = (2 ** f - 1) * 100 if f and f <= 10 else 100.0
        return [RateClaim(m.start(), m.end(), gain * per_year, "doubling")]

    def _pct_claims(self, text: str, lo: int, hi: int) -> list[RateClaim]:
        """每年享受12%分红 → 12; 积分每天自动增值1% → 365; 日产出收益0.8% → 292; 月收益翻倍."""
        out = []
        periods = self.cues.periods
        win = text[lo:hi]
        periodic = ("每" in win or "月月" in win or "天天" in win or "年底" in win
                    or "一年" in win or "一个月" in win or "一天" in win or "一周" in win)
        for m in (self._periodic_pct.finditer(text, lo, hi) if periodic else ()):
            after = text[m.end():m.end() + 6]
            if not (self._return_cue.search(m.group("gap")) or self._return_cue.search(after)
                    or (not m.group("gap") and m.group("v").endswith("个点"))
                    or (self._grows.search(m.group("gap"))
                        and self._holding.search(text, max(0, m.start() - 6), m.start()))):
                continue
            value = pct_value(m.group("v"))
            per_year = per_year_of(m.group("per"))
            if value is not None:
                out.append(RateClaim(m.start(), m.end(), value * per_year, "periodic"))
        for m in self._period_char.finditer(text, lo, hi):
            value = pct_value(m.group("v"))
            per_year = {"日": 365.0, "月": 12.0, "年": 1.0, "周": 52.0}[m.group()[0]]
            if value is not None:
                out.append(RateClaim(m.start(), m.end(), value * per_year, "periodic"))
        for m in (self._rate_doubling.finditer(text, lo, hi) if "翻" in win else ()):
            period = self.cues.rate_words[m.group("w")]
            out.append(RateClaim(m.start(), m.end(), 100.0 * periods[period], "doubling"))
        if out and "释放" in win:
            for m in self._credit.finditer(text, max(0, lo - 40), hi):
                paid, credited = parse_amount(m.group("a")), parse_amount(m.group("b"))
                if not paid or not credited or credited <= paid:
                    continue
                released = [c for c in out
                            if c.kind == "periodic" and 0 <= c.start - m.end() <= 40]
                if released:
                    top = max(released, key=lambda c: c.rate)
                    out.append(RateClaim(m.start(), top.end, top.rate * credited / paid,
                                         "credit"))
        if "倍" in win and out:
            for m in self._boost.finditer(text, lo, hi):
                k = {"双": 2.0, "两": 2.0, "2": 2.0, "三": 3.0, "3": 3.0, "加": 2.0}[m.group("k")]
                before = [c for c in out if c.end <= m.start() and m.start() - c.end <= 60
                          and c.kind == "periodic"]
                if before:
                    stated = max(before, key=lambda c: c.rate)
                    out.append(RateClaim(stated.start, m.end(), stated.rate * k, "boost"))
        buyback = any(word in win for word in ("回收", "回购", "收回", "退还", "返还", "售出",
                                                 "卖出", "出售", "转让"))
        for m in (self._premium.finditer(text, lo, hi) if buyback else ()):
            value = pct_value(m.group("v"))
            if value is not None:
                out.append(RateClaim(m.start(), m.end(),
                                     value * self._term_before(text, m.start()), "premium"))
        return out
