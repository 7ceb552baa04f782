"""Entry point of the embedded emulator: moto's server with harness patches.

Run as ``python -m harness.emulator.moto_server PORT``. It binds to 127.0.0.1 only.
"""

from __future__ import annotations

import logging
import sys
import threading


def main() -> None:
    port = int(sys.argv[1])
    from harness.emulator import patches

    patches.apply()
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    # werkzeug logs one line per request to stderr; nobody reads them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # Bind here, in the main thread, rather than through moto's ThreadedMotoServer: it
    # binds in a background thread and, when the bind fails (port in use), waits forever.
    server = make_server(
        "127.0.0.1",
        port,
        DomainDispatcherApplication(create_backend_app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"ready {port}", flush=True)
    try:
        sys.stdin.read()  # the harness closes stdin (or dies) to stop us
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
