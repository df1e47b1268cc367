"""What the Python SDK flows share: their settings, and a checker that prints
each check and counts failures. Nothing here talks to the service: each flow
does that only through its generated SDK."""

import os
import sys
import traceback


class Settings:
    """Where the service is and who its admin is, from tests/sdk/run."""

    def __init__(self, flow: str):
        self.base_url = os.environ["SDK_BASE_URL"]
        self.admin_email = os.environ["SDK_ADMIN_EMAIL"]
        self.admin_password = os.environ["SDK_ADMIN_PASSWORD"]
        # Unique per run and flow, so flows never meet each other's users.
        self.tag = f"{flow}-{os.environ['SDK_RUN_ID']}"
        self.password = "correct horse battery staple"

    def email(self, name: str) -> str:
        return f"{name}.{self.tag}@example.com"


def show(value: object) -> str:
    """A value as the check lines print it; openapi-python-client's UNSET
    (an absent member) has no readable repr of its own."""
    return "UNSET" if type(value).__name__ == "Unset" else repr(value)


class Checker:
    def __init__(self, flow: str):
        self.flow = flow
        self.passed = 0
        self.failed = 0

    def check(self, what: str, condition: bool, detail: object = "") -> bool:
        if condition:
            self.passed += 1
            print(f"  ok    {what}")
        else:
            self.failed += 1
            print(f"  FAIL  {what}" + (f": {detail}" if detail != "" else ""))
        return condition

    def equal(self, what: str, actual: object, expected: object) -> bool:
        return self.check(
            f"{what} == {show(expected)}", actual == expected, f"got {show(actual)}"
        )

    def error_codes(self, what: str, document: object, status: str, codes: list) -> bool:
        """Checks a typed JSON:API error document: its type, each error's
        status and the codes, in order."""
        errors = getattr(document, "errors", None)
        if not self.check(
            f"{what}: a typed {type(document).__name__} with errors",
            type(document).__name__ == "ErrorDocument" and bool(errors),
            repr(document),
        ):
            return False
        ok = self.equal(f"{what}: errors[].code", [error.code for error in errors], codes)
        ok &= self.equal(
            f"{what}: errors[].status", [error.status for error in errors], [status] * len(codes)
        )
        return ok

    def run(self, flow) -> None:
        """Runs `flow(self)`; an exception is one more failure. Exits 1 on any
        failure."""
        print(f"{self.flow}:")
        try:
            flow(self)
        except Exception:  # noqa: BLE001 - report anything the flow did not expect
            self.failed += 1
            print("  FAIL  the flow raised:")
            traceback.print_exc(file=sys.stdout)
        print(f"{self.flow}: {self.passed} checks passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)
