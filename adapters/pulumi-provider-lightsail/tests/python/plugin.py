"""The plugin, launched as the Pulumi engine launches it, for the scripts beside this one.

    with Plugin() as plugin:
        plugin.stub.GetSchema(...)
    plugin.code, plugin.stderr  # once it has stopped

Environment: PLUGIN (the binary) and HOME.
"""

import os
import subprocess
import tempfile

import grpc
from pulumi.runtime.proto import provider_pb2_grpc


class Plugin:
    def __enter__(self):
        # Its log goes to a file: a pipe nobody reads while it works would fill and stop it.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [os.environ["PLUGIN"], "--logtostderr", "-v=1", "127.0.0.1:9"],
            stdout=subprocess.PIPE,
            stderr=self.log,
            env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ["HOME"], "AWS_EC2_METADATA_DISABLED": "true",
                 "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"},
        )
        try:
            port = int(self.process.stdout.readline().decode().strip())
            self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)
        return self

    def __exit__(self, *_):
        if getattr(self, "channel", None) is not None:
            self.channel.close()
        # Stopped as the engine stops it.
        self.process.terminate()
        self.code = self.process.wait(timeout=60)
        self.log.seek(0)
        self.stderr = self.log.read().decode()
        self.log.close()
        return False
