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
    aliases: [aws_endpoint_url, ec2_url]
  access_key:
    description:
      - The AWS access key id every call is signed with; without it, boto3's usual chain decides.
      - Mutually exclusive with I(profile).
    type: str
    aliases: [aws_access_key_id, aws_access_key, ec2_access_key]
  secret_key:
    description: The secret of I(access_key).
    type: str
    aliases: [aws_secret_access_key, aws_secret_key, ec2_secret_key]
  session_token:
    description: The session token of temporary credentials.
    type: str
    aliases: [aws_session_token, security_token, aws_security_token]
requirements: [wasmtime, boto3]
notes:
  - Supports check mode (the provider component's preview) and diff mode.
  - Without I(access_key) or I(profile), credentials come from boto3's usual chain (environment,
    shared files, instance role).
  - The options can be set once for every module of the collection with
    C(module_defaults) and the group C(group/lightsail_wasm.lightsail.lightsail).
"""
