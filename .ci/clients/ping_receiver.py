"""Verify majlis's webhook `ping` with the official Standard Webhooks library
(`.ci/api-clients`): subscribe a local receiver, ask for a ping, and check
its signature with `standardwebhooks.Webhook(secret).verify`, then rotate the
secret and check that a ping in the overlap verifies with each secret."""

import http.server
import json
import os
import queue
import threading
import urllib.request

from standardwebhooks.webhooks import Webhook

url, key = os.environ["MAJLIS_URL"], os.environ["MAJLIS_ADMIN_KEY"]
got: "queue.Queue[tuple[dict, bytes]]" = queue.Queue()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["content-length"]))
        got.put(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()


def call(method, path, body=None):
    req = urllib.request.Request(
        f"{url}/api/v1/sites/demo/webhooks{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


hook = call("POST", "", {"url": f"http://127.0.0.1:{server.server_port}/hook", "events": ["comment.published"]})
call("POST", f"/{hook['id']}/ping")
headers, body = got.get(timeout=20)
event = Webhook(hook["secret"]).verify(body, headers)
assert event["type"] == "ping" and event["data"]["webhook_id"] == hook["id"], event

rotated = call("POST", f"/{hook['id']}/rotate-secret", {"overlap_secs": 3600})
call("POST", f"/{hook['id']}/ping")
headers, body = got.get(timeout=20)
for secret in (hook["secret"], rotated["secret"]):
    Webhook(secret).verify(body, headers)
print("standardwebhooks ping: 3 passed, 0 failed")
