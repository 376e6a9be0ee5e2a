"""The thread page's times: cached words that say exactly what Babel says."""
from datetime import timedelta

import pytest
from flask_babel import format_datetime, format_timedelta

from forum.timeutil import utcnow
from forum.web.templating import absolute, ago, time_tag

# Around each of Babel's unit boundaries (0.85 of the next unit) and its rounding points.
SECONDS = [60, 88, 95, 155, 3000, 3100, 3057, 3063, 5397, 5403, 73_000, 73_500, 86_400,
           129_600, 514_000, 515_000, 2_100_000, 2_300_000, 2_600_000, 26_000_000,
           27_000_000, 40_000_000, 47_304_000, 200_000_000]


@pytest.mark.parametrize("language", ["en", "de"])
def test_ago_and_absolute_say_what_babel_says(app, language):
    with app.test_request_context(headers={"Accept-Language": language}):
        for seconds in SECONDS:
            for _ in range(2):  # the second time from the cache
                value = utcnow() - timedelta(seconds=seconds)
                expected = format_timedelta(value - utcnow(), granularity="minute",
                                            add_direction=True)
                assert ago(value) == expected, seconds
                assert absolute(value) == format_datetime(value, "medium")


def test_time_tag_escapes_and_says_just_now(app):
    with app.test_request_context():
        now = utcnow().replace(microsecond=0)
        tag = str(time_tag(now))
        assert tag.startswith(f'<time datetime="{now.isoformat()}Z" title="')
        assert tag.endswith(">just now</time>")
        assert str(time_tag(None)) == ""
