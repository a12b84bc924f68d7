"""No PostgreSQL parameter group names a command, a library, a file or a
connection for the server: a command set there ran as the engine's user,
which every PostgreSQL instance of the host shares, and so reached the other
instances' files (recovery_end_command runs at the end of every restore).
Nor may a group turn off what keeps a commit durable."""
import botocore.exceptions
import pytest

REFUSED = ["recovery_end_command", "archive_cleanup_command", "session_preload_libraries",
           "local_preload_libraries", "dynamic_library_path", "jit_provider", "krb_server_keyfile",
           "primary_conninfo", "primary_slot_name", "promote_trigger_file", "cluster_name",
           "recovery_target_time", "recovery_target_action", "fsync", "full_page_writes",
           "extension_destdir"]  # Debian's: where extensions' files are looked for


@pytest.fixture(scope="module")
def rds(kura_factory):
    client = kura_factory().client("rds")
    client.create_db_parameter_group(DBParameterGroupName="commands", DBParameterGroupFamily="postgres15",
                                     Description="what a tenant may not set")
    return client


@pytest.mark.parametrize("name", REFUSED)
def test_a_group_cannot_set_it(rds, name):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.modify_db_parameter_group(DBParameterGroupName="commands", Parameters=[
            {"ParameterName": name, "ParameterValue": "id > /tmp/kura-pwned", "ApplyMethod": "pending-reboot"}])
    error = info.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("InvalidParameterValue", f"The parameter {name} cannot be modified.")


def test_describe_shows_them_not_modifiable_and_the_rest_still_is(rds):
    pages = rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName="commands")
    modifiable = {p["ParameterName"]: p["IsModifiable"] for page in pages for p in page["Parameters"]}
    assert not any(modifiable[name] for name in REFUSED if name in modifiable)
    assert {"recovery_end_command", "session_preload_libraries", "fsync"} <= set(modifiable)
    assert modifiable["work_mem"] and modifiable["synchronous_commit"]
    rds.modify_db_parameter_group(DBParameterGroupName="commands", Parameters=[
        {"ParameterName": "work_mem", "ParameterValue": "8192", "ApplyMethod": "immediate"}])
