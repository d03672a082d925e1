#!/usr/bin/env python3
"""Generates tests/queries/dataset.ndjson, the fixed dataset of the golden query tests.

Deterministic (seeded): rerunning it reproduces the committed file byte for byte. Events use
canonical field names (docs/architecture.md, "The event model") so the golden tests do not depend on alias
normalization. Time span: 2026-11-22T10:00:00Z .. 10:59:59Z (golden `now` = 11:00:00Z).
"""
import json
import random

rng = random.Random(20261122)
T0 = 1795341600  # 2026-11-22T10:00:00Z
ROUTES = [("GET", "/products"), ("GET", "/products/{id}"), ("POST", "/sales/{id}/pay"),
          ("POST", "/auth/login"), ("GET", "/health/ready"), ("GET", "/reports/daily")]
SERVICES = {"/reports/daily": "reports"}
UAS = [("Chrome", "Windows", "desktop"), ("Firefox", "Linux", "desktop"),
       ("Safari", "iOS", "mobile"), ("Chrome", "Android", "mobile"), ("curl", "Other", "bot")]
IPS = ["10.0.0.%d" % i for i in range(1, 9)] + ["203.0.113.7", "198.51.100.23"]
ERRORS = [("TimeoutError", "upstream timed out"), ("ConnectionRefusedError", "connection refused"),
          ("ValueError", "invalid sale id"), ("KeyError", "missing field total")]


def perf_class(d):
    return "excellent" if d < 50 else "good" if d < 200 else "slow" if d < 1000 else "very_slow"


def ts(sec, ms):
    return "2026-11-22T%02d:%02d:%02d.%03dZ" % (10 + sec // 3600, sec // 60 % 60, sec % 60, ms)


lines = []
for n in range(1200):
    sec = rng.randrange(0, 3600)
    ms = rng.randrange(0, 1000)
    method, route = rng.choice(ROUTES)
    service = SERVICES.get(route, "sales-api")
    ip = rng.choice(IPS)
    browser, os_, device = rng.choice(UAS)
    rid = "req-%05d" % n
    r = rng.random()
    status = 200
    if route == "/auth/login" and (ip == "203.0.113.7" or r < 0.2):
        status = 401
    elif r < 0.06:
        status = rng.choice([500, 502, 503])
    elif r < 0.10:
        status = 429
    elif r < 0.14:
        status = rng.choice([403, 404])
    dur = round(rng.lognormvariate(3.5, 1.0), 1)
    base = {"ts": ts(sec, ms), "service": service, "env": "prod", "request_id": rid}
    req = dict(base, kind="request", level="error" if status >= 500 else "info",
               msg="%s %s %d" % (method, route, status), method=method, route=route,
               path=route.replace("{id}", str(rng.randrange(1, 500))), status=status,
               duration_ms=dur, ip=ip, browser=browser, os=os_, device=device,
               perf_class=perf_class(dur), user_id=str(rng.randrange(1, 40)))
    lines.append((sec, ms, 1, req))
    if status == 401:
        lines.append((sec, ms, 0, dict(base, kind="log", level="warn", ip=ip,
                                        msg="Login failed for user %d from %s" % (rng.randrange(1, 40), ip))))
    if status == 429:
        lines.append((sec, ms, 0, dict(base, kind="log", level="warn", ip=ip, path=req["path"],
                                        prefix=rng.choice(["fp:start", "fp:verify", "login"]),
                                        msg="Rate limit exceeded")))
    if status >= 500:
        etype, emsg = rng.choice(ERRORS)
        lines.append((sec, ms, 0, {**base, "kind": "error", "level": "error", "route": route,
                                   "msg": "%s: %s" % (etype, emsg), "error.type": etype,
                                   "error.message": emsg,
                                   "error.stack": "Traceback: app/%s.py line 42" % route.strip("/").split("/")[0]}))
    if route == "/sales/{id}/pay" and status == 200:
        lines.append((sec, ms, 2, dict(base, kind="audit", level="info", action="sale.pay",
                                        actor=req["user_id"], entity="sale",
                                        entity_id=req["path"].split("/")[2], outcome="success",
                                        msg="sale paid")))
    if dur > 300:
        lines.append((sec, ms, 0, dict(base, kind="log", level="warn", route=route,
                                        msg="slow operation took %d ms" % dur)))

lines.sort(key=lambda x: (x[0], x[1], x[2]))
with open("dataset.ndjson", "w") as f:
    for _, _, _, ev in lines:
        f.write(json.dumps(ev, separators=(",", ":")) + "\n")
