"""Entry point of the embedded emulator: moto's server with harness patches.

Run as ``python -m harness.emulator.moto_server PORT``. It binds to 127.0.0.1 only.
"""

from __future__ import annotations

import sys


def main() -> None:
    port = int(sys.argv[1])
    from harness.emulator import patches

    patches.apply()
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    print(f"ready {port}", flush=True)
    try:
        sys.stdin.read()  # the harness closes stdin (or dies) to stop us
    finally:
        server.stop()


if __name__ == "__main__":
    main()
