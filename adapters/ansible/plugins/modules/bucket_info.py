#!/usr/bin/python
# Apache-2.0
"""The buckets of a region, as the provider component lists them; this file maps Ansible to its
`list`, with amazon.aws's info module conventions."""

DOCUMENTATION = r"""
module: bucket_info
short_description: List the Lightsail buckets of a region
version_added: 0.2.0
description:
  - Lists the buckets of a region with their bundle, tags and URL.
  - With I(name), only that bucket (an empty list when there is none). Reads only, in check mode too.
options:
  name:
    description: Only the bucket of this name.
    type: str
extends_documentation_fragment: [lightsail_wasm.lightsail.connection]
author: lightsail-wasm developers
"""

EXAMPLES = r"""
- name: The buckets of the region
  lightsail_wasm.lightsail.bucket_info:
    region: eu-west-1
  register: found
"""

RETURN = r"""
buckets:
  description: The buckets found.
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: "The bucket's id (its name, with C(@REGION) outside the default region), which imports it.", type: str}
    name: {description: The name., type: str}
    bundle_id: {description: The bundle., type: str}
    region: {description: The region., type: str}
    url: {description: The bucket's URL., type: str}
    tags_all: {description: Every tag it carries., type: dict}
    created_at: {description: RFC 3339 time it was created., type: str}
"""

from ansible_collections.lightsail_wasm.lightsail.plugins.module_utils import engine as e

TOKEN = "aws:lightsail/bucket:Bucket"


def main():
    module = e.module_of(dict(name=dict(type="str")))
    p = module.params
    provider = e.provider(module)
    query = {"region": p["region"]} if p["region"] else {}
    try:
        buckets = e.listed(provider, TOKEN, query)
    except e.lightsail_wasm.ProviderError as error:
        e.fail(module, error)
    if p["name"] is not None:
        buckets = [b for b in buckets if b["name"] == p["name"]]
    module.exit_json(changed=False, buckets=buckets)


if __name__ == "__main__":
    main()
