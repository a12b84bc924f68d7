"""Kura's API over HTTPS: with a certificate its own CA issues (--tls), whose
bundle clients verify it with, or with a configured chain and key
(--tls-cert-file, --tls-key-file). Real clients (boto3, the AWS CLI,
Python's ssl) on one side, raw sockets for what no client sends: plain HTTP
to the TLS port, a handshake that never comes."""
import http.client
import os
import signal
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request

import botocore.exceptions
import pytest

import conftest


@pytest.fixture(scope="module")
def tls_server(kura_factory):
    return kura_factory(["--tls"])


def health(server, context, timeout=5):
    with urllib.request.urlopen(server.endpoint + "/_kura/health", timeout=timeout, context=context) as response:
        return response.status


def served_certificate(server, cafile):
    """The certificate the server presents (as Python's ssl decodes it),
    verified against `cafile` for the name 127.0.0.1."""
    context = ssl.create_default_context(cafile=cafile)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return tls.getpeercert()


def make_ca_and_certificate(directory, name="server", days=2):
    """A CA of the test's own (RSA, as a public CA's chain often is) and a
    server certificate it signs for 127.0.0.1 and localhost. Returns
    (ca_pem_path, chain_path, key_path)."""
    os.makedirs(directory, exist_ok=True)
    ca_key, ca_pem = os.path.join(directory, "ca.key"), os.path.join(directory, "ca.pem")
    if not os.path.exists(ca_pem):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca_pem,
                        "-subj", "/CN=Test CA", "-days", "3",
                        "-addext", "basicConstraints=critical,CA:TRUE",
                        "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
                       check=True, capture_output=True)
    key, csr, chain = (os.path.join(directory, f"{name}.{ext}") for ext in ("key", "csr", "pem"))
    extensions = os.path.join(directory, f"{name}.ext")
    with open(extensions, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
                "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
                    "-subj", f"/CN={name}"], check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial",
                    "-out", chain, "-days", str(days), "-extfile", extensions], check=True, capture_output=True)
    os.chmod(key, 0o600)
    return ca_pem, chain, key


def test_boto3_verifies_the_server_with_the_ca_bundle(tls_server):
    assert tls_server.endpoint.startswith("https://")
    ddb = tls_server.client("dynamodb", verify=tls_server.ca_bundle)
    ddb.create_table(TableName="tls-orders", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    ddb.put_item(TableName="tls-orders", Item={"id": {"S": "1"}, "item": {"S": "book"}})
    item = ddb.get_item(TableName="tls-orders", Key={"id": {"S": "1"}}, ConsistentRead=True)["Item"]
    assert item == {"id": {"S": "1"}, "item": {"S": "book"}}


def test_the_bundle_served_over_https_is_the_one_that_verifies_it(tls_server):
    with urllib.request.urlopen(tls_server.endpoint + "/_kura/rds/ca-bundle.pem", timeout=5,
                                context=tls_server.ssl_context()) as response:
        served = response.read().decode()
    with open(tls_server.ca_bundle) as f:
        assert served == f.read()


def test_aws_cli_with_ca_bundle(tls_server):
    identity = tls_server.aws("sts", "get-caller-identity")
    assert identity["Account"] == "000000000000"
    assert "TableNames" in tls_server.aws("dynamodb", "list-tables")


def test_the_certificate_names_the_loopback_addresses_and_localhost(tls_server):
    cert = served_certificate(tls_server, tls_server.ca_bundle)
    names = {value for _, value in cert["subjectAltName"]}
    assert {"127.0.0.1", "localhost"} <= names
    assert any(value.startswith("0:0:0:0:0:0:0:1") or value == "::1" for value in names)
    context = ssl.create_default_context(cafile=tls_server.ca_bundle)
    with urllib.request.urlopen(f"https://localhost:{tls_server.port}/_kura/health", timeout=5,
                                context=context) as response:
        assert response.status == 200


def test_a_client_that_does_not_trust_the_ca_fails_verification(tls_server):
    ddb = tls_server.client("dynamodb", verify=True)  # the system's trust store only
    with pytest.raises(botocore.exceptions.SSLError):
        ddb.list_tables()
    with pytest.raises(urllib.error.URLError) as error:
        health(tls_server, ssl.create_default_context())
    assert isinstance(error.value.reason, ssl.SSLCertVerificationError)
    # The AWS CLI without --ca-bundle.
    cli = subprocess.run([conftest.AWS_CLI, "--endpoint-url", tls_server.endpoint, "sts", "get-caller-identity"],
                         capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                                  AWS_DEFAULT_REGION=conftest.REGION, AWS_MAX_ATTEMPTS="1"))
    assert cli.returncode != 0 and "SSL" in cli.stderr, cli.stderr


def test_plain_http_to_the_tls_port_is_refused_and_the_server_keeps_serving(tls_server):
    with socket.create_connection(("127.0.0.1", tls_server.port), timeout=10) as raw:
        raw.sendall(b"GET /_kura/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        try:
            answer = raw.recv(4096)
        except ConnectionResetError:
            answer = b""
    assert b"HTTP/1.1 200" not in answer and b"status" not in answer
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        connection = http.client.HTTPConnection("127.0.0.1", tls_server.port, timeout=10)
        connection.request("GET", "/_kura/health")
        connection.getresponse()
    assert health(tls_server, tls_server.ssl_context()) == 200


def test_tls_1_2_is_the_least_accepted(tls_server):
    context = tls_server.ssl_context()
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection(("127.0.0.1", tls_server.port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.version() == "TLSv1.2"
            assert "ECDHE" in tls.cipher()[0] and ("GCM" in tls.cipher()[0] or "CHACHA" in tls.cipher()[0])
    # TLS 1.1 (offered by OpenSSL's own client, which can still speak it):
    # the server answers with a protocol_version alert.
    old = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{tls_server.port}", "-tls1_1",
                          "-cipher", "ALL:@SECLEVEL=0"], input="", capture_output=True, text=True, timeout=30)
    assert "alert protocol version" in old.stdout + old.stderr, old.stdout + old.stderr


def test_renegotiation_is_refused(tls_server):
    # "R" asks OpenSSL's client to renegotiate (TLS 1.2 has it; 1.3 none).
    # Its input stays open: it ends only when the server closes.
    client = subprocess.Popen(["openssl", "s_client", "-connect", f"127.0.0.1:{tls_server.port}", "-tls1_2",
                               "-CAfile", tls_server.ca_bundle], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    give_up = threading.Timer(20, client.kill)  # a server that never closes fails the test, never hangs it
    give_up.start()
    try:
        client.stdin.write("R\n")
        client.stdin.flush()
        output = client.stdout.read()
    finally:
        give_up.cancel()
        client.kill()
        client.wait()
    assert "RENEGOTIATING" in output
    assert "no renegotiation" in output, output
    assert health(tls_server, tls_server.ssl_context()) == 200


def test_a_stalled_handshake_does_not_block_other_clients_and_is_closed(tls_server):
    stalled = [socket.create_connection(("127.0.0.1", tls_server.port), timeout=30) for _ in range(8)]
    # One that began a handshake (a record header) and stopped there.
    stalled[0].sendall(b"\x16\x03\x01\x02\x00")
    try:
        started = time.monotonic()
        for _ in range(3):
            assert health(tls_server, tls_server.ssl_context(), timeout=2) == 200
        ddb = tls_server.client("dynamodb")
        assert "TableNames" in ddb.list_tables()
        assert time.monotonic() - started < 5
        # The server gives up on them after its handshake timeout (10 s).
        for connection in stalled:
            try:
                assert connection.recv(16) == b""
            except ConnectionResetError:
                pass
        assert time.monotonic() - started < 25
    finally:
        for connection in stalled:
            connection.close()


def test_limits_hold_over_tls_a_body_too_large_gets_413(tls_server):
    connection = http.client.HTTPSConnection("127.0.0.1", tls_server.port, timeout=30,
                                             context=tls_server.ssl_context())
    body = b"x" * (17 * 1024 * 1024)
    try:
        connection.request("POST", "/", body=body, headers={"Content-Type": "application/x-amz-json-1.0"})
        response = connection.getresponse()
        assert response.status == 413
    except (ConnectionError, ssl.SSLError):
        pass  # answered and closed while the body was still being sent
    finally:
        connection.close()
    assert health(tls_server, tls_server.ssl_context()) == 200


def test_keep_alive_serves_many_requests_on_one_tls_connection(tls_server):
    connection = http.client.HTTPSConnection("127.0.0.1", tls_server.port, timeout=10,
                                             context=tls_server.ssl_context())
    try:
        for _ in range(20):
            connection.request("GET", "/_kura/health")
            response = connection.getresponse()
            assert response.status == 200
            response.read()
        assert connection.sock is not None
    finally:
        connection.close()


def test_past_the_connection_limit_health_is_still_answered_over_tls(kura_factory):
    server = kura_factory(["--tls", "--max-connections", "2"])
    held = []
    try:
        for _ in range(2):  # two handshaken, idle keep-alive connections
            connection = http.client.HTTPSConnection("127.0.0.1", server.port, timeout=10,
                                                     context=server.ssl_context())
            connection.request("GET", "/_kura/health")
            connection.getresponse().read()
            held.append(connection)
        assert health(server, server.ssl_context()) == 200
        with pytest.raises(botocore.exceptions.ClientError) as error:
            server.client("dynamodb").list_tables()
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    finally:
        for connection in held:
            connection.close()


def test_a_configured_certificate_is_served_and_reloaded_on_sighup(kura_factory, tmp_path):
    ca_pem, chain, key = make_ca_and_certificate(str(tmp_path), "first")
    server = kura_factory(["--tls-cert-file", chain, "--tls-key-file", key], ca_bundle=ca_pem)
    ddb = server.client("dynamodb")
    assert "TableNames" in ddb.list_tables()
    assert server.aws("sts", "get-caller-identity")["Account"] == "000000000000"
    first = served_certificate(server, ca_pem)
    assert dict(pair[0] for pair in first["subject"])["commonName"] == "first"
    # Kura's own CA did not issue it.
    with pytest.raises(ssl.SSLCertVerificationError):
        served_certificate(server, os.path.join(server.data_dir, "keys", "rds-ca.pem"))

    # Rotation: new files in place, then SIGHUP.
    _, new_chain, new_key = make_ca_and_certificate(str(tmp_path), "second")
    os.replace(new_key, key)
    os.replace(new_chain, chain)
    server.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while dict(pair[0] for pair in served_certificate(server, ca_pem)["subject"])["commonName"] != "second":
        assert time.monotonic() < deadline, server.read_log()[-2000:]
        time.sleep(0.1)
    assert server.proc.poll() is None
    assert "TableNames" in server.client("dynamodb").list_tables()
    assert "certificate was reloaded" in server.read_log()


def test_a_bad_rotation_leaves_the_certificate_before_served(kura_factory, tmp_path):
    ca_pem, chain, key = make_ca_and_certificate(str(tmp_path), "kept")
    server = kura_factory(["--tls-cert-file", chain, "--tls-key-file", key], ca_bundle=ca_pem)
    with open(key, "w") as f:
        f.write("not a key\n")
    server.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while "was not reloaded" not in server.read_log():
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert dict(pair[0] for pair in served_certificate(server, ca_pem)["subject"])["commonName"] == "kept"
    assert server.proc.poll() is None


def test_a_group_readable_key_file_is_refused_at_start(kura_factory, tmp_path):
    ca_pem, chain, key = make_ca_and_certificate(str(tmp_path), "open")
    os.chmod(key, 0o640)
    server = kura_factory(["--tls-cert-file", chain, "--tls-key-file", key], ca_bundle=ca_pem, start=False)
    with pytest.raises(RuntimeError, match="exited with 2"):
        server.start()
    log = server.read_log()
    assert "group or to others" in log and "chmod 600" in log, log[-2000:]


def test_a_certificate_without_its_key_is_refused_at_start(kura_factory, tmp_path):
    ca_pem, chain, _ = make_ca_and_certificate(str(tmp_path), "alone")
    server = kura_factory(["--tls-cert-file", chain], ca_bundle=ca_pem, start=False)
    with pytest.raises(RuntimeError, match="exited with 2"):
        server.start()
    assert "go together" in server.read_log()


def test_the_issued_certificate_is_kept_across_restarts(kura_factory):
    server = kura_factory(["--tls", "--tls-names", "kura.example.test"])
    before = served_certificate(server, server.ca_bundle)
    assert ("DNS", "kura.example.test") in before["subjectAltName"]
    server.restart(sigkill=False)
    after = served_certificate(server, server.ca_bundle)
    assert after["serialNumber"] == before["serialNumber"]
    key_mode = os.stat(os.path.join(server.data_dir, "keys", "api-server-key.pem")).st_mode & 0o777
    assert key_mode == 0o600


def test_tls_from_the_config_file(kura_factory, tmp_path):
    config = tmp_path / "kura.toml"
    config.write_text('[serve]\ntls = true\ntls_names = ["kura.example.test"]\n')
    server = kura_factory(["--config", str(config)], start=False)
    server.tls = True
    server.ca_bundle = os.path.join(server.data_dir, "keys", "rds-ca.pem")
    server.start()
    assert ("DNS", "kura.example.test") in served_certificate(server, server.ca_bundle)["subjectAltName"]
    # A setting Kura does not know stops the start with its name.
    config.write_text("tls = true\ntls-certificate = x\n")
    server.stop()
    with pytest.raises(RuntimeError, match="exited with 2"):
        server.start()
    assert "unknown setting 'tls-certificate'" in server.read_log()


def test_plain_http_off_loopback_is_warned_about(tmp_path):
    port = conftest.free_port()
    log_path = tmp_path / "kura.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([conftest.KURA_BIN, "serve", "--host", "0.0.0.0", "--port", str(port),
                                 "--data-dir", str(tmp_path / "data"), "--engine-port-first", "39900",
                                 "--engine-port-last", "39909"],
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                env=dict(os.environ, KURA_ACCESS_KEY_ID="AKIDTLSTEST", KURA_SECRET_ACCESS_KEY="s3cret"))
    try:
        deadline = time.monotonic() + 30
        while "kura is serving" not in log_path.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()[-2000:]
            time.sleep(0.1)
        assert "serving plain HTTP on a non-loopback address" in log_path.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def test_plain_http_on_loopback_stays_the_default(kura):
    assert kura.endpoint.startswith("http://")
    assert health(kura, None) == 200
    assert "non-loopback" not in kura.read_log()
