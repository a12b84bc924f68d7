#!/usr/bin/env python3
"""Embeds the official AWS service models in the kura binary.

Reads botocore's service-2.json for each service Kura speaks (Debian's
python3-botocore ships them; what the newer copies in tools/models/aws/,
written by tools/update_models.py with their botocore version, add to them
is merged in), drops the documentation strings (most of the
bytes), and writes a C++ source that holds each model as JSON text. The
protocol layer parses them at start-up: the models are the specification.
"""
import gzip
import json
import os
import sys

# signing name -> (botocore folder, api version)
SERVICES = {
    "sts": ("sts", "2011-06-15"),
    "rds": ("rds", "2014-10-31"),
    "dynamodb": ("dynamodb", "2012-08-10"),
    # Signed as "dynamodb" too: told apart by its X-Amz-Target prefix.
    "dynamodbstreams": ("dynamodbstreams", "2012-08-10"),
    "elasticache": ("elasticache", "2015-02-02"),
    "kms": ("kms", "2014-11-01"),
    "secretsmanager": ("secretsmanager", "2017-10-17"),
    "cloudtrail": ("cloudtrail", "2013-11-01"),
    "logs": ("logs", "2014-03-28"),
    "monitoring": ("cloudwatch", "2010-08-01"),
    "ec2": ("ec2", "2016-11-15"),
    "iam": ("iam", "2010-05-08"),
    "application-autoscaling": ("application-autoscaling", "2016-02-06"),
}

# signing name -> Kura's own service models (tools/models/, laid out as
# botocore's data, so that AWS_DATA_PATH=tools/models gives the AWS CLI and
# boto3 them too): the APIs AWS
# lacks, such as fault injection for `kura drill` (docs/drill.md).
LOCAL_MODELS = {
    "kura": "models/kura/2026-12-01/service-2.json",
}

DROP = {"documentation", "documentationUrl", "examples", "deprecatedMessage"}


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in DROP}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def find_data_dir():
    # Debian's before whichever botocore the running Python has: the build
    # embeds the same models whichever python3 CMake found.
    candidates = [os.environ.get("KURA_BOTOCORE_DATA", ""), "/usr/lib/python3/dist-packages/botocore/data"]
    try:
        import botocore  # noqa: PLC0415

        candidates.append(os.path.join(os.path.dirname(botocore.__file__), "data"))
    except ImportError:
        pass
    for path in candidates:
        if path and os.path.isdir(path):
            return path
    sys.exit("gen_models.py: botocore's data folder not found (install python3-botocore)")


def load(path):
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    with gzip.open(path + ".gz", "rt", encoding="utf-8") as f:
        return json.load(f)


NEWER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models", "aws")
# What a newer model's metadata says of the protocols it is spoken in.
PROTOCOL_METADATA = ("protocol", "protocols", "awsQueryCompatible", "targetPrefix", "jsonVersion")


def merge_newer(model, folder, version):
    """Adds what the committed newer copy of the model (tools/models/aws/)
    has and Debian's lacks: operations, shapes, structure members, enum
    values, and the protocols it lists. What both have stays Debian's:
    Kura's answers and messages were measured against those shapes, and a
    newer model's looser bounds (DynamoDB's TableName now takes an ARN of up
    to 1024 characters) would change them unseen."""
    path = os.path.join(NEWER, folder, version, "service-2.json")
    if not os.path.exists(path):
        return model
    newer = load(path)
    for key in PROTOCOL_METADATA:
        if key in newer["metadata"]:
            model["metadata"][key] = newer["metadata"][key]
    for name, operation in newer["operations"].items():
        model["operations"].setdefault(name, operation)
    for name, shape in newer["shapes"].items():
        old = model["shapes"].setdefault(name, shape)
        if old is shape or old.get("type") != shape.get("type"):
            continue
        for member, target in shape.get("members", {}).items():
            old.setdefault("members", {}).setdefault(member, target)
        if "enum" in old and "enum" in shape:
            old["enum"] += [value for value in shape["enum"] if value not in old["enum"]]
    return model


OVERLAY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model_overlay.json")


def apply_overlay(folder, model):
    """Adds the members of tools/model_overlay.json that the model lacks."""
    with open(OVERLAY, encoding="utf-8") as f:
        overlay = json.load(f).get(folder, {})
    for name, shape in overlay.get("shapes", {}).items():
        model["shapes"].setdefault(name, shape)
    for name, members in overlay.get("members", {}).items():
        for member, target in members.items():
            model["shapes"][name]["members"].setdefault(member, target)
    # The order the service lists an enum's values in its messages, where it
    # is not the model's ("Member must satisfy enum value set: [B, N, S]").
    for name, order in overlay.get("enumOrder", {}).items():
        shape = model["shapes"].get(name)
        if shape is not None and sorted(shape.get("enum", [])) == sorted(order):
            shape["enum"] = order
    return model


def cxx_literal_chunks(text, size=16000):
    # Adjacent raw string literals; each stays short for every compiler.
    for start in range(0, len(text), size):
        chunk = text[start:start + size]
        yield 'R"KURAMODEL(' + chunk + ')KURAMODEL"'


def main():
    out_path = sys.argv[1]
    data_dir = find_data_dir()
    lines = [
        "// Generated by tools/gen_models.py from botocore's service models. Do not edit.",
        '#include "protocol/embedded_models.h"',
        "namespace kura {",
        "namespace {",
    ]
    entries = []
    for index, (signing, (folder, version)) in enumerate(sorted(SERVICES.items())):
        model = merge_newer(strip(load(os.path.join(data_dir, folder, version, "service-2.json"))), folder, version)
        model = apply_overlay(folder, model)
        text = json.dumps(model, separators=(",", ":"))
        lines.append(f"const char kModel{index}[] =")
        lines.extend("  " + chunk for chunk in cxx_literal_chunks(text))
        lines.append(";")
        entries.append(f'    {{"{signing}", std::string_view(kModel{index}, sizeof(kModel{index}) - 1)}},')
    here = os.path.dirname(os.path.abspath(__file__))
    for index, (signing, path) in enumerate(sorted(LOCAL_MODELS.items()), start=len(SERVICES)):
        text = json.dumps(strip(load(os.path.join(here, path))), separators=(",", ":"))
        lines.append(f"const char kModel{index}[] =")
        lines.extend("  " + chunk for chunk in cxx_literal_chunks(text))
        lines.append(";")
        entries.append(f'    {{"{signing}", std::string_view(kModel{index}, sizeof(kModel{index}) - 1)}},')
    lines.append("}  // namespace")
    lines.append("const std::vector<EmbeddedModel>& embeddedModels() {")
    lines.append("  static const std::vector<EmbeddedModel> models = {")
    lines.extend(entries)
    lines.append("  };")
    lines.append("  return models;")
    lines.append("}")
    lines.append("}  // namespace kura")
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, out_path)


if __name__ == "__main__":
    main()
