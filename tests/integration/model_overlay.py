"""boto3 clients that know the members tools/model_overlay.json adds (AWS
added them after the botocore Debian ships), so tests can send them as a
newer SDK would."""
import atexit
import json
import os
import shutil
import tempfile

import boto3
import botocore.config
import botocore.session

from conftest import REGION, ROOT

_DATA_DIR = None


def _patched_data_dir():
    global _DATA_DIR
    if _DATA_DIR is None:
        with open(os.path.join(ROOT, "tools", "model_overlay.json"), encoding="utf-8") as f:
            overlay = json.load(f)
        loader = botocore.session.get_session().get_component("data_loader")
        _DATA_DIR = tempfile.mkdtemp(prefix="kura-models-")
        atexit.register(shutil.rmtree, _DATA_DIR, ignore_errors=True)
        for service, additions in overlay.items():
            if service.startswith("_"):
                continue
            version = loader.determine_latest_version(service, "service-2")
            model = loader.load_service_model(service, "service-2", version)
            for name, shape in additions.get("shapes", {}).items():
                model["shapes"].setdefault(name, shape)
            for name, members in additions.get("members", {}).items():
                for member, target in members.items():
                    model["shapes"][name]["members"].setdefault(member, target)
            folder = os.path.join(_DATA_DIR, service, version)
            os.makedirs(folder)
            with open(os.path.join(folder, "service-2.json"), "w", encoding="utf-8") as f:
                json.dump(model, f)
    return _DATA_DIR


def newer_client(server, service, key="test", secret="test"):
    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(0, _patched_data_dir())
    config = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=60)
    return boto3.Session(botocore_session=session).client(
        service, endpoint_url=server.endpoint, region_name=REGION, aws_access_key_id=key,
        aws_secret_access_key=secret, config=config)
