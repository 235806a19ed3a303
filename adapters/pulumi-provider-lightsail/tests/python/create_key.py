"""Creates one bucket access key through the plugin with Pulumi's own generated stubs, as the engine's
`pulumi up` of a one-key program would (check, configure, check, create), and prints
`{"id": ..., "accessKeyId": ...}` on stdout. The other half of a test in which another engine's
plugin creates a key of the same bucket at the same time.

Environment: PLUGIN, HOME, ENDPOINT_URL, ACCESS_KEY_ID, SECRET_ACCESS_KEY, BUCKET, LOCK_DIRECTORY, and
KEY_CREATORS_SHARE_LOCK (`true` or `false`).
"""

import json
import os
import sys

import grpc
from google.protobuf import struct_pb2
from google.protobuf.json_format import MessageToDict
from pulumi.runtime.proto import provider_pb2

from plugin import Plugin

KEY = "aws:lightsail/bucketAccessKey:BucketAccessKey"
URN = f"urn:pulumi:dev::py::{KEY}::key"


def bag(value):
    s = struct_pb2.Struct()
    s.update(value)
    return s


def main():
    try:
        with Plugin() as plugin:
            stub = plugin.stub
            variables = {
                "aws:region": "us-east-1",
                "aws:accessKey": os.environ["ACCESS_KEY_ID"],
                "aws:secretKey": os.environ["SECRET_ACCESS_KEY"],
                "aws:endpoints": json.dumps([{"lightsail": os.environ["ENDPOINT_URL"]}]),
                "aws:maxRetries": "0",
                "aws:lockDirectory": os.environ["LOCK_DIRECTORY"],
                "aws:keyCreatorsShareLock": os.environ["KEY_CREATORS_SHARE_LOCK"],
            }
            checked = stub.CheckConfig(provider_pb2.CheckRequest(
                urn="urn:pulumi:dev::py::pulumi:providers:aws::default",
                news=bag({k.split(":", 1)[1]: v for k, v in variables.items()})))
            if checked.failures:
                raise SystemExit(f"config refused: {checked.failures}")
            stub.Configure(provider_pb2.ConfigureRequest(variables=variables, acceptSecrets=True))
            inputs = stub.Check(provider_pb2.CheckRequest(urn=URN, olds=bag({}),
                                                          news=bag({"bucketName": os.environ["BUCKET"]}),
                                                          type=KEY)).inputs
            created = stub.Create(provider_pb2.CreateRequest(urn=URN, properties=inputs, type=KEY))
            outputs = MessageToDict(created.properties)
            print(json.dumps({"id": created.id, "accessKeyId": outputs["accessKeyId"]}))
    except grpc.RpcError as e:
        print(f"{e.code()}: {e.details()}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
