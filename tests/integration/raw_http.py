"""Hand-made requests for the cases an SDK never sends: no signature, a
signature from the past, malformed bodies. Signing uses botocore's own
SigV4Auth, so a valid request here is exactly what the SDKs send."""
import contextlib
import datetime
import http.client
import urllib.parse
from unittest import mock

import botocore.auth
import botocore.awsrequest
import botocore.credentials


@contextlib.contextmanager
def clock_at(when):
    """Makes botocore's signers (pure Python and CRT) sign as if it were `when`."""
    with mock.patch("botocore.auth.datetime") as fake:
        fake.datetime.utcnow.return_value = when
        fake.datetime.now.return_value = when
        patches = []
        try:
            import botocore.crt.auth  # noqa: F401
            patches.append(mock.patch("botocore.crt.auth.datetime"))
        except ImportError:
            pass
        fakes = [p.start() for p in patches]
        for f in fakes:
            f.datetime.utcnow.return_value = when
            f.datetime.now.return_value = when
            f.timezone = datetime.timezone
        try:
            yield
        finally:
            for p in patches:
                p.stop()


def sign(endpoint, service, method="POST", path="/", headers=None, body=b"", key="test", secret="test",
         region="ap-northeast-1", when=None):
    request = botocore.awsrequest.AWSRequest(method=method, url=endpoint + path, data=body, headers=headers or {})
    credentials = botocore.credentials.Credentials(key, secret)
    signer = botocore.auth.SigV4Auth(credentials, service, region)
    if when is None:
        signer.add_auth(request)
    else:
        with mock.patch("botocore.auth.datetime") as fake:
            fake.datetime.utcnow.return_value = when
            fake.datetime.now.return_value = when
            signer.add_auth(request)
    return request


def send(endpoint, method="POST", path="/", headers=None, body=b"", conn=None):
    parsed = urllib.parse.urlparse(endpoint)
    own = conn is None
    conn = conn or http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=dict(headers or {}))
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        if own:
            conn.close()


def send_signed(endpoint, service, method="POST", path="/", headers=None, body=b"", conn=None, **sign_args):
    request = sign(endpoint, service, method, path, headers, body, **sign_args)
    return send(endpoint, method, path, dict(request.headers.items()), body, conn)


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


DDB_HEADERS = {"Content-Type": "application/x-amz-json-1.0"}
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def ddb_headers(operation):
    return dict(DDB_HEADERS, **{"X-Amz-Target": "DynamoDB_20120810." + operation})
