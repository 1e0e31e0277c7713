"""
feedref.py - what the tests comparing `vigie parse` with python3-feedparser
share: feedparser's fields brought to the form vigie prints (markup read
as text, whitespace folded, dates as epoch seconds).
"""

import calendar
import datetime
import html.parser


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def fold(s):
    """Whitespace folded to single spaces; None for nothing."""
    return " ".join(s.split()) or None if s is not None else None


def html_text(s):
    """The text of an HTML fragment, whitespace folded."""
    if s is None:
        return None
    p = _Text()
    p.feed(s)
    p.close()
    return fold("".join(p.parts))


def epoch(t):
    """A time.struct_time in UTC (feedparser's *_parsed) as seconds."""
    return calendar.timegm(t) if t else None


def rfc3339_epoch(s):
    """vigie's RFC 3339 UTC time as seconds."""
    if s is None:
        return None
    return int(datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
               .replace(tzinfo=datetime.timezone.utc).timestamp())
