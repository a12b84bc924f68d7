#!/usr/bin/env python3
"""Copies newer AWS service models into tools/models/aws/.

Debian 12's python3-botocore (1.29, December 2022) predates members and
protocols AWS has added since (CloudWatch's Smithy RPC v2 CBOR, DynamoDB's
DeletionProtectionEnabled, KMS's RotateKeyOnDemand). The services listed
here are embedded from the copies this script writes instead: botocore's
service-2.json with the documentation dropped, committed with the version
they came from (tools/models/aws/SOURCE.json), so that the build needs
nothing beyond the repository and Debian's packages.

Usage: tools/update_models.py BOTOCORE_DATA_DIR VERSION
  BOTOCORE_DATA_DIR: a botocore release's botocore/data folder (from
  https://github.com/boto/botocore at the tag VERSION).
"""
import gzip
import json
import os
import sys

# botocore folder -> api version
NEWER = {
    "cloudwatch": "2010-08-01",
    "dynamodb": "2012-08-10",
    "dynamodbstreams": "2012-08-10",
    "kms": "2014-11-01",
}

DROP = {"documentation", "documentationUrl", "examples", "deprecatedMessage"}
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "models", "aws")


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in DROP}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def load(path):
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    with gzip.open(path + ".gz", "rt", encoding="utf-8") as f:
        return json.load(f)


def main():
    data_dir, version = sys.argv[1], sys.argv[2]
    for folder, api in sorted(NEWER.items()):
        model = strip(load(os.path.join(data_dir, folder, api, "service-2.json")))
        target = os.path.join(OUT, folder, api)
        os.makedirs(target, exist_ok=True)
        with open(os.path.join(target, "service-2.json"), "w", encoding="utf-8") as f:
            json.dump(model, f, indent=1, sort_keys=False)
            f.write("\n")
    with open(os.path.join(OUT, "SOURCE.json"), "w", encoding="utf-8") as f:
        json.dump({"source": "https://github.com/boto/botocore", "version": version,
                   "path": "botocore/data/<service>/<api version>/service-2.json",
                   "services": NEWER, "dropped": sorted(DROP)}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
