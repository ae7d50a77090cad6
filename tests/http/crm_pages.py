"""crm_pages.py -- CRM web-API page formats for the loopback test server (server.py).

A scenario route {"crm": "<style>", "dataset": "contacts.json", ...} makes the server
call handle(route, dataset, method, path, query, headers, body, base), which returns
(status, headers_dict, body_bytes), or None when the request is not one this style
answers. `dataset` is a list of contacts in a neutral form:

    {"id": "1", "first": "Ann", "last": "Cole", "email": "ann@cole.example",
     "phone": "+1 555 0100", "company": "Cole Ltd", "updated": "2024-05-02T09:14:03Z",
     "deleted": false}

A contact may also carry "properties": {"mobilephone": ..., "city": ..., ...}: HubSpot
properties beyond those above, passed through as they are by the hubspot style (the
other styles ignore them). bench/gen_multi writes its hubspot.json in this form.

and each style renders it in its API's real shape (/work/shared/FORMATS.md section 5),
ordered by id (by `updated`, then id, where the API sorts by modification time):

  hubspot     GET  .../crm/v3/objects/contacts?limit=&after=   (results, paging.next.after)
              POST .../crm/v3/objects/contacts/search  filterGroups lastmodifieddate
                   GTE/GT <epoch ms>, sorts ASCENDING, limit, after
  salesforce  GET  .../query or .../queryAll ?q=SELECT ... [WHERE SystemModstamp >= X]
                   (batch size: Sforce-Query-Options: batchSize=N); then GET the
                   nextRecordsUrl .../query/<locator>-<offset>; done, totalSize,
                   records with attributes{type,url}, Account.Name, IsDeleted
  pipedrive   GET  .../v1/persons?start=&limit=   data, additional_data.pagination
                   (more_items_in_collection, next_start); email/phone arrays of
                   {value,label,primary}; update_time "YYYY-MM-DD HH:MM:SS" (UTC)
  dynamics    GET  .../api/data/v9.2/contacts?$select=&$filter=modifiedon ge|gt X
                   Prefer: odata.maxpagesize=N; value, @odata.nextLink (absolute)
  link        GET  .../contacts?per_page=N[&page=P][&updated_since=X]: a bare JSON array,
                   RFC 8288 Link header (rel="next", also "first" and "last")

Deleted contacts (deleted: true) come with each API's marker: hubspot "archived": true,
salesforce "IsDeleted": true, pipedrive "active_flag": false, link "deleted": true, and
dynamics only in a filtered (incremental) read, as an "@removed" entry (as change
tracking gives them; a full read leaves them out). Simplification: the real HubSpot
list and search endpoints leave archived contacts out; here they come inline.

Route options:
  "token": "s3cret"       required credential: "Authorization: Bearer s3cret", or for
                          pipedrive ?api_token=s3cret; else 401 with an error body
  "page_size": N          the default page size (default 100)
  "fault_page": P, "fault": "truncated" | "not_json" | "no_records" | <status>
                          page P (1-based) of any read is broken that way
  "search_limit": N       hubspot search: 400 when after + limit > N (HubSpot's 10,000)

Each call appends {"style", "method", "path", "query", "body"} to the module-level
`requests` list (a log tests can read through the server's own log, if it has one).
"""

import base64
import calendar
import json
import re
import time
import urllib.parse

requests = []


# ---- helpers ---------------------------------------------------------------------------

def _q(query, name, default=None):
    v = query.get(name, default) if query else default
    if isinstance(v, list):
        v = v[0] if v else default
    return v


def _hdr(headers, name):
    for k, v in (headers or {}).items():
        if k.lower() == name.lower():
            return v
    return None


def _epoch_ms(iso):
    """'2024-05-02T09:14:03Z' / '...03.120Z' / '...03.000+0000' / '2024-05-02 09:14:03' -> ms"""
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?)?"
                 r"\s*(Z|[+-]\d\d:?\d\d)?$", iso.strip())
    if not m:
        raise ValueError("not a timestamp: %r" % iso)
    y, mo, d, h, mi, s, frac, tz = m.groups()
    secs = calendar.timegm((int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0)))
    ms = int((frac or "0")[:3].ljust(3, "0"))
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        tz = tz[1:].replace(":", "")
        secs -= sign * (int(tz[:2]) * 3600 + int(tz[2:]) * 60)
    return secs * 1000 + ms


def _iso(ms, frac=True, offset="Z"):
    t = time.gmtime(ms // 1000)
    s = time.strftime("%Y-%m-%dT%H:%M:%S", t)
    if frac:
        s += ".%03d" % (ms % 1000)
    return s + offset


def _since_ms(value):
    value = value.strip()
    if value.isdigit():
        return int(value)
    return _epoch_ms(value)


def _json(status, obj, headers=None):
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    return status, h, json.dumps(obj).encode()


def _by_id(ds):
    return sorted(ds, key=lambda c: (len(str(c["id"])), str(c["id"])))


def _by_updated(ds):
    return sorted(ds, key=lambda c: (_epoch_ms(c["updated"]), len(str(c["id"])), str(c["id"])))


def _changed(ds, since, strict=False):
    if since is None:
        return list(ds)
    lim = _since_ms(since)
    return [c for c in ds if (_epoch_ms(c["updated"]) > lim if strict
                              else _epoch_ms(c["updated"]) >= lim)]


def _page_size(route, value, default=None):
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = route.get("page_size", default or 100)
    return max(1, n)


def _fault(route, page, status, headers, body):
    """Apply the route's fault when this is its page."""
    if route.get("fault_page") != page:
        return status, headers, body
    f = route.get("fault")
    if f == "truncated":
        return status, headers, body[: max(1, len(body) // 2)]
    if f == "not_json":
        return status, {"Content-Type": "text/html"}, b"<html><body>Bad gateway</body></html>"
    if f == "no_records":
        return _json(200, {"message": "the record list is missing"})
    if isinstance(f, int):
        return _json(f, {"status": "error", "message": "injected %d on page %d" % (f, page),
                         "category": "OBJECT_NOT_FOUND" if f == 404 else "ERROR"})
    return status, headers, body


def _authorized(route, headers, query, style):
    token = route.get("token")
    if token is None:
        return True
    if style == "pipedrive" and _q(query, "api_token") == token:
        return True
    return _hdr(headers, "Authorization") == "Bearer " + token


def _unauthorized(style):
    bodies = {
        "hubspot": {"status": "error", "message": "Authentication credentials not found.",
                    "category": "INVALID_AUTHENTICATION"},
        "salesforce": [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
        "pipedrive": {"success": False, "error": "unauthorized access", "errorCode": 401},
        "dynamics": {"error": {"code": "0x80072560", "message": "The user is not a member of the organization."}},
    }
    return _json(401, bodies.get(style, {"error": "unauthorized"}),
                 {"WWW-Authenticate": 'Bearer realm="crm"'})


# ---- hubspot ------------------------------------------------------------------------------

HS_LIST = "/crm/v3/objects/contacts"
HS_SEARCH = "/crm/v3/objects/contacts/search"


def _hs_record(c):
    upd = _epoch_ms(c["updated"])
    props = {"firstname": c.get("first"), "lastname": c.get("last"), "email": c.get("email"),
             "phone": c.get("phone"), "company": c.get("company"),
             "hs_object_id": str(c["id"]), "lastmodifieddate": _iso(upd),
             "createdate": _iso(upd - 86400000)}
    for k, v in (c.get("properties") or {}).items():
        props.setdefault(k, v)
    r = {"id": str(c["id"]), "properties": props, "createdAt": _iso(upd - 86400000),
         "updatedAt": _iso(upd), "archived": bool(c.get("deleted"))}
    if c.get("deleted"):
        r["archivedAt"] = _iso(upd)
    return r


def _hubspot(route, ds, method, path, query, headers, body, base):
    if method == "GET" and path.endswith(HS_LIST):
        rows = _by_id(ds)
        limit = _page_size(route, _q(query, "limit"))
        after = int(_q(query, "after", "0") or 0)
        search = False
    elif method == "POST" and path.endswith(HS_SEARCH):
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            return _json(400, {"status": "error", "message": "Invalid input JSON"})
        since, strict = None, False
        for group in req.get("filterGroups", []):
            for f in group.get("filters", []):
                if f.get("propertyName") == "lastmodifieddate" and f.get("operator") in ("GTE", "GT"):
                    since, strict = str(f.get("value")), f["operator"] == "GT"
        rows = _changed(ds, since, strict)
        sorts = req.get("sorts") or []
        if sorts and sorts[0].get("propertyName") == "lastmodifieddate":
            rows = _by_updated(rows)
            if sorts[0].get("direction") == "DESCENDING":
                rows.reverse()
        else:
            rows = _by_id(rows)
        limit = _page_size(route, req.get("limit"))
        after = int(req.get("after") or 0)
        search = True
        cap = route.get("search_limit")
        if cap is not None and after + limit > cap:
            return _json(400, {"status": "error", "category": "VALIDATION_ERROR",
                               "message": "There was a problem with the request."})
    else:
        return None
    page_rows = rows[after:after + limit]
    out = {"results": [_hs_record(c) for c in page_rows]}
    if search:
        out = {"total": len(rows), **out}
    if after + limit < len(rows):
        nxt = {"after": str(after + limit)}
        if not search:
            nxt["link"] = base + path + "?after=" + str(after + limit)
        out["paging"] = {"next": nxt}
    return out, after // limit + 1


# ---- salesforce ---------------------------------------------------------------------------

SF_SOQL_SINCE = re.compile(r"\bWHERE\s+SystemModstamp\s*(>=|>)\s*(\S+)", re.I)


def _sf_record(c, version):
    upd = _epoch_ms(c["updated"])
    return {"attributes": {"type": "Contact",
                           "url": "/services/data/%s/sobjects/Contact/%s" % (version, c["id"])},
            "Id": str(c["id"]), "FirstName": c.get("first"), "LastName": c.get("last"),
            "Email": c.get("email"), "Phone": c.get("phone"),
            "Account": ({"attributes": {"type": "Account", "url": "/services/data/%s/sobjects/Account/001%s" % (version, c["id"])},
                         "Name": c["company"]} if c.get("company") else None),
            "SystemModstamp": _iso(upd, True, "+0000"),
            "IsDeleted": bool(c.get("deleted"))}


def _salesforce(route, ds, method, path, query, headers, body, base):
    if method != "GET":
        return None
    m = re.search(r"/services/data/(v\d+\.\d+)/(query|queryAll)(?:/([A-Za-z0-9_=-]+)-(\d+))?$", path)
    if not m:
        return None
    version, endpoint, locator, offset = m.groups()
    if locator:
        try:
            state = json.loads(base64.urlsafe_b64decode(locator.encode()).decode())
        except ValueError:
            return _json(400, [{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}])
        since, strict, all_rows, batch = state["s"], state["x"], state["a"], state["b"]
        offset = int(offset)
    else:
        q = _q(query, "q")
        if not q or not re.match(r"\s*SELECT\s", q, re.I):
            return _json(400, [{"message": "unexpected token: q", "errorCode": "MALFORMED_QUERY"}])
        sm = SF_SOQL_SINCE.search(q)
        since, strict = (sm.group(2), sm.group(1) == ">") if sm else (None, False)
        if since and not re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", since):
            return _json(400, [{"message": "value of filter criterion for field 'SystemModstamp' must be of type dateTime",
                                "errorCode": "INVALID_FIELD"}])
        opts = _hdr(headers, "Sforce-Query-Options") or ""
        bm = re.search(r"batchSize\s*=\s*(\d+)", opts)
        batch = _page_size(route, bm.group(1) if bm else None, 2000)
        all_rows = endpoint == "queryAll"
        offset = 0
    rows = _changed(ds, since, strict)
    if not all_rows:
        rows = [c for c in rows if not c.get("deleted")]
    rows = _by_updated(rows) if since else _by_id(rows)
    page_rows = rows[offset:offset + batch]
    out = {"totalSize": len(rows), "done": offset + batch >= len(rows),
           "records": [_sf_record(c, version) for c in page_rows]}
    if not out["done"]:
        loc = base64.urlsafe_b64encode(json.dumps(
            {"s": since, "x": strict, "a": all_rows, "b": batch}).encode()).decode()
        out["nextRecordsUrl"] = "/services/data/%s/%s/%s-%d" % (version, endpoint, loc, offset + batch)
    return out, offset // batch + 1


# ---- pipedrive ----------------------------------------------------------------------------

def _pd_record(c):
    upd = _epoch_ms(c["updated"])
    t = lambda ms: time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms // 1000))
    return {"id": int(c["id"]) if str(c["id"]).isdigit() else c["id"],
            "name": " ".join(x for x in (c.get("first"), c.get("last")) if x),
            "first_name": c.get("first"), "last_name": c.get("last"),
            "org_name": c.get("company"),
            "email": [{"value": c["email"], "label": "work", "primary": True}] if c.get("email")
            else [{"value": "", "primary": True}],
            "phone": [{"value": c["phone"], "label": "work", "primary": True}] if c.get("phone")
            else [{"value": "", "primary": True}],
            "add_time": t(upd - 86400000), "update_time": t(upd),
            "active_flag": not c.get("deleted"), "visible_to": "3"}


def _pipedrive(route, ds, method, path, query, headers, body, base):
    if method != "GET" or not path.endswith("/v1/persons"):
        return None
    rows = _by_id(ds)
    limit = min(500, _page_size(route, _q(query, "limit")))
    start = int(_q(query, "start", "0") or 0)
    page_rows = rows[start:start + limit]
    more = start + limit < len(rows)
    pag = {"start": start, "limit": limit, "more_items_in_collection": more}
    if more:
        pag["next_start"] = start + limit
    out = {"success": True, "data": [_pd_record(c) for c in page_rows] or None,
           "additional_data": {"pagination": pag}}
    return out, start // limit + 1


# ---- dynamics -----------------------------------------------------------------------------

DYN_FILTER = re.compile(r"modifiedon\s+(ge|gt)\s+(\S+)", re.I)


def _dyn_record(c, base):
    upd = _epoch_ms(c["updated"])
    guid = "%08x-0000-4000-8000-%012x" % (int(c["id"]) if str(c["id"]).isdigit() else hash(c["id"]) & 0xffffffff,
                                          int(c["id"]) if str(c["id"]).isdigit() else 0)
    if c.get("deleted"):
        return {"@removed": {"reason": "deleted"}, "contactid": guid,
                "@id": base + "/api/data/v9.2/contacts(%s)" % guid}
    return {"@odata.etag": 'W/"%d"' % (1000 + upd // 1000 % 100000), "contactid": guid,
            "firstname": c.get("first"), "lastname": c.get("last"),
            "emailaddress1": c.get("email"), "telephone1": c.get("phone"),
            "_parentcustomerid_value@OData.Community.Display.V1.FormattedValue": c.get("company"),
            "modifiedon": _iso(upd, False), "statecode": 0}


def _dynamics(route, ds, method, path, query, headers, body, base):
    if method != "GET" or not re.search(r"/api/data/v9\.\d+/contacts$", path):
        return None
    filt = _q(query, "$filter") or ""
    fm = DYN_FILTER.search(filt)
    if filt and not fm:
        return _json(400, {"error": {"code": "0x80060888", "message": "Syntax error in $filter"}})
    since, strict = (fm.group(2), fm.group(1).lower() == "gt") if fm else (None, False)
    rows = _changed(ds, since, strict)
    if not since:
        rows = [c for c in rows if not c.get("deleted")]
    rows = _by_id(rows)
    pm = re.search(r"odata\.maxpagesize\s*=\s*(\d+)", _hdr(headers, "Prefer") or "")
    size = min(5000, _page_size(route, pm.group(1) if pm else None, 5000))
    skip = int(_q(query, "$skiptoken", "0") or 0)
    page_rows = rows[skip:skip + size]
    out = {"@odata.context": base + "/api/data/v9.2/$metadata#contacts",
           "value": [_dyn_record(c, base) for c in page_rows]}
    if skip + size < len(rows):
        q = {k: _q(query, k) for k in query if k != "$skiptoken"}
        q["$skiptoken"] = str(skip + size)
        out["@odata.nextLink"] = base + path + "?" + urllib.parse.urlencode(q, safe="$,:' ")
        out["@odata.nextLink"] = out["@odata.nextLink"].replace(" ", "%20")
    hdr = {"Preference-Applied": "odata.maxpagesize=%d" % size} if pm else {}
    return (out, hdr), skip // size + 1


# ---- link (generic JSON array with Link headers) -----------------------------------------

def _link(route, ds, method, path, query, headers, body, base):
    if method != "GET" or not path.endswith("/contacts"):
        return None
    rows = _by_id(_changed(ds, _q(query, "updated_since")))
    size = _page_size(route, _q(query, "per_page"))
    page = max(1, int(_q(query, "page", "1") or 1))
    page_rows = rows[(page - 1) * size: page * size]
    out = [{"id": c["id"], "first_name": c.get("first"), "last_name": c.get("last"),
            "email": c.get("email"), "phone": c.get("phone"), "company": c.get("company"),
            "tags": ["customer", "newsletter"] if int(str(c["id"]).isdigit() and c["id"] or 0) % 2 else [],
            "updated_at": c["updated"], "deleted": bool(c.get("deleted"))} for c in page_rows]
    last = max(1, (len(rows) + size - 1) // size)

    def url(p):
        q = {k: _q(query, k) for k in query}
        q["page"] = str(p)
        return base + path + "?" + urllib.parse.urlencode(q)
    links = ['<%s>; rel="first"' % url(1), '<%s>; rel="last"' % url(last)]
    if page < last:
        links.insert(0, '<%s>; rel="next"' % url(page + 1))
    return (out, {"Link": ", ".join(links)}), page


STYLES = {"hubspot": _hubspot, "salesforce": _salesforce, "pipedrive": _pipedrive,
          "dynamics": _dynamics, "link": _link}


def handle(route, dataset, method, path, query, headers, body, base):
    """(status, headers, body bytes) for a request of the route's style, or None."""
    style = route.get("crm")
    fn = STYLES.get(style)
    if fn is None:
        return None
    path = path.split("?", 1)[0]
    if isinstance(body, str):
        body = body.encode()
    base = (base or "").rstrip("/")
    requests.append({"style": style, "method": method, "path": path,
                     "query": {k: _q(query, k) for k in (query or {})},
                     "body": (body or b"").decode("utf-8", "replace")})
    probe = fn(route, dataset, method, path, query or {}, headers or {}, body, base)
    if probe is None:
        return None
    if not _authorized(route, headers, query, style):
        return _unauthorized(style)
    if isinstance(probe, tuple) and len(probe) == 3:      # an error response already
        return probe
    out, page = probe
    extra = {}
    if isinstance(out, tuple):
        out, extra = out
    status, hdrs, data = _json(200, out, extra)
    return _fault(route, page, status, hdrs, data)


# ---- self-check ---------------------------------------------------------------------------

if __name__ == "__main__":
    ds = [{"id": str(i), "first": "F%d" % i, "last": "L%d" % i, "email": "p%d@x.example" % i,
           "phone": "+1 555 01%02d" % i, "company": "Co %d" % (i % 3),
           "updated": "2024-05-0%dT09:00:0%dZ" % (1 + i % 3, i), "deleted": i == 4}
          for i in range(1, 8)]
    B = "http://127.0.0.1:1"

    def pages(style, first, follow, method="GET", query=None, headers=None, body=None, route=None):
        route = dict(route or {}, crm=style)
        got, path, q, b, n = [], first, dict(query or {}), body, 0
        while path and n < 20:
            n += 1
            st, h, data = handle(route, ds, method, path, q, headers or {}, b, B)
            assert st == 200, (style, st, data)
            doc = json.loads(data)
            got.extend(doc if isinstance(doc, list) else doc.get("results") or doc.get("records")
                       or doc.get("data") or doc.get("value") or [])
            path, q, b = follow(doc, h, q, b)
        return got, n

    def split(url):
        u = urllib.parse.urlsplit(url)
        return u.path, dict(urllib.parse.parse_qsl(u.query))

    r, n = pages("hubspot", HS_LIST, lambda d, h, q, b: (
        (HS_LIST, dict(q, after=d["paging"]["next"]["after"]), b) if "paging" in d else (None, q, b)),
        query={"limit": "3"})
    assert len(r) == 7 and n == 3 and r[3]["archived"], (len(r), n)
    body = json.dumps({"filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE",
                                                       "value": str(_epoch_ms("2024-05-03T00:00:00Z"))}]}],
                       "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}], "limit": 1})
    r, n = pages("hubspot", HS_SEARCH, lambda d, h, q, b: (
        (HS_SEARCH, q, json.dumps(dict(json.loads(b), after=d["paging"]["next"]["after"])))
        if "paging" in d else (None, q, b)), method="POST", body=body)
    assert [x["id"] for x in r] == ["2", "5"], r
    r, n = pages("salesforce", "/services/data/v59.0/query",
                 lambda d, h, q, b: ((split(d["nextRecordsUrl"])[0], {}, b) if not d["done"] else (None, q, b)),
                 query={"q": "SELECT Id FROM Contact"}, headers={"Sforce-Query-Options": "batchSize=2"})
    assert len(r) == 6 and n == 3, (len(r), n)
    r, n = pages("salesforce", "/services/data/v59.0/queryAll",
                 lambda d, h, q, b: ((split(d["nextRecordsUrl"])[0], {}, b) if not d["done"] else (None, q, b)),
                 query={"q": "SELECT Id FROM Contact WHERE SystemModstamp >= 2024-05-03T00:00:00Z"})
    assert [x["Id"] for x in r] == ["2", "5"], r
    r, n = pages("pipedrive", "/v1/persons", lambda d, h, q, b: (
        ("/v1/persons", dict(q, start=str(d["additional_data"]["pagination"]["next_start"])), b)
        if d["additional_data"]["pagination"]["more_items_in_collection"] else (None, q, b)),
        query={"limit": "3", "start": "0"})
    assert len(r) == 7 and n == 3 and r[3]["active_flag"] is False
    r, n = pages("dynamics", "/api/data/v9.2/contacts", lambda d, h, q, b: (
        split(d["@odata.nextLink"]) + (b,) if "@odata.nextLink" in d else (None, q, b)),
        headers={"Prefer": "odata.maxpagesize=2"})
    assert len(r) == 6 and n == 3, (len(r), n)
    r, n = pages("dynamics", "/api/data/v9.2/contacts", lambda d, h, q, b: (
        split(d["@odata.nextLink"]) + (b,) if "@odata.nextLink" in d else (None, q, b)),
        query={"$filter": "modifiedon ge 2024-05-02T00:00:00Z"})
    assert len(r) == 5 and any("@removed" in x for x in r), r

    def nextlink(d, h, q, b):
        m = re.search(r'<([^>]*)>;\s*rel="next"', h.get("Link", ""))
        return split(m.group(1)) + (b,) if m else (None, q, b)
    r, n = pages("link", "/contacts", nextlink, query={"per_page": "3"})
    assert len(r) == 7 and n == 3
    st, h, data = handle({"crm": "hubspot", "token": "t"}, ds, "GET", HS_LIST, {}, {"Authorization": "Bearer u"}, b"", B)
    assert st == 401
    st, h, data = handle({"crm": "link", "fault_page": 2, "fault": "truncated"}, ds, "GET", "/contacts",
                         {"per_page": "3", "page": "2"}, {}, b"", B)
    try:
        json.loads(data)
        raise AssertionError("not truncated")
    except ValueError:
        pass
    assert handle({"crm": "hubspot"}, ds, "GET", "/other", {}, {}, b"", B) is None
    print("crm_pages: self-check ok")
