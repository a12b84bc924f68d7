"""DescribeDBInstances' pages read their instances' tags and read replicas
once for the whole page, and keep each instance's view of its record from
one page to the next (by the record's version): each instance's answer is
the same, byte for byte, in a page (kept or not) and described alone, and
every change (tags, a modification, a status) shows on the very next call."""
import re
import time
import urllib.parse

import pytest

from raw_http import FORM_HEADERS, send_signed
from rds_support import create_instance, wait_status


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory()


def describe_xml(server, **params):
    """The DBInstance elements of a DescribeDBInstances answer, as sent."""
    body = urllib.parse.urlencode(dict(Action="DescribeDBInstances", Version="2014-10-31", **params))
    status, _, answer = send_signed(server.endpoint, "rds", headers=FORM_HEADERS, body=body.encode())
    assert status == 200, answer
    return re.findall(rb"<DBInstance>.*?</DBInstance>", answer, re.S)


def page_entry(rds, name):
    page = rds.describe_db_instances(MaxRecords=20)["DBInstances"]
    return next(i for i in page if i["DBInstanceIdentifier"] == name)


def test_page_and_single_describe_answer_the_same_bytes(server):
    rds = server.client("rds")
    create_instance(rds, "pages-a", BackupRetentionPeriod=0)
    rds.add_tags_to_resource(ResourceName="arn:aws:rds:ap-northeast-1:000000000000:db:pages-a",
                             Tags=[{"Key": "team", "Value": "a & <b>"}, {"Key": "env", "Value": "test"}])
    create_instance(rds, "pages-b", BackupRetentionPeriod=0)
    for _ in range(5):  # the supervisor may write a record meanwhile: compare within one unchanged page
        page = describe_xml(server, MaxRecords="20")
        assert len(page) == 2
        alone = [describe_xml(server, DBInstanceIdentifier=name) for name in ("pages-a", "pages-b")]
        filtered = [describe_xml(server, **{"Filters.Filter.1.Name": "db-instance-id",
                                            "Filters.Filter.1.Values.Value.1": name})
                    for name in ("pages-a", "pages-b")]
        if describe_xml(server, MaxRecords="20") == page:
            break
    assert alone == [[entry] for entry in page]
    assert filtered == [[entry] for entry in page]
    # Tags in key order, escaped, on their own instance only.
    assert b"<TagList><Tag><Key>env</Key><Value>test</Value></Tag><Tag><Key>team</Key>" \
           b"<Value>a &amp; &lt;b&gt;</Value></Tag></TagList>" in page[0]
    assert b"<TagList></TagList>" in page[1]


def test_changes_show_on_the_next_page(server):
    rds = server.client("rds")
    arn = "arn:aws:rds:ap-northeast-1:000000000000:db:pages-a"
    wait_status(rds, "pages-a", "available")
    assert page_entry(rds, "pages-a")["DBInstanceStatus"] == "available"
    rds.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "added", "Value": "1"}])
    assert {"Key": "added", "Value": "1"} in page_entry(rds, "pages-a")["TagList"]
    rds.remove_tags_from_resource(ResourceName=arn, TagKeys=["added", "team"])
    assert page_entry(rds, "pages-a")["TagList"] == [{"Key": "env", "Value": "test"}]
    rds.modify_db_instance(DBInstanceIdentifier="pages-a", DeletionProtection=True, ApplyImmediately=True)
    assert page_entry(rds, "pages-a")["DeletionProtection"] is True
    rds.modify_db_instance(DBInstanceIdentifier="pages-a", DeletionProtection=False, ApplyImmediately=True)
    assert page_entry(rds, "pages-a")["DeletionProtection"] is False
    rds.stop_db_instance(DBInstanceIdentifier="pages-a")
    assert page_entry(rds, "pages-a")["DBInstanceStatus"] in ("stopping", "stopped")
    wait_status(rds, "pages-a", "stopped")
    assert page_entry(rds, "pages-a")["DBInstanceStatus"] == "stopped"
    # Another instance's tags never show on this one.
    rds.add_tags_to_resource(ResourceName="arn:aws:rds:ap-northeast-1:000000000000:db:pages-b",
                             Tags=[{"Key": "only-b", "Value": "x"}])
    assert page_entry(rds, "pages-a")["TagList"] == [{"Key": "env", "Value": "test"}]
    assert page_entry(rds, "pages-b")["TagList"] == [{"Key": "only-b", "Value": "x"}]


def test_a_deleted_instance_leaves_the_page(server):
    rds = server.client("rds")
    assert "pages-b" in [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]]
    rds.delete_db_instance(DBInstanceIdentifier="pages-b", SkipFinalSnapshot=True)
    for _ in range(600):
        names = {i["DBInstanceIdentifier"]: i["DBInstanceStatus"] for i in rds.describe_db_instances()["DBInstances"]}
        if "pages-b" not in names:
            break
        assert names["pages-b"] == "deleting"
        time.sleep(0.1)
    assert "pages-b" not in names
    assert "pages-a" in names
