"""List calls page by a position, not by reading everything: walking every
page of ListTables, DescribeDBParameterGroups (stored groups among the
default ones) and ListKeys returns each resource exactly once, in order,
with the page size asked for, and an unknown position starts after it;
ListSecrets pages by a secret's place in creation order, so secrets made
between pages neither repeat nor shift the others.
(bench/control_plane_scale.py measures that a page costs the same at 10
and at 10,000 resources.)"""
import pytest


@pytest.fixture(scope="module")
def server(kura_factory):
    # A server of its own: the shared one holds other tests' resources.
    return kura_factory([])


def walk(call, items_of, token_of, token_arg, **kwargs):
    pages, items, token = [], [], None
    for _ in range(100):
        answer = call(**kwargs, **({token_arg: token} if token else {}))
        pages.append(items_of(answer))
        items += items_of(answer)
        token = token_of(answer)
        if not token:
            return pages, items
    raise AssertionError("pages never ended")


def test_list_tables_pages(server):
    ddb = server.client("dynamodb")
    names = sorted(f"page-{i:03d}" for i in range(230))
    for name in names:
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    pages, listed = walk(ddb.list_tables, lambda a: a["TableNames"], lambda a: a.get("LastEvaluatedTableName"),
                         "ExclusiveStartTableName", Limit=100)
    assert listed == names
    assert [len(p) for p in pages] == [100, 100, 30]
    # Exactly a multiple of the page: the last full page names no next one
    # it cannot fill (DynamoDB may; Kura knows there is none).
    pages, listed = walk(ddb.list_tables, lambda a: a["TableNames"], lambda a: a.get("LastEvaluatedTableName"),
                         "ExclusiveStartTableName", Limit=23)
    assert listed == names and len(pages) == 10
    # A position that names no table starts after where it would be.
    after = ddb.list_tables(ExclusiveStartTableName="page-099a", Limit=3)["TableNames"]
    assert after == ["page-100", "page-101", "page-102"]


def test_parameter_group_pages_merge_stored_and_default_groups(server):
    rds = server.client("rds")
    defaults = [g["DBParameterGroupName"] for g in rds.describe_db_parameter_groups(MaxRecords=100)["DBParameterGroups"]]
    assert defaults and all(name.startswith("default.") for name in defaults)
    # Names on both sides of the defaults in byte order.
    stored = [f"a-group-{i:02d}" for i in range(25)] + [f"z-group-{i:02d}" for i in range(25)]
    for name in stored:
        rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily="postgres15",
                                      Description="pages")
    pages, listed = walk(rds.describe_db_parameter_groups,
                         lambda a: [g["DBParameterGroupName"] for g in a["DBParameterGroups"]],
                         lambda a: a.get("Marker"), "Marker", MaxRecords=20)
    assert listed == sorted(stored + defaults)
    assert all(len(p) == 20 for p in pages[:-1]) and 0 < len(pages[-1]) <= 20


def test_list_keys_pages(server):
    kms = server.client("kms")
    made = {kms.create_key(Description=f"page {i}")["KeyMetadata"]["KeyId"] for i in range(25)}
    pages, listed = walk(kms.list_keys, lambda a: [k["KeyId"] for k in a["Keys"]],
                         lambda a: a.get("NextMarker") if a["Truncated"] else None, "Marker", Limit=7)
    assert sorted(listed) == sorted(made) and len(listed) == len(set(listed))
    assert [len(p) for p in pages] == [7, 7, 7, 4]


def test_list_secrets_pages_each_secret_once_while_secrets_are_added(server):
    sm = server.client("secretsmanager")
    made = [sm.create_secret(Name=f"pages/{i:02d}", SecretString="v")["ARN"] for i in range(25)]
    for order in ("asc", "desc"):
        seen, dates, token, added = [], [], None, []
        while True:
            answer = sm.list_secrets(MaxResults=7, SortOrder=order, **({"NextToken": token} if token else {}))
            seen += [s["ARN"] for s in answer["SecretList"]]
            dates += [s["CreatedDate"] for s in answer["SecretList"]]
            assert len(answer["SecretList"]) == 7 or "NextToken" not in answer
            # Secrets made between pages move no one: each already there is
            # listed exactly once.
            added.append(sm.create_secret(Name=f"pages/{order}-late-{len(added)}", SecretString="v")["ARN"])
            token = answer.get("NextToken")
            if not token:
                break
        assert len(seen) == len(set(seen))
        assert set(made) <= set(seen)
        assert dates == sorted(dates, reverse=order == "desc")
        if order == "asc":
            # Made after the walk started, so later than every page's position.
            assert set(added[:-1]) <= set(seen)
    # A secret scheduled for deletion leaves the list; a page of a filter
    # never holds another name.
    sm.delete_secret(SecretId=made[0], RecoveryWindowInDays=7)
    token, named = None, []
    while True:
        answer = sm.list_secrets(MaxResults=4, Filters=[{"Key": "name", "Values": ["pages/1"]}],
                                 **({"NextToken": token} if token else {}))
        named += [s["Name"] for s in answer["SecretList"]]
        token = answer.get("NextToken")
        if not token:
            break
    assert named == [f"pages/{i}" for i in range(10, 20)]
    assert made[0] not in [s["ARN"] for s in sm.list_secrets(MaxResults=100)["SecretList"]]


def test_list_secrets_refuses_a_forged_token(server):
    import base64
    import botocore.exceptions
    sm = server.client("secretsmanager")
    for token in ("not-a-token", base64.b64encode(b"x:arn").decode(), base64.b64encode(b"12").decode()):
        with pytest.raises(botocore.exceptions.ClientError) as error:
            sm.list_secrets(NextToken=token)
        assert error.value.response["Error"]["Code"] == "InvalidParameterException"
