"""Parses Banyan's pages as a browser would (Python's html.parser) and reports anything that
would run: a script element other than the site's own script and JSON-LD data blocks, an event
handler attribute, or a javascript:/vbscript:/data:text/html URL.

Usage: python3 xss_check.py <base-url> <file with one path per line>
Prints one line per problem and exits 1 if there is any.
"""
import sys
import urllib.error
import urllib.request
from html.parser import HTMLParser

base, listing = sys.argv[1], sys.argv[2]
problems = []
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset", "background"}


class Check(HTMLParser):
    def __init__(self, path):
        super().__init__(convert_charrefs=True)
        self.path = path

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "script":
            own = a.get("src", "").startswith("/assets/site.js")
            data = a.get("type") == "application/ld+json" and "src" not in a
            if not (own or data):
                problems.append(f"{self.path}: a <script> {a}")
        for k, v in a.items():
            if k.startswith("on"):
                problems.append(f"{self.path}: <{tag} {k}=...>")
            if k in URL_ATTRS:
                low = "".join(v.split()).lower()
                if low.startswith(("javascript:", "vbscript:", "data:text/html")):
                    problems.append(f"{self.path}: <{tag} {k}={v!r}>")
        if tag in ("iframe", "object", "embed", "base", "meta") and tag != "meta":
            problems.append(f"{self.path}: <{tag}>")
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            problems.append(f"{self.path}: <meta http-equiv=refresh>")

    handle_startendtag = handle_starttag


# The checker can fail: it flags a handler, a javascript: link and a foreign script.
Check("self-test").feed('<img src=x onerror=alert(1)><a href=" JaVaScRiPt:x">x</a><script>alert(1)</script>')
if len(problems) != 3:
    print(f"the checker missed injected markup in its self-test: {problems}")
    sys.exit(2)
problems.clear()

paths = [l.strip() for l in open(listing) if l.strip()]
for path in paths:
    req = urllib.request.Request(base + path, headers={"Accept": "text/html"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            body = r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        body = e.read().decode("utf-8", "replace")
    Check(path).feed(body)
print(f"checked {len(paths)} pages")
for p in problems[:50]:
    print(p)
sys.exit(1 if problems else 0)
