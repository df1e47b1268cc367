"""Checks that a generated SDK names things as the OpenAPI document does: each
model class is a schema of components.schemas, and each operation method is
named for its operationId. A name the generator made up (InlineResponse200,
Object1, ListUsers200Response, UserAttributesRole...) fails the check.

usage: check_names.py KIND SDK_DIR SPEC
KIND: python-openapi-generator | openapi-python-client | typescript-fetch
Standard library only."""

import json
import pathlib
import re
import sys


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def found(pattern: str, files) -> set:
    names = set()
    for path in files:
        names.update(re.findall(pattern, path.read_text(), re.MULTILINE))
    return names


def generated_names(kind: str, root: pathlib.Path):
    """(model names, operation names) as the SDK spells them."""
    if kind == "python-openapi-generator":
        package = next(p.parent for p in root.glob("*/api_client.py"))
        models = found(r"^class (\w+)\(", (package / "models").glob("*.py"))
        methods = found(r"^    def ([a-z]\w*)\(", (package / "api").glob("*_api.py"))
        methods = {m for m in methods if not m.endswith(("_with_http_info", "_without_preload_content"))}
        return models, methods
    if kind == "openapi-python-client":
        package = next(p.parent for p in root.glob("*/client.py"))
        models = found(r"^class (\w+)\b", (package / "models").glob("*.py"))
        methods = {p.stem for p in (package / "api").glob("*/*.py") if p.stem != "__init__"}
        return models, methods
    if kind == "typescript-fetch":
        models = found(r"^export (?:interface|const|type) (\w+)\b", (root / "models").glob("*.ts"))
        # Each enum is a const and a type of the same name; drop request helpers.
        methods = found(r"^    async (\w+)\(", (root / "apis").glob("*.ts"))
        methods = {m for m in methods if not m.endswith(("Raw", "RequestOpts"))}
        return models, methods
    raise SystemExit(f"unknown kind {kind}")


def form_schemas(document: dict) -> set:
    """Schemas the document uses as `application/x-www-form-urlencoded` bodies."""
    names = set()
    for item in document["paths"].values():
        for operation in item.values():
            content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            form = content.get("application/x-www-form-urlencoded", {})
            reference = form.get("schema", {}).get("$ref", "")
            if reference.startswith("#/components/schemas/"):
                names.add(reference.rsplit("/", 1)[1])
    return names


def empty_object_schemas(document: dict) -> set:
    """Object schemas with no properties, which openapi-generator types as a
    plain object or dict rather than a model (Meta, NoRelationships)."""
    return {
        name
        for name, schema in document["components"]["schemas"].items()
        if schema.get("type") == "object" and not schema.get("properties")
    }


def union_schemas(document: dict) -> set:
    """`oneOf` and `anyOf` schemas, which openapi-python-client types as a
    union of its members' models rather than a model of their own
    (IncludedResource, AtomicData)."""
    return {
        name
        for name, schema in document["components"]["schemas"].items()
        if "oneOf" in schema or "anyOf" in schema
    }


def main() -> int:
    kind, root, spec = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
    document = json.loads(pathlib.Path(spec).read_text())
    schemas = set(document["components"]["schemas"])
    operation_ids = {
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    expected_methods = (
        operation_ids if kind == "typescript-fetch" else {snake(i) for i in operation_ids}
    )
    models, methods = generated_names(kind, root)

    problems = []
    invented = sorted(models - schemas)
    if invented:
        problems.append(f"model names not in the document: {invented}")
    missing = schemas - models
    if kind != "openapi-python-client":
        # openapi-generator makes a form body's fields into method parameters,
        # so a schema used only as a form has no model there.
        missing -= form_schemas(document)
    if kind != "openapi-python-client":
        missing -= empty_object_schemas(document)
    else:
        missing -= union_schemas(document)
    missing = sorted(missing)
    if missing:
        problems.append(f"schemas with no model: {missing}")
    if methods != expected_methods:
        problems.append(
            f"operation names {sorted(methods)} are not the operationIds {sorted(expected_methods)}"
        )
    for problem in problems:
        print(f"  FAIL  names: {problem}")
    if problems:
        return 1
    print(
        f"  ok    names: {len(models)} models named as the document's schemas, "
        f"{len(methods)} operations named for their operationIds"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
