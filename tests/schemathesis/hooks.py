"""Schemathesis hooks, loaded by tests/schemathesis/run through SCHEMATHESIS_HOOKS.

The document states every rule JSON Schema can state; this module keeps
generation within the two it cannot: a `dob` not in the future (422 otherwise)
and an update's `data.id` equal to the id in its URL (409 otherwise). No status
is waived: only the values generated change, and only where the schema takes
them, so every negative case still reaches the service as generated.
"""

import datetime
import re

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


@schemathesis.hook.apply_to(operation_id="updateUser")
def map_case(context, case):
    data = case.body.get("data") if isinstance(case.body, dict) else None
    url_id = (case.path_parameters or {}).get("id")
    # Only a string id, as the schema takes it, is matched to the URL; any
    # other is a negative case, left for the service to refuse.
    if isinstance(data, dict) and isinstance(data.get("id"), str) and url_id is not None:
        data["id"] = str(url_id)
    return case
