"""CloudTrail's trail API describes Kura's own trail as it is: one trail,
always on, every region's calls, log files validated by signed digests, no
S3 bucket. Its status times are those of the caller's account's own
records (here, the only account: those of the files on disk); the calls
that would make, change or stop a trail are refused as unsupported."""
import datetime
import os
import time

import botocore.exceptions
import pytest


def error_code(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"]


def newest_mtime(folder):
    paths = [os.path.join(folder, name) for name in os.listdir(folder)]
    return max(os.path.getmtime(p) for p in paths)


def test_own_trail_is_described_truthfully(kura_factory):
    server = kura_factory(["--trail-digest-interval", "1", "--trail-retention-days", "400"])
    ct = server.client("cloudtrail")
    server.client("kms").create_key(Description="a change the trail records")

    trails = ct.describe_trails()["trailList"]
    assert len(trails) == 1
    trail = trails[0]
    assert trail["Name"] == "kura" and trail["LogFileValidationEnabled"] is True
    assert trail["IsMultiRegionTrail"] is True and trail["IsOrganizationTrail"] is False
    assert "S3BucketName" not in trail and "KmsKeyId" not in trail
    arn = trail["TrailARN"]
    assert arn.startswith("arn:aws:cloudtrail:") and arn.endswith(":trail/kura")
    assert ct.describe_trails(trailNameList=[arn])["trailList"] == trails
    assert ct.describe_trails(trailNameList=["another"])["trailList"] == []
    assert ct.get_trail(Name="kura")["Trail"] == trail
    assert ct.list_trails()["Trails"] == [{"TrailARN": arn, "Name": "kura", "HomeRegion": trail["HomeRegion"]}]

    # The status says when the account's newest record was written and the
    # digest after it (sealed every second here): with one account making
    # every call, the newest log file and the newest digest.
    deadline = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=20)
    while not os.listdir(os.path.join(server.data_dir, "trail", "digests")):
        assert datetime.datetime.now(datetime.timezone.utc) < deadline
        time.sleep(0.1)
    status = ct.get_trail_status(Name=arn)
    assert status["IsLogging"] is True
    assert status["StartLoggingTime"] <= datetime.datetime.now(datetime.timezone.utc)
    logs_written = newest_mtime(os.path.join(server.data_dir, "trail", "logs"))
    assert abs(status["LatestDeliveryTime"].timestamp() - logs_written) < 1.5
    digests_written = newest_mtime(os.path.join(server.data_dir, "trail", "digests"))
    assert abs(status["LatestDigestDeliveryTime"].timestamp() - digests_written) < 1.5

    selectors = ct.get_event_selectors(TrailName="kura")
    assert selectors["TrailARN"] == arn and "EventSelectors" not in selectors
    categories = [s["FieldSelectors"][0]["Equals"] for s in selectors["AdvancedEventSelectors"]]
    assert ["Management"] in categories and ["Data"] in categories
    # Where its events are kept, and how long: --trail-retention-days.
    stores = ct.list_event_data_stores()["EventDataStores"]
    assert [s["Name"] for s in stores] == ["kura"]
    store = ct.get_event_data_store(EventDataStore=stores[0]["EventDataStoreArn"])
    assert store["RetentionPeriod"] == 400 and store["Status"] == "ENABLED"
    assert store["MultiRegionEnabled"] is True and store["TerminationProtectionEnabled"] is True
    assert error_code(ct.get_event_data_store, EventDataStore="other") == "EventDataStoreNotFoundException"
    # What the selectors say is what the trail holds: the management call above.
    names = [e["EventName"] for e in ct.lookup_events(MaxResults=50)["Events"]]
    assert "CreateKey" in names


def test_other_trails_and_changes_are_refused(kura_factory):
    server = kura_factory()
    ct = server.client("cloudtrail")
    for call, kwargs in [(ct.get_trail, {"Name": "audit"}), (ct.get_trail_status, {"Name": "audit"}),
                         (ct.get_event_selectors, {"TrailName": "audit"}), (ct.start_logging, {"Name": "audit"})]:
        assert error_code(call, **kwargs) == "TrailNotFoundException"
    for call, kwargs in [(ct.create_trail, {"Name": "audit", "S3BucketName": "bucket"}),
                         (ct.delete_trail, {"Name": "kura"}), (ct.stop_logging, {"Name": "kura"}),
                         (ct.update_trail, {"Name": "kura", "EnableLogFileValidation": False})]:
        assert error_code(call, **kwargs) == "UnsupportedOperationException"
    ct.start_logging(Name="kura")  # it is logging, and stays so
    assert ct.get_trail_status(Name="kura")["IsLogging"] is True
    assert len(ct.describe_trails()["trailList"]) == 1


def test_trail_off_is_reported_not_logging(kura_factory):
    server = kura_factory(["--trail", "off"])
    ct = server.client("cloudtrail")
    assert ct.get_trail_status(Name="kura")["IsLogging"] is False
    assert error_code(ct.start_logging, Name="kura") == "UnsupportedOperationException"
