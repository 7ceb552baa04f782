"""Entry point of the embedded emulator: moto's server with harness patches.

Run as ``python -m harness.emulator.moto_server PORT [--unix PATH]``. It binds to
127.0.0.1 only; with ``--unix`` it also serves the same backends on a Unix socket (how
the harness reaches it when it runs inside a run's network namespace).
"""

from __future__ import annotations

import logging
import os
import sys
import threading


def main() -> None:
    port = int(sys.argv[1])
    unix_path = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--unix" else None
    # First line on stdin: "guard TOKEN on|off" (harness.emulator.guard); the token never
    # appears in an argument or the environment, where another process could read it.
    first = sys.stdin.readline().split()
    token, guarded = (first[1], first[2] == "on") if len(first) == 3 else ("", False)
    from harness.emulator import patches
    from harness.emulator.guard import WriteGuard

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
    app = WriteGuard(DomainDispatcherApplication(create_backend_app), token, guarded)
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
    servers = [server]
    if unix_path:
        # The same app object: one set of backends answers on both sockets.
        unix = make_server(
            f"unix://{unix_path}", 0, app, threaded=True, request_handler=MotoRequestHandler
        )
        servers.append(unix)
    # moto's modules and the patches live as long as the server: keep the garbage
    # collector from scanning them on every collection of a request's garbage.
    import gc

    gc.freeze()
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print(f"ready {port}", flush=True)
    try:
        sys.stdin.read()  # the harness closes stdin (or dies) to stop us
    finally:
        for s in servers:
            s.shutdown()
        # Nothing to save: skip the interpreter's final garbage collection of moto's
        # backends (2-3 s of a run's teardown, measured).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
