"""The reputation history chart: coordinates for a server-rendered SVG (no JavaScript)."""
from dataclasses import dataclass
from datetime import date, timedelta

WIDTH, HEIGHT = 640, 180
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 26
MIN_DAYS = 7  # a newcomer's first day still draws as a line, not a spike


@dataclass
class Chart:
    """What templates/users/_chart.html draws: a line, the area under it, and axis labels."""

    width: int
    height: int
    line: str
    area: str
    y_ticks: list[tuple[float, int]]
    first_day: date
    last_day: date
    last_point: tuple[float, float]
    low: int
    high: int
    current: int


def _nice_ceiling(value: int) -> int:
    """A round, even number at or above `value` for the top of the axis (10, 12, 16, 20,
    30, ... 120, 160, 200, ...)."""
    step = 10
    while True:
        for tenths in (10, 12, 16, 20, 30, 40, 50, 60, 80):
            if value <= step * tenths // 10:
                return step * tenths // 10
        step *= 10


def reputation_chart(history: list[tuple[date, int]], since: date, today: date) -> Chart:
    """The chart of reputation (shown: never below 1) from `since` to `today`.

    `history` is the value at the end of each day with ledger events, oldest first;
    the line starts at 1 on `since` and runs flat to `today` after the last change.
    """
    points = [(since, 1)]
    points += [(day, max(value, 1)) for day, value in history if day >= since]
    current = points[-1][1]
    points.append((max(today, points[-1][0]), current))
    last = points[-1][0]
    first = min(points[0][0], last - timedelta(days=MIN_DAYS - 1))
    points[0] = (first, 1)  # everyone starts at 1
    span = max((last - first).days, 1)
    high = _nice_ceiling(max(value for _day, value in points))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: date) -> float:
        return round(LEFT + (day - first).days / span * inner_w, 1)

    def y(value: int) -> float:
        return round(TOP + inner_h - value / high * inner_h, 1)

    coords = []
    for day, value in points:
        if coords:  # reputation holds until the next day's change: draw steps
            coords.append((x(day), coords[-1][1]))
        coords.append((x(day), y(value)))
    line = " ".join(f"{cx},{cy}" for cx, cy in coords)
    base = y(0)
    area = f"{coords[0][0]},{base} {line} {coords[-1][0]},{base}"
    ticks = [(y(value), value) for value in (0, high // 2, high)]
    return Chart(
        width=WIDTH, height=HEIGHT, line=line, area=area, y_ticks=ticks,
        first_day=first, last_day=last, last_point=coords[-1],
        low=min(value for _day, value in points), high=max(value for _day, value in points),
        current=current,
    )
