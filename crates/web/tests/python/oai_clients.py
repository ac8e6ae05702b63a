"""Checks a Banyan node's OAI-PMH provider with clients no one at Banyan wrote.

Usage: python3 oai_clients.py <base-url> <schemas-dir> <banyan.xsd> <expected-public> <expected-deleted>

- Sickle (PyPI) lists every record in both formats, following resumption tokens, and fetches
  one record by identifier;
- every response, and a sample of error responses, is validated with lxml against the official
  OAI-PMH 2.0, oai_dc, Simple Dublin Core and XML schemas, and against Banyan's own schema for
  the `banyan` format. The schemas' network addresses are mapped to the local files: nothing is
  fetched.

Prints one line per problem and exits 1 if there is any.
"""
import json
import os
import sys
import tempfile
import urllib.parse
import urllib.request

from lxml import etree
from sickle import Sickle

base, schemas, banyan_xsd, expected_public, expected_deleted = sys.argv[1:6]
expected_public, expected_deleted = int(expected_public), int(expected_deleted)
endpoint = base.rstrip("/") + "/oai"
problems = []

LOCAL = {
    "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd": os.path.join(schemas, "OAI-PMH.xsd"),
    "http://www.openarchives.org/OAI/2.0/oai_dc.xsd": os.path.join(schemas, "oai_dc.xsd"),
    "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd": os.path.join(schemas, "oai-identifier.xsd"),
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": os.path.join(schemas, "simpledc20021212.xsd"),
    "http://www.w3.org/2001/03/xml.xsd": os.path.join(schemas, "xml.xsd"),
    "http://www.w3.org/2001/xml.xsd": os.path.join(schemas, "xml.xsd"),
}


class Local(etree.Resolver):
    def resolve(self, url, pubid, context):
        if url in LOCAL:
            return self.resolve_filename(LOCAL[url], context)
        if url.startswith("http"):
            problems.append(f"a schema asked for {url}, which is not mapped to a local file")
        return None


parser = etree.XMLParser(no_network=True)
parser.resolvers.add(Local())
driver = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:banyan:test:driver">
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/" schemaLocation="http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai_dc/" schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai-identifier" schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"/>
  <xs:import namespace="urn:banyan:record:1" schemaLocation="file://{os.path.abspath(banyan_xsd)}"/>
</xs:schema>"""
with tempfile.NamedTemporaryFile("w", suffix=".xsd", delete=False) as f:
    f.write(driver)
schema = etree.XMLSchema(etree.parse(f.name, parser))


def fetch(params):
    url = endpoint + "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read()


def validate(body, what):
    doc = etree.fromstring(body)
    if not schema.validate(doc):
        for e in list(schema.error_log)[:5]:
            problems.append(f"{what}: line {e.line}: {e.message}")
    return doc


NS = {"o": "http://www.openarchives.org/OAI/2.0/"}

# Every response of a full harvest, page by page, in both formats, validates.
for verb, prefix in [("ListRecords", "oai_dc"), ("ListRecords", "banyan"), ("ListIdentifiers", "oai_dc")]:
    params = {"verb": verb, "metadataPrefix": prefix}
    pages = 0
    while True:
        doc = validate(fetch(params), f"{verb} {prefix} page {pages + 1}")
        pages += 1
        token = doc.find(".//o:resumptionToken", NS)
        if token is None or not (token.text or "").strip():
            break
        params = {"verb": verb, "resumptionToken": token.text.strip()}
        if pages > 100:
            problems.append(f"{verb} {prefix}: more than 100 pages")
            break
    if pages < 2:
        problems.append(f"{verb} {prefix}: one page only; the test needs resumption tokens")

for params in [
    {"verb": "Identify"},
    {"verb": "ListMetadataFormats"},
    {"verb": "ListSets"},
    {"verb": "Nonsense"},
    {"verb": "ListRecords"},
    {"verb": "ListRecords", "metadataPrefix": "marc21"},
    {"verb": "ListRecords", "resumptionToken": "not-a-token"},
    {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:nowhere:1"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2001-01-01", "until": "2001-01-02"},
]:
    validate(fetch(params), json.dumps(params))

# GetRecord in both formats, ListSets to its end, ListMetadataFormats of one record: valid too.
first_id = etree.fromstring(fetch({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})).find(".//o:identifier", NS).text
for prefix in ["oai_dc", "banyan"]:
    validate(fetch({"verb": "GetRecord", "metadataPrefix": prefix, "identifier": first_id}), f"GetRecord {prefix}")
validate(fetch({"verb": "ListMetadataFormats", "identifier": first_id}), "ListMetadataFormats of a record")
params = {"verb": "ListSets"}
while True:
    doc = validate(fetch(params), "ListSets")
    token = doc.find(".//o:resumptionToken", NS)
    if token is None or not (token.text or "").strip():
        break
    params = {"verb": "ListSets", "resumptionToken": token.text.strip()}

# Sickle harvests both formats through the resumption tokens.
sickle = Sickle(endpoint, max_retries=1, timeout=30)
for prefix in ["oai_dc", "banyan"]:
    live = deleted = 0
    first = None
    for rec in sickle.ListRecords(metadataPrefix=prefix):
        if rec.deleted:
            deleted += 1
        else:
            live += 1
            first = first or rec.header.identifier
    if (live, deleted) != (expected_public, expected_deleted):
        problems.append(f"sickle {prefix}: {live} live and {deleted} deleted, expected {expected_public} and {expected_deleted}")
    one = sickle.GetRecord(identifier=first, metadataPrefix=prefix)
    if one.header.identifier != first:
        problems.append(f"sickle GetRecord {prefix}: got {one.header.identifier}")
    if prefix == "oai_dc" and not one.metadata.get("title"):
        problems.append("sickle GetRecord oai_dc: no dc:title")
    if prefix == "banyan":
        raw = etree.fromstring(one.raw.encode())
        data = raw.find(".//{urn:banyan:record:1}json")
        record = json.loads(data.text)
        if record.get("owner") is not None or (record.get("details") or {}).get("contact") is not None:
            problems.append("the banyan format carries personal data")
sets = [s.setSpec for s in sickle.ListSets()]
for wanted in ["kind:practice", "country:BD", "sdg:16", "sector:07"]:
    if wanted not in sets:
        problems.append(f"ListSets lacks {wanted}")
in_set = sum(1 for _ in sickle.ListIdentifiers(metadataPrefix="oai_dc", set="kind:challenge"))
print(json.dumps({"challenges": in_set}))

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
