"""Smoke test of the Python client generated from majlis's OpenAPI document
(`.ci/api-clients`): issue a security code, submit a comment as JSON, find it
in the moderation queue, approve it, and read it back from the public list.
Every call goes through the generated functions and models only."""

import importlib
import os
import sys

pkg = sys.argv[1]
client_mod = importlib.import_module(f"{pkg}.client")
models = importlib.import_module(f"{pkg}.models")
api = lambda name: importlib.import_module(f"{pkg}.api.{name}")  # noqa: E731

url, key = os.environ["MAJLIS_URL"], os.environ["MAJLIS_KEY"]
public = client_mod.Client(base_url=url)
moderator = client_mod.AuthenticatedClient(base_url=url, token=key)
site, article = "demo", "smoke-article"


def expect(response, status, model):
    assert response.status_code == status, (response.status_code, response.content)
    assert isinstance(response.parsed, model), response.parsed
    return response.parsed


challenge = expect(
    api("captcha.issue_captcha").sync_detailed(client=public, site=site),
    200,
    models.IssuedChallenge,
)
assert challenge.image.startswith("data:image/png;base64,")

accepted = expect(
    api("comments.submit_comment").sync_detailed(
        site,
        article,
        client=public,
        body=models.CommentSubmission(
            name="Layla",
            email="layla@example.org",
            title="A smoke test",
            body="Written by the generated Python client.",
            accept_terms=True,
            captcha_id=challenge.id,
            captcha_answer="",
            article_url="https://news.example.org/smoke",
        ),
    ),
    202,
    models.Accepted,
)
assert accepted.status == models.CommentStatus.PENDING, accepted.status

queue = expect(
    api("moderation.list_queue").sync_detailed(site, client=moderator),
    200,
    models.QueuePage,
)
assert [i.id for i in queue.items] == [accepted.id], queue.items

expect(
    api("moderation.approve_comment").sync_detailed(
        site, accepted.id, client=moderator, body=models.DecisionBody()
    ),
    200,
    models.DecisionResult,
)

listed = expect(
    api("comments.list_comments").sync_detailed(site, article, client=public),
    200,
    models.CommentList,
)
assert [c.id for c in listed.comments] == [accepted.id], listed.comments
assert listed.comments[0].body == "Written by the generated Python client."
print("python client smoke: 5 passed, 0 failed")
