#!/usr/bin/python
# Apache-2.0
"""The keys of a Lightsail bucket, as the provider component lists them; this file maps Ansible to
its `list`, with amazon.aws.iam_access_key_info's conventions."""

DOCUMENTATION = r"""
module: bucket_access_key_info
short_description: List the access keys of a Lightsail bucket
version_added: 0.2.0
description:
  - Lists the access keys of a bucket (at most two, Lightsail's limit) with their status, creation
    time and last use, as M(amazon.aws.iam_access_key_info) lists a user's keys.
  - Without I(bucket_name), lists the keys of every bucket in the region.
  - Never returns a secret (AWS returns it only when a key is created). Reads only, in check mode too.
options:
  bucket_name:
    description: The bucket whose keys to list; without it, every bucket's in the region.
    type: str
extends_documentation_fragment: [lightsail_wasm.lightsail.connection]
author: lightsail-wasm developers
"""

EXAMPLES = r"""
- name: The keys of a bucket
  lightsail_wasm.lightsail.bucket_access_key_info:
    bucket_name: example-bucket
  register: keys

- name: Keys never used
  ansible.builtin.debug:
    msg: "{{ keys.access_keys | selectattr('last_used.last_used_date', 'none') | map(attribute='id') }}"
"""

RETURN = r"""
access_keys:
  description: The keys found, oldest first within a bucket.
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: "The key's id (C(BUCKET,ACCESS_KEY_ID), with C(@REGION) outside the default region), which imports it.", type: str}
    access_key_id: {description: The access key id., type: str}
    bucket_name: {description: The bucket., type: str}
    region: {description: The region., type: str}
    status: {description: Active or Inactive., type: str}
    created_at: {description: RFC 3339 time it was created., type: str}
    last_used:
      description: When, where and with which service it was last used; C(last_used_date) is null for a key never used.
      type: dict
"""

from ansible_collections.lightsail_wasm.lightsail.plugins.module_utils import engine as e

TOKEN = "aws:lightsail/bucketAccessKey:BucketAccessKey"


def main():
    module = e.module_of(dict(bucket_name=dict(type="str")))
    p = module.params
    provider = e.provider(module)
    query = {"bucketName": p["bucket_name"], "region": p["region"]}
    try:
        keys = e.listed(provider, TOKEN, {k: v for k, v in query.items() if v is not None})
    except e.lightsail_wasm.ProviderError as error:
        e.fail(module, error)
    module.exit_json(changed=False, access_keys=keys)


if __name__ == "__main__":
    main()
