# Apache-2.0
"""What every module of the collection shares: its connection options (engine.CONNECTION_OPTIONS),
where the calls go and as whom, and its notes."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  region:
    description:
      - The region of the resource. By default C(AWS_REGION), then C(AWS_DEFAULT_REGION), then the profile's.
    type: str
  profile:
    description: The AWS profile for credentials and region.
    type: str
  endpoint_url:
    description: The Lightsail endpoint to call instead of AWS's (C(AWS_ENDPOINT_URL) works too).
    type: str
    aliases: [aws_endpoint_url]
requirements: [wasmtime, boto3]
notes:
  - Supports check mode (the provider component's preview) and diff mode.
  - Credentials come from boto3's usual chain (environment, profile, instance role).
"""
