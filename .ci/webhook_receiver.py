"""A webhook receiver that checks every signature with someone else's code:
the `standardwebhooks` package (the Standard Webhooks reference library for
Python), not thidua's own signer or its test verifier.

Run by .ci/webhook-verify.sh: it listens on 127.0.0.1, verifies each POST
with every secret it was told (`--secret`, repeatable: during a rotation's
overlap a delivery carries two signatures and each secret must verify it
alone), and appends one JSON line per delivery to `--out`:
{"id", "type", "verified": [bool per secret], "body"}.
"""

import argparse
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--secrets-file", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            with open(args.secrets_file) as f:
                secrets = [s.strip() for s in f if s.strip()]
            verified = []
            for secret in secrets:
                try:
                    Webhook(secret).verify(body, headers)
                    verified.append(True)
                except Exception:
                    verified.append(False)
            event = json.loads(body)
            with open(args.out, "a") as f:
                f.write(json.dumps({
                    "id": headers.get("webhook-id"),
                    "type": event.get("type"),
                    "signatures": headers.get("webhook-signature", "").count("v1,"),
                    "verified": verified,
                }) + "\n")
            self.send_response(204)
            self.end_headers()

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.port_file, "w") as f:
        f.write(str(server.server_address[1]))
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
