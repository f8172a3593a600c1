#!/usr/bin/env python3
"""Validate FHIR R4 JSON files against the official HL7 FHIR R4 JSON schema.

Usage: validate_fhir.py FILE [FILE ...]

The schema is shipped beside this script (fhir-r4/fhir.schema.json.gz, see
fhir-r4/README.md). Needs the `jsonschema` package (pip install jsonschema).
Exit status: 0 all valid, 1 some file invalid, 2 usage or missing jsonschema.
"""
import gzip
import json
import pathlib
import sys

SCHEMA = pathlib.Path(__file__).resolve().parent / "fhir-r4" / "fhir.schema.json.gz"
MAX_ERRORS = 20


def main(paths):
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        import jsonschema
    except ImportError:
        print("validate_fhir.py: the jsonschema package is missing (pip install jsonschema)", file=sys.stderr)
        return 2
    with gzip.open(SCHEMA, "rt", encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft6Validator(schema)
    failed = False
    for path in paths:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
        errors = list(explain(validator, schema, document, []))
        if not errors:
            print(f"{path}: valid FHIR R4 ({document.get('resourceType')})")
            continue
        failed = True
        print(f"{path}: {len(errors)} schema error(s)")
        for where, message in errors[:MAX_ERRORS]:
            print(f"  {'/'.join(str(p) for p in where) or '(root)'}: {message}")
    return 1 if failed else 0


def explain(validator, schema, instance, prefix):
    """Yield (path, message) for each error.

    The schema picks a resource type with a oneOf over all 146 of them, which
    hides the real cause; so a resource is checked against the definition its
    resourceType names (the schema's own discriminator), recursively.
    """
    mapping = schema.get("discriminator", {}).get("mapping", {})
    for error in validator.iter_errors(instance):
        yield from refine(validator, schema, mapping, error, prefix)


def refine(validator, schema, mapping, error, prefix):
    where = prefix + list(error.absolute_path)
    target = error.instance
    if error.validator == "oneOf" and isinstance(target, dict) and target.get("resourceType") in mapping:
        sub = validator.evolve(schema={"$ref": mapping[target["resourceType"]], "definitions": schema["definitions"]})
        for inner in sub.iter_errors(target):
            yield from refine(validator, schema, mapping, inner, where)
        return
    yield where, error.message


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
