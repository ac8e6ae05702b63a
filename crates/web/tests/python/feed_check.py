"""Parses a Banyan Atom feed with feedparser (PyPI), as feed readers do.

Usage: python3 feed_check.py <feed-url>
Prints {"entries": n, "titles": [...], "bozo": 0|1, "categories": [...]} as JSON.
"""
import json
import sys

import feedparser

d = feedparser.parse(sys.argv[1])
print(json.dumps({
    "bozo": int(d.bozo),
    "bozo_exception": str(d.get("bozo_exception", "")),
    "version": d.version,
    "title": d.feed.get("title"),
    "entries": len(d.entries),
    "titles": [e.title for e in d.entries],
    "links": [e.link for e in d.entries],
    "categories": sorted({t.term for e in d.entries for t in e.get("tags", [])}),
}))
