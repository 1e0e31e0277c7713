#!/usr/bin/env python3
"""Scores each line of standard input with vaderSentiment (Python), one
compound score per line: the peer of `vigie score --lang en` in
bench/score_speed.py.

usage: bench/vader_py.py DIR < lines > scores

DIR holds a checkout of https://github.com/cjhutto/vaderSentiment (MIT):
the directory that contains the vaderSentiment package.
"""
import sys

sys.path.insert(0, sys.argv[1])
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa

analyzer = SentimentIntensityAnalyzer()
write = sys.stdout.write
for line in sys.stdin:
    write("%.4f\n" % analyzer.polarity_scores(line.rstrip("\n"))["compound"])
