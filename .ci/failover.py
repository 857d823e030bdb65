"""Load, kill and check for .ci/failover (standard library only).

Readers and writers go through nginx; once enough comments are acknowledged,
instance A gets SIGKILL; it is started again and must serve; the load goes on
until more comments are acknowledged, then stops. Every wait has a limit.
"""
import argparse
import http.client
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

p = argparse.ArgumentParser()
for flag in ("base", "direct-a", "direct-b", "upstream-a", "pid-file", "access-log",
             "db-url", "restart"):
    p.add_argument("--" + flag, required=True)
args = p.parse_args()

TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE
BASE = urllib.parse.urlsplit(args.base)
WRITERS, READERS = 6, 4
BEFORE_KILL, AFTER_RESTART = 150, 150
DEADLINE = time.time() + 90


def connect(url):
    u = urllib.parse.urlsplit(url)
    if u.scheme == "https":
        return http.client.HTTPSConnection(u.hostname, u.port, timeout=10, context=TLS)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=10)


def request(url, method, path, body=None, headers=None):
    conn = connect(url)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.getheaders(), r.read()
    finally:
        conn.close()


def wait_for(what, check, limit=30):
    end = time.time() + limit
    while time.time() < end:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit(f"FAIL: timed out waiting for {what}")


def ready(url):
    return request(url, "GET", "/readyz")[0] == 200


wait_for("instance A", lambda: ready(args.direct_a))
wait_for("instance B", lambda: ready(args.direct_b))
wait_for("nginx", lambda: ready(args.base))

# A dashboard session, made through nginx before anything dies.
origin = {"Origin": args.base}
status, headers, body = request(args.base, "GET", "/dashboard/login")
cookies = [v.split(";")[0] for k, v in headers if k.lower() == "set-cookie"]
csrf = re.search(rb'name="csrf" value="([0-9a-f]+)"', body).group(1).decode()
form = urllib.parse.urlencode({"csrf": csrf, "email": "admin@example.com",
                               "password": "failover-password-1", "lang": "en"})
status, headers, _ = request(args.base, "POST", "/dashboard/login", form, {
    **origin, "Content-Type": "application/x-www-form-urlencoded", "Cookie": "; ".join(cookies)})
session = [v.split(";")[0] for k, v in headers if k.lower() == "set-cookie"
           and "_session=" in v]
if status != 303 or not session:
    sys.exit(f"FAIL: dashboard login answered {status} without a session cookie")
SESSION = {"Cookie": "; ".join(session)}


def dashboard_ok(url):
    s, _, _ = request(url, "GET", "/dashboard", headers=SESSION)
    return s == 200


if not dashboard_ok(args.base):
    sys.exit("FAIL: the dashboard session does not work before the kill")

lock = threading.Lock()
acked, failures = [], []
stop = threading.Event()
seq = [0]


def writer(w):
    while not stop.is_set() and time.time() < DEADLINE:
        with lock:
            seq[0] += 1
            n = seq[0]
        # Each reader address sends at most 50 comments (the hourly cap is
        # 60): majlis must take the address from X-Forwarded-For, which it
        # trusts only from nginx (trusted_proxies).
        ip = f"{(198, 203)[n // 50 % 2]}.{(51, 0)[n // 50 % 2]}.{(100, 113)[n // 50 % 2]}.{n // 100 % 250 + 1}"
        body = json.dumps({"name": "Reader", "email": f"f{n}@example.com",
                           "title": "Failover", "accept_terms": True,
                           "body": f"comment {n} sent while an instance may die"})
        try:
            s, _, out = request(args.base, "POST", f"/api/v1/sites/ha/articles/a{n % 9}/comments",
                                body, {"Content-Type": "application/json", "X-Forwarded-For": ip})
        except OSError as e:
            with lock:
                failures.append(("POST", repr(e)))
            continue
        with lock:
            if s == 202:
                acked.append(json.loads(out)["id"])
            else:
                failures.append(("POST", s))


def reader(r):
    while not stop.is_set() and time.time() < DEADLINE:
        try:
            s, _, _ = request(args.base, "GET", f"/api/v1/sites/ha/articles/a{r}/comments")
        except OSError as e:
            s = repr(e)
        if s != 200:
            with lock:
                failures.append(("GET", s))


threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
threads += [threading.Thread(target=reader, args=(r,)) for r in range(READERS)]
for t in threads:
    t.start()


def count():
    with lock:
        return len(acked)


wait_for(f"{BEFORE_KILL} acknowledged comments", lambda: count() >= BEFORE_KILL, 60)
pid = int(open(args.pid_file).read())
os.kill(pid, signal.SIGKILL)


def dead(pid):
    """The whole process has exited. The leader shows Z as soon as its own
    thread is done, while other threads may still hold the listening socket
    open, so every thread must be gone too."""
    if not os.path.exists(f"/proc/{pid}"):
        return True
    if open(f"/proc/{pid}/stat").read().split()[2] != "Z":
        return False
    return os.listdir(f"/proc/{pid}/task") in ([], [str(pid)])


def refused(url):
    """A's port refuses connections: its listening socket is closed, so from
    now on nginx can only fail to connect to A (and passes the request on)."""
    u = urllib.parse.urlsplit(url)
    try:
        socket.create_connection((u.hostname, u.port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


wait_for("A to be gone", lambda: dead(pid) and refused(args.direct_a))
gone_at = time.time()
at_kill = count()
subprocess.run(["bash", "-c", args.restart], check=True)
wait_for("A to serve again", lambda: ready(args.direct_a))
if not dashboard_ok(args.direct_b):
    sys.exit("FAIL: the dashboard session does not work on B after A died")
wait_for(f"{AFTER_RESTART} more acknowledged comments",
         lambda: count() >= at_kill + AFTER_RESTART, 60)
if not dashboard_ok(args.direct_a):
    sys.exit("FAIL: the dashboard session does not work on the restarted A")
stop.set()
for t in threads:
    t.join()
if not dashboard_ok(args.base):
    sys.exit("FAIL: the dashboard session does not work through nginx after the restart")

# Every acknowledged comment is stored.
ids = subprocess.run(["psql", args.db_url, "-Atc", "SELECT id FROM comments WHERE site_key = 'ha'"],
                     check=True, capture_output=True, text=True).stdout.split()
stored = set(ids)
lost = [i for i in acked if i not in stored]
if len(stored) != len(ids):
    sys.exit("FAIL: a comment was stored twice")

# Every failed request was sent to A and had started before A died.
bad = []
failed_in_log = 0
with open(args.access_log) as log:
    for line in log:
        end, took, status, method, upstream = line.split()[:5]
        if status.startswith("2") or status in ("303", "304"):
            continue
        failed_in_log += 1
        started = float(end) - float(took)
        # Sent to A, and started before A was seen gone (A was alive then, or
        # dying with it in flight).
        if args.upstream_a not in upstream or started > gone_at:
            bad.append(line.strip())
print(f"failover: {len(acked)} comments acknowledged ({at_kill} before A was killed), "
      f"{len(stored)} stored, {len(lost)} lost; {len(failures)} failed requests "
      f"({failed_in_log} in nginx's log), each in flight on A when it died: {not bad}; "
      f"dashboard session survived")
if lost:
    sys.exit(f"FAIL: acknowledged comments lost: {lost[:5]}")
if bad:
    sys.exit("FAIL: requests failed that were not in flight on A:\n" + "\n".join(bad[:10]))
if len(failures) > WRITERS + READERS:
    sys.exit(f"FAIL: {len(failures)} failures, more than the requests that can be in flight")
