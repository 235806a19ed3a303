#!/usr/bin/python
# Apache-2.0
"""Which provider component this collection carries: its digest, as the release's SHA256SUMS
lists `provider.wasm`. No AWS call."""

DOCUMENTATION = r"""
module: component_info
short_description: Name the provider component the modules run
version_added: 0.3.0
description:
  - Returns the SHA-256 digest of the provider component (the C(.wasm)) inside this collection, the
    one every module of it runs. A release's C(SHA256SUMS) lists the same digest for C(provider.wasm),
    and the Terraform and Pulumi plugins of that release name it in their C(--version).
  - Makes no AWS call and takes no options. Runs in check mode too.
options: {}
author: lightsail-wasm developers
"""

EXAMPLES = r"""
- name: The component this collection runs
  lightsail_wasm.lightsail.component_info:
  register: component
"""

RETURN = r"""
digest:
  description: C(sha256:) and the hex SHA-256 of the component's bytes.
  returned: always
  type: str
  sample: sha256:8a656d84a355adad36e5f1bb7b9db4b4b081e2c13249122db463e7015e391bf2
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lightsail_wasm.lightsail.plugins.module_utils import engine as e


def main():
    module = AnsibleModule(argument_spec={}, supports_check_mode=True)
    module.exit_json(changed=False, digest=e.component_digest(module))


if __name__ == "__main__":
    main()
