"""Drives the plugin through Pulumi's own generated gRPC stubs (the PyPI `pulumi` package), as the
engine would: launch, preview, up, refresh, import, update, replacement, destroy, for both resource
types, against the local endpoint the calling test started. Also validates the served schema
against Pulumi's package metaschema, and docs/pulumi.md's YAML program against the schema.

Environment: PLUGIN (the binary), ENDPOINT_URL, ACCESS_KEY_ID, SECRET_ACCESS_KEY, METASCHEMA, PULUMI_PAGE;
and for pgpKey: PGP_KEY and EXPIRED_PGP_KEY (base64 public keys), PGP_BUCKET (a bucket of its own) and
PGP_RESULT (a file: the sealed key's checkpoint entry, which the calling test opens with gpg).
"""

import json
import os
import re
import sys

import grpc
import jsonschema
import yaml
from google.protobuf import empty_pb2, struct_pb2
from google.protobuf.json_format import MessageToDict
from pulumi.runtime.proto import plugin_pb2, provider_pb2

from plugin import Plugin

SIG = "4dabf18193072939515e22adb298388d"
SECRET = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
KEY = "aws:lightsail/bucketAccessKey:BucketAccessKey"
BUCKET = "aws:lightsail/bucket:Bucket"
checks = 0


def check(condition, what):
    global checks
    checks += 1
    if not condition:
        raise AssertionError(what)


def bag(value):
    s = struct_pb2.Struct()
    s.update(value)
    return s


def plain(s):
    return MessageToDict(s) if s is not None else {}


def urn(token, name):
    return f"urn:pulumi:dev::py::{token}::{name}"


def validate_schema(schema):
    with open(os.environ["METASCHEMA"]) as f:
        # Python's `re` spells named groups (?P<name>...).
        meta = json.loads(f.read().replace("(?<", "(?P<"))
    jsonschema.Draft202012Validator(meta).validate(schema)
    check(True, "the schema is valid")


def validate_page_program(schema):
    with open(os.environ["PULUMI_PAGE"]) as f:
        page = f.read()
    blocks = re.findall(r"```yaml\n(.*?)```", page, re.S)
    programs = [yaml.safe_load(b) for b in blocks if "resources:" in b]
    check(programs, "docs/pulumi.md has a Pulumi YAML program")
    for program in programs:
        variables = schema["config"]["variables"]
        for key in (program.get("config") or {}):
            name = key.split(":", 1)[1] if key.startswith("aws:") else key
            check(name in variables, f"config key {key} is a setting of the provider")
        for name, resource in program["resources"].items():
            token = resource["type"]
            check(token in schema["resources"], f"{name}: {token} is a resource of the schema")
            inputs = schema["resources"][token]["inputProperties"]
            given = resource.get("properties") or {}
            for prop in given:
                check(prop in inputs, f"{name}: {prop} is an input of {token}")
            for prop in schema["resources"][token].get("requiredInputs", []):
                check(prop in given, f"{name}: the required {prop} is given")


def main():
    with Plugin() as plugin:
        run(plugin.stub)
    check(plugin.code == 0, f"the plugin stops cleanly: {plugin.code} {plugin.stderr}")
    check(os.environ["SECRET_ACCESS_KEY"] not in plugin.stderr, "no credentials in the plugin's log")
    print(f"ok: {checks} checks")


def run(stub):
    info = stub.GetPluginInfo(empty_pb2.Empty())
    check(isinstance(info, plugin_pb2.PluginInfo) and info.version, "a version")
    schema = json.loads(stub.GetSchema(provider_pb2.GetSchemaRequest(version=0)).schema)
    check(schema["name"] == "aws", "the package is aws")
    validate_schema(schema)
    validate_page_program(schema)

    stub.Handshake(provider_pb2.ProviderHandshakeRequest(engine_address="127.0.0.1:9"))
    config = {"region": "us-east-1", "skipRegionValidation": "true"}
    checked = stub.CheckConfig(provider_pb2.CheckRequest(urn="urn:pulumi:dev::py::pulumi:providers:aws::default",
                                                         news=bag(config)))
    check(not checked.failures, f"config accepted: {checked.failures}")
    endpoints = json.dumps([{"lightsail": os.environ["ENDPOINT_URL"]}])
    variables = {"aws:region": "us-east-1", "aws:accessKey": os.environ["ACCESS_KEY_ID"],
                 "aws:secretKey": os.environ["SECRET_ACCESS_KEY"], "aws:endpoints": endpoints}
    configured = stub.Configure(provider_pb2.ConfigureRequest(variables=variables, acceptSecrets=True))
    check(configured.supportsPreview, "previews are supported")

    # Preview of a bucket and a key whose bucket name is not known yet.
    bucket_news = {"name": "py-bucket", "bundleId": "small_1_0"}
    bucket_in = stub.Check(provider_pb2.CheckRequest(urn=urn(BUCKET, "b"), olds=bag({}), news=bag(bucket_news),
                                                     type=BUCKET)).inputs
    key_check = stub.Check(provider_pb2.CheckRequest(urn=urn(KEY, "k"), olds=bag({}),
                                                     news=bag({"bucketName": UNKNOWN}), type=KEY))
    check(not key_check.failures, "an unknown bucket name passes check")
    preview = stub.Create(provider_pb2.CreateRequest(urn=urn(KEY, "k"), properties=key_check.inputs, preview=True,
                                                     type=KEY))
    check(plain(preview.properties)["accessKeyId"] == UNKNOWN, "outputs not known yet are unknown")

    # Up.
    bucket = stub.Create(provider_pb2.CreateRequest(urn=urn(BUCKET, "b"), properties=bucket_in, type=BUCKET))
    check(bucket.id == "py-bucket", "the bucket's id is its name")
    key_in = stub.Check(provider_pb2.CheckRequest(urn=urn(KEY, "k"), olds=bag({}),
                                                  news=bag({"bucketName": "py-bucket"}), type=KEY)).inputs
    key = stub.Create(provider_pb2.CreateRequest(urn=urn(KEY, "k"), properties=key_in, type=KEY))
    secret = plain(key.properties)["secretAccessKey"]
    check(secret[SIG] == SECRET and len(secret["value"]) == 40, "the secret comes back wrapped")

    # Refresh, then import with no diff after.
    refreshed = stub.Read(provider_pb2.ReadRequest(id=key.id, urn=urn(KEY, "k"), properties=key.properties,
                                                   inputs=key_in, type=KEY))
    check(refreshed.id == key.id and plain(refreshed.properties)["secretAccessKey"] == secret, "refresh keeps it")
    imported = stub.Read(provider_pb2.ReadRequest(id=key.id, urn=urn(KEY, "imported"), type=KEY))
    news = stub.Check(provider_pb2.CheckRequest(urn=urn(KEY, "imported"), olds=bag({}), news=imported.inputs,
                                                type=KEY)).inputs
    diff = stub.Diff(provider_pb2.DiffRequest(id=key.id, urn=urn(KEY, "imported"), olds=imported.properties,
                                              news=news, type=KEY))
    check(diff.changes == provider_pb2.DiffResponse.DIFF_NONE, f"no diff after import: {diff}")

    list_keys(stub, key)

    # Replacement of the key, update of the bucket in place.
    diff = stub.Diff(provider_pb2.DiffRequest(id=key.id, urn=urn(KEY, "k"), olds=key.properties,
                                              news=bag({"bucketName": "other-bucket"}), type=KEY))
    check(list(diff.replaces) == ["bucketName"], "a new bucket name replaces the key")
    check(diff.detailedDiff["bucketName"].kind == provider_pb2.PropertyDiff.UPDATE_REPLACE, "detailed diff")
    bigger = bag({"name": "py-bucket", "bundleId": "medium_1_0", "forceDelete": False})
    diff = stub.Diff(provider_pb2.DiffRequest(id="py-bucket", urn=urn(BUCKET, "b"), olds=bucket.properties,
                                              news=bigger, type=BUCKET))
    check(list(diff.diffs) == ["bundleId"] and not diff.replaces, "a bundle changes in place")
    updated = stub.Update(provider_pb2.UpdateRequest(id="py-bucket", urn=urn(BUCKET, "b"), olds=bucket.properties,
                                                     news=bigger, type=BUCKET))
    check(plain(updated.properties)["bundleId"] == "medium_1_0", "the bundle changed")

    pgp_key(stub)

    # Destroy; a second delete of what is gone succeeds; refresh then finds it gone.
    stub.Delete(provider_pb2.DeleteRequest(id=key.id, urn=urn(KEY, "k"), properties=key.properties, type=KEY))
    stub.Delete(provider_pb2.DeleteRequest(id=key.id, urn=urn(KEY, "k"), properties=key.properties, type=KEY))
    gone = stub.Read(provider_pb2.ReadRequest(id=key.id, urn=urn(KEY, "k"), properties=key.properties,
                                              inputs=key_in, type=KEY))
    check(gone.id == "", "gone reads as an empty id")
    stub.Delete(provider_pb2.DeleteRequest(id="py-bucket", urn=urn(BUCKET, "b"), properties=updated.properties,
                                           type=BUCKET))

    # Bad input: named, with the rule.
    bad = stub.Check(provider_pb2.CheckRequest(urn=urn(KEY, "bad"), olds=bag({}), news=bag({"bucketName": "Bad"}),
                                               type=KEY))
    check([f.property for f in bad.failures] == ["bucketName"], f"the failure names the property: {bad.failures}")
    try:
        stub.Read(provider_pb2.ReadRequest(id="nope", urn=urn(KEY, "bad"), type=KEY))
        check(False, "a malformed id is refused")
    except grpc.RpcError as e:
        check(e.code() == grpc.StatusCode.INVALID_ARGUMENT and "id:" in e.details(), f"{e.details()}")


def list_page(stub, query, page_size=0, limit=0, continuation=""):
    """One List call: the ids it streamed, and its continuation token ("" after the last page)."""
    request = provider_pb2.ListRequest(token=KEY, query=bag(query), limit=limit, page_size=page_size,
                                       continuation_token=continuation)
    ids, token, kinds = [], "", []
    for response in stub.List(request):
        kind = response.WhichOneof("response")
        kinds.append(kind)
        if kind == "result":
            ids.append(response.result.id)
        elif kind == "continuation":
            token = response.continuation.continuation_token
    check(all(k == "result" for k in kinds[:len(ids)]) and kinds[len(ids):] in ([], ["continuation"]),
          f"results first, then at most one continuation: {kinds}")
    return ids, token


def list_keys(stub, key):
    """The bucket's two keys through List in pages of one, each id importable by Read; a limit; a
    query not known yet answered Computed; a query the schema does not describe refused."""
    other = stub.Create(provider_pb2.CreateRequest(urn=urn(KEY, "k2"), properties=bag({"bucketName": "py-bucket"}),
                                                   type=KEY))
    query = {"bucketName": "py-bucket"}
    first, token = list_page(stub, query, page_size=1)
    check(len(first) == 1 and token, f"a page of one, and a continuation: {first} {token!r}")
    second, token = list_page(stub, query, page_size=1, continuation=token)
    check(len(second) == 1 and not token, f"the last page: {second} {token!r}")
    check(sorted(first + second) == sorted([key.id, other.id]), f"both keys, once each: {first + second}")
    for listed in first + second:
        found = stub.Read(provider_pb2.ReadRequest(id=listed, urn=urn(KEY, "listed"), type=KEY))
        secret = plain(found.properties).get("secretAccessKey")
        check(found.id == listed and (secret is None or secret.get("value") is None),
              f"a listed id imports, with no secret: {listed}")
    limited, token = list_page(stub, query, limit=1)
    check(len(limited) == 1 and not token, "the limit counts every page")
    everything, _ = list_page(stub, {})
    check(set(first + second) <= set(everything), "every bucket's keys in the region")
    computed = [r.WhichOneof("response") for r in stub.List(provider_pb2.ListRequest(
        token=KEY, query=bag({"bucketName": UNKNOWN})))]
    check(computed == ["computed"], f"an unknown query is Computed: {computed}")
    try:
        list(stub.List(provider_pb2.ListRequest(token=KEY, query=bag({"colour": "red"}))))
        check(False, "a query the schema does not describe is refused")
    except grpc.RpcError as e:
        check(e.code() == grpc.StatusCode.INVALID_ARGUMENT and "colour" in e.details(), f"{e.details()}")
    stub.Delete(provider_pb2.DeleteRequest(id=other.id, urn=urn(KEY, "k2"), properties=other.properties, type=KEY))


def pgp_key(stub):
    """pgpKey: a bad key is named at check; a good one gets the secret only encrypted. What the engine
    would write to its checkpoint for the key (inputs and outputs, as Pulumi's stubs decode them) goes
    to PGP_RESULT; the calling test checks it holds no plain secret, and opens the ciphertext."""
    bucket = os.environ["PGP_BUCKET"]
    expired = stub.Check(provider_pb2.CheckRequest(urn=urn(KEY, "expired"), olds=bag({}), type=KEY,
                                                   news=bag({"bucketName": bucket,
                                                             "pgpKey": os.environ["EXPIRED_PGP_KEY"]})))
    check([f.property for f in expired.failures] == ["pgpKey"] and "has expired" in expired.failures[0].reason,
          f"an expired key is named: {expired.failures}")
    inputs = stub.Check(provider_pb2.CheckRequest(urn=urn(KEY, "sealed"), olds=bag({}), type=KEY,
                                                  news=bag({"bucketName": bucket, "pgpKey": os.environ["PGP_KEY"]})))
    check(not inputs.failures, f"a usable key passes: {inputs.failures}")
    sealed = stub.Create(provider_pb2.CreateRequest(urn=urn(KEY, "sealed"), properties=inputs.inputs, type=KEY))
    outputs = plain(sealed.properties)
    check(outputs.get("secretAccessKey") is None, "no plain secret with pgpKey")
    check(isinstance(outputs.get("encryptedSecretAccessKey"), str), "the ciphertext, not wrapped as a secret")
    with open(os.environ["PGP_RESULT"], "w") as f:
        json.dump({"id": sealed.id, "inputs": plain(inputs.inputs), "outputs": outputs}, f)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAILED after {checks} checks: {e}", file=sys.stderr)
        sys.exit(1)
