"""Schemathesis hooks, loaded by tests/schemathesis/run through SCHEMATHESIS_HOOKS.

The document states every rule JSON Schema can state; this module keeps
generation within those it cannot: a `dob` not in the future (422 otherwise),
an update's `data.id` equal to the id in its URL (409 otherwise), an
`Idempotency-Key` new for each request (a key sent again with another body
is 422, as it must be), and v2's
cursors (of users and of posts), which only the service makes (400 otherwise). No status
is waived: only the values generated change, and only where the schema takes
them, so every negative case still reaches the service as generated.
"""

import base64
import datetime
import json
import re
import uuid

import schemathesis

# A date as the schema's pattern and `format: date` take it.
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def latest_dob() -> str:
    # "Not in the future" is judged on the service's UTC day. Yesterday leaves
    # room for a request sent just before midnight and received after.
    return (datetime.datetime.now(datetime.timezone.utc).date() - datetime.timedelta(days=1)).isoformat()


@schemathesis.hook.apply_to(operation_id=["createUser", "updateUser"])
def map_body(context, body):
    data = body.get("data") if isinstance(body, dict) else None
    attributes = data.get("attributes") if isinstance(data, dict) else None
    dob = attributes.get("dob") if isinstance(attributes, dict) else None
    # Only a date the schema takes is moved back; a malformed one is a negative
    # case, left for the service to refuse.
    if isinstance(dob, str) and DATE.match(dob) and dob > latest_dob():
        attributes["dob"] = latest_dob()
    return body


@schemathesis.hook.apply_to(operation_id=["updateUser", "updatePost"])
def map_case(context, case):
    data = case.body.get("data") if isinstance(case.body, dict) else None
    url_id = (case.path_parameters or {}).get("id")
    # Only a string id, as the schema takes it, is matched to the URL; any
    # other is a negative case, left for the service to refuse.
    if isinstance(data, dict) and isinstance(data.get("id"), str) and url_id is not None:
        data["id"] = str(url_id)
    return case


@schemathesis.hook("map_case").apply_to(
    operation_id=["createUser", "createPost", "applyOperations"]
)
def fresh_idempotency_keys(context, case):
    # A key names one request; the schema cannot say that a client makes a
    # new one for each. An empty key, which names nothing, is left as sent.
    headers = case.headers or {}
    if headers.get("Idempotency-Key"):
        headers["Idempotency-Key"] = str(uuid.uuid4())
        case.headers = headers
    return case


# v2 pages by opaque cursors, which no schema can describe beyond "a string":
# one the service did not make for the page's sort is refused (400), and so
# are page[after] and page[before] together. Generated values are made into
# cursors for the case's sort, carrying the generated text, so that positive
# cases page from somewhere; a refused cursor is the integration tests' job.
# Each collection's sortable fields, and the order it takes without a sort.
USERS = (("id", "name", "email", "created_at", "updated_at"), ())
POSTS = (("id", "created_at", "updated_at", "title", "pinned"), ("pinned", "created_at"))


def cursor_for(collection, sort: str, text: str) -> str:
    sortable, default = collection
    fields = []
    for item in sort.split(",") if sort else []:
        name = item.lstrip("-")
        if name in sortable and name not in fields:
            fields.append(name)
    if not fields:
        fields = list(default)
    if "id" not in fields:
        fields.append("id")
    keys = []
    for name in fields:
        if name == "id":
            keys.append(len(text))
        elif name in ("name", "email", "title"):
            keys.append(text)
        elif name == "pinned":
            keys.append(len(text) % 2 == 0)
        else:
            keys.append("2026-01-01T00:00:00Z")
    encoded = json.dumps({"s": sort, "k": keys}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(encoded).decode().rstrip("=")


# A case hook, not a query hook: schemathesis applies case hooks in its
# coverage phase too.
def cursors_for(collection, case):
    query = case.query
    if not isinstance(query, dict):
        return case
    if "page[after]" in query and "page[before]" in query:
        del query["page[before]"]
    sort = query.get("sort") if isinstance(query.get("sort"), str) else ""
    for parameter in ("page[after]", "page[before]"):
        value = query.get(parameter)
        if isinstance(value, str):
            query[parameter] = cursor_for(collection, sort, value)
    return case


@schemathesis.hook("map_case").apply_to(operation_id="listUsers")
def cursors_of_users(context, case):
    return cursors_for(USERS, case)


@schemathesis.hook("map_case").apply_to(
    operation_id=["listPosts", "listUserPosts", "listUserPostsLinkage"]
)
def cursors_of_posts(context, case):
    return cursors_for(POSTS, case)

