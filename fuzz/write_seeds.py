#!/usr/bin/env python3
"""Writes seed inputs for the fuzz targets: input nested at, just past and
far past each of Kura's limits (JSON bodies 128 levels, attribute values 32,
expression and PartiQL nesting 64, query form names 64 parts), so that every
run starts at the edges where the stack overflowed before the limits.

fuzz/write_seeds.py CORPUS_ROOT: one folder per target under CORPUS_ROOT
(scripts/fuzz.sh passes build/fuzz/corpus); existing files are kept.
"""
import datetime
import json
import os
import sys


def brackets(depth, open_="[", close="]"):
    return open_ * depth + close * depth


def attribute(levels):
    value = {"S": "bottom"}
    for i in range(levels):
        value = {"M": {"m": value}} if i % 2 else {"L": [value]}
    return value


def seeds():
    json_body = {
        "deep-127": '{"Zzz":' + brackets(127) + "}",
        "deep-128": '{"Zzz":' + brackets(128) + "}",
        "deep-2000": '{"Zzz":' + brackets(2000) + "}",
        "deep-objects": '{"a":' * 200 + "1" + "}" * 200,
        "brackets-in-strings": '{"a":"' + "[" * 300 + '\\"' + '","b":"\\\\"}',
        "item-32": json.dumps({"TableName": "t", "Item": {"k": {"S": "x"}, "v": attribute(32)}}),
        "item-33": json.dumps({"TableName": "t", "Item": {"k": {"S": "x"}, "v": attribute(33)}}),
        "secret": json.dumps({"KeyId": "k", "Plaintext": "cGxhaW4=", "SecretString": "s", "MasterUserPassword": "p"}),
    }
    expressions = {
        "parens-30": "(" * 30 + "age = :v" + ")" * 30,
        "parens-2000": "(" * 2000 + "age = :v" + ")" * 2000,
        "not-100": "NOT " * 100 + "age = :v",
        "list-append-100": "SET l = " + "list_append(" * 100 + ":l" + ", :l)" * 100,
        "contains-set": "contains(ns, :ns) OR contains(t, :t) OR contains(ns, :v)",
        "nested-set": "SET m.k = :l, m.k2 = if_not_exists(m.k3, :v)",
        "and-chain": " AND ".join(["age = :v"] * 300),
        "deep-path": "SET " + ".".join(["m"] * 500) + " = :v",
    }
    partiql = {
        "list-100": "INSERT INTO t VALUE {'k': " + brackets(100) + "}",
        "map-40": "INSERT INTO t VALUE " + "{'a': " * 40 + "1" + "}" * 40,
        "parens-100": "SELECT * FROM t WHERE " + "(" * 100 + "k = 1" + ")" * 100,
        "not-100": "SELECT * FROM t WHERE " + "NOT " * 100 + "k = 1",
        "set-contains": "SELECT * FROM t WHERE contains(s, <<1, 2>>)",
    }
    name64 = "Filters.Filter.1.Values" + ".Value.1" * 30  # 64 parts: the most a name may have
    query_form = {
        "parts-64": "Action=DescribeDBInstances&" + name64 + "=x",
        "parts-65": "Action=DescribeDBInstances&" + name64 + ".y=x",
        "parts-5000": "Action=DescribeDBInstances&Filters" + ".member.1" * 2500 + "=x",
        "filters": "Action=DescribeDBInstances&Filters.Filter.1.Name=engine&Filters.Filter.1.Values.Value.1=postgres",
    }
    item_text = {
        "deep-item": "a\n" + json.dumps({"k": {"S": "x"}, "v": attribute(40)}, separators=(",", ":")),
        "deep-raw": "a\n" + '{"v":' + brackets(3000) + "}",
    }
    # CBOR: a map {"Zzz": ...} around arrays (0x81) or tags (0xc1) nested deep.
    cbor_body = {
        "deep-arrays-127": b"\xa1\x63Zzz" + b"\x81" * 126 + b"\x00",
        "deep-arrays-2000": b"\xa1\x63Zzz" + b"\x81" * 2000 + b"\x00",
        "deep-tags-2000": b"\xa1\x63Zzz" + b"\xc1" * 2000 + b"\x00",
        "metric": b"\xa2\x69Namespace\x61N\x6aMetricData\x81\xa2\x6aMetricName\x61M\x69Timestamp\xc1\x00",
    }
    # Requests as the API listener reads them: signed, chunked, folded, duplicated fields.
    http_request = {
        "getitem": "POST / HTTP/1.1\r\nHost: h\r\nX-Amz-Target: DynamoDB_20120810.GetItem\r\n"
                   "Authorization: AWS4-HMAC-SHA256 Credential=a/20261205/r/dynamodb/aws4_request, "
                   "SignedHeaders=host, Signature=00\r\nContent-Length: 2\r\n\r\n{}",
        "chunked": "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "5;x=1\r\nhello\r\n0\r\nT: t\r\n\r\n",
        "fields": "GET /?Action=A HTTP/1.0\r\nX-A:  1 \t\r\nx-a: 2\r\nConnection: keep-alive, close\r\n\r\n",
    }
    # Signed requests as the SigV4 fuzzer reads them (target, headers, body),
    # dated now so that the signature itself is checked: SigV4 and SigV4a
    # (its DER signature), in a header and presigned.
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    der = "3045022100" + "ab" * 32 + "0220" + "cd" * 32
    sigv4 = {
        "v4-header": f"/\nHost:h\nX-Amz-Date:{amz_date}\nAuthorization:AWS4-HMAC-SHA256 "
                     f"Credential=test/{day}/r/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, "
                     f"Signature={'0' * 64}\n\n{{}}",
        "v4a-header": f"/a/../b\nHost:h\nX-Amz-Date:{amz_date}\nX-Amz-Region-Set:us-east-1\n"
                      f"Authorization:AWS4-ECDSA-P256-SHA256 Credential=test/{day}/dynamodb/aws4_request, "
                      f"SignedHeaders=host;x-amz-date;x-amz-region-set, Signature={der}\n\n{{}}",
        "v4a-query": f"/?X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=test%2F{day}%2Fdynamodb%2F"
                     f"aws4_request&X-Amz-Date={amz_date}&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&"
                     f"X-Amz-Region-Set=us-east-1&X-Amz-Signature={der}\nHost:h\n\n",
    }
    # The fast JSON path's judge: the JSON bodies, and numbers and strings at its edges.
    fast_json = dict(json_body)
    fast_json.update({
        "numbers": '{"a":[0,-0,-0.0,1e2,-1E-2,9223372036854775807,9223372036854775808,18446744073709551615,'
                   '18446744073709551616,-9223372036854775808,-9223372036854775809,1.7976931348623157e308]}',
        "strings": '{"s":"item-0","t":"a\\"b\\\\c\\n\\/","u":"\\ud83d\\ude00","d":{"k":1,"k":2}}',
        "item": '{"TableName":"t","Item":{"k":{"S":"' + "x" * 1000 + '"},"n":{"N":"-0"},"b":{"BOOL":true}}}',
        # what the fast path takes whole (no -0 number, no \u escape)
        "fast-numbers": '{"a":[0,-0.0,1e2,-1E-2,9223372036854775807,9223372036854775808,18446744073709551615,'
                        '-9223372036854775808,1.7976931348623157e308,5e-324,-12,3.25]}',
        "fast-strings": '{"s":"item-0","t":"a\\"b\\\\c\\n\\/\\t\\b\\f\\r","d":{"k":1,"k":{"x":[]}},"":"empty key",'
                        '"utf":"日本語 ✓ 😀"}',
    })
    return {"sigv4_fuzz": sigv4, "json_body_fuzz": json_body, "json_fast_parse_fuzz": fast_json, "http_request_fuzz": http_request, "cbor_body_fuzz": cbor_body, "ddb_expression_fuzz": expressions, "partiql_fuzz": partiql,
            "query_form_fuzz": query_form, "item_text_fuzz": item_text}


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "build/fuzz/corpus"
    for target, inputs in seeds().items():
        folder = os.path.join(root, target)
        os.makedirs(folder, exist_ok=True)
        for name, text in inputs.items():
            data = text if isinstance(text, bytes) else text.encode("utf-8")
            with open(os.path.join(folder, "seed-" + name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
