#!/usr/bin/python3
"""Checks Kubernetes YAML against the Kubernetes API's own models.

Usage: kube-schema-check.py FILE|-   (exit 0: every document is valid)

Each document is deserialized into the model classes of Debian's
python3-kubernetes (the OpenAPI-generated client: V1Pod, V1Deployment,
V1Service, V1PersistentVolumeClaim, ...) strictly: a key the model does
not have is an error (the client's own deserializer drops it silently),
a required field that is missing is an error (the models' client-side
validation), and every value must have the type the model declares
(str, int, bool, a model, a list or map of them; IntOrString and
Quantity fields take a string or an integer). Not pc's parser: the
models come from the Kubernetes API's OpenAPI definitions.
"""
import re
import sys

import yaml
from kubernetes import client

KINDS = {
    ("v1", "Pod"): client.V1Pod,
    ("v1", "Service"): client.V1Service,
    ("v1", "PersistentVolumeClaim"): client.V1PersistentVolumeClaim,
    ("v1", "ConfigMap"): client.V1ConfigMap,
    ("v1", "Secret"): client.V1Secret,
    ("apps/v1", "Deployment"): client.V1Deployment,
    ("apps/v1", "DaemonSet"): client.V1DaemonSet,
    ("batch/v1", "Job"): client.V1Job,
}

# The generated models type these as 'object' (intstr.IntOrString,
# resource.Quantity, RawExtension...): strings or integers.
LOOSE = {"object"}


class Invalid(Exception):
    pass


def check(value, typ, path):
    if value is None:
        return None
    m = re.match(r"list\[(.*)\]$", typ)
    if m:
        if not isinstance(value, list):
            raise Invalid(f"{path}: expected a list, got {type(value).__name__}")
        return [check(v, m.group(1), f"{path}[{i}]") for i, v in enumerate(value)]
    m = re.match(r"dict\(([^,]*), (.*)\)$", typ)
    if m:
        if not isinstance(value, dict):
            raise Invalid(f"{path}: expected a map, got {type(value).__name__}")
        return {k: check(v, m.group(2), f"{path}.{k}") for k, v in value.items()}
    if typ == "str":
        if not isinstance(value, str):
            raise Invalid(f"{path}: expected a string, got {type(value).__name__} {value!r}")
        return value
    if typ == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"{path}: expected an integer, got {type(value).__name__} {value!r}")
        return value
    if typ == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid(f"{path}: expected a number, got {value!r}")
        return value
    if typ == "bool":
        if not isinstance(value, bool):
            raise Invalid(f"{path}: expected a boolean, got {type(value).__name__} {value!r}")
        return value
    if typ == "datetime":
        return value
    if typ in LOOSE:
        if isinstance(value, bool) or not isinstance(value, (str, int, float, dict, list)):
            raise Invalid(f"{path}: unexpected {value!r}")
        return value
    cls = getattr(client, typ, None) or getattr(client.models, typ, None)
    if cls is None:
        raise Invalid(f"{path}: unknown model type {typ}")
    if not isinstance(value, dict):
        raise Invalid(f"{path}: expected a map ({typ}), got {type(value).__name__}")
    by_json = {j: a for a, j in cls.attribute_map.items()}
    kwargs = {}
    for key, v in value.items():
        if key not in by_json:
            raise Invalid(f"{path}: unknown field \"{key}\" in {typ}")
        attr = by_json[key]
        kwargs[attr] = check(v, cls.openapi_types[attr], f"{path}.{key}")
    cfg = client.Configuration()
    cfg.client_side_validation = True
    try:
        return cls(local_vars_configuration=cfg, **kwargs)
    except ValueError as e:
        raise Invalid(f"{path} ({typ}): {e}")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    src = sys.stdin if sys.argv[1] == "-" else open(sys.argv[1])
    docs = [d for d in yaml.safe_load_all(src) if d is not None]
    if not docs:
        print("no documents", file=sys.stderr)
        return 1
    bad = 0
    for i, d in enumerate(docs):
        try:
            if not isinstance(d, dict):
                raise Invalid("a document must be a map")
            key = (d.get("apiVersion"), d.get("kind"))
            cls = KINDS.get(key)
            if cls is None:
                raise Invalid(f"apiVersion/kind {key[0]}/{key[1]} is not one this checker knows")
            check(d, cls.__name__, d.get("kind"))
            print(f"ok {i + 1} - {key[1]} {d.get('metadata', {}).get('name', '')}")
        except Invalid as e:
            bad += 1
            print(f"not ok {i + 1} - {e}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
