"""`python -m lightsail_wasm --version`: this package's version and the component it carries."""

import sys
from importlib import metadata

from . import component_digest


def main(argv):
    if argv != ["--version"]:
        print("usage: python -m lightsail_wasm --version", file=sys.stderr)
        return 2
    try:
        version = metadata.version("lightsail-wasm")
    except metadata.PackageNotFoundError:
        version = "(not installed)"
    digest = component_digest()
    print(f"lightsail-wasm {version} (component {digest or 'none: give load() one'})")
    return 0


sys.exit(main(sys.argv[1:]))
