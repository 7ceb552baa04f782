"""The checkout service, release 1.1.0: the artifact the pipeline ships."""

import json

RELEASE = "1.1.0"


def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"release": RELEASE, "ok": True})}
