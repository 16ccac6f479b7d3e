"""A tiny HTTP endpoint: POST an image, get the top classes back as JSON."""
import io
import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

from PIL import Image, UnidentifiedImageError

from edgecls.model import Classifier

FORCE_CPU = os.environ.get("EDGECLS_FORCE_CPU") == "1"
CLASSIFIER = Classifier(use_gpu=False if FORCE_CPU else None)
MAX_BYTES = 8 * 1024 * 1024


class Handler(BaseHTTPRequestHandler):
    def _reply(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        if not 0 < length <= MAX_BYTES:
            self._reply(413, {"error": "image missing or too large"})
            return
        try:
            image = Image.open(io.BytesIO(self.rfile.read(length)))
        except UnidentifiedImageError:
            self._reply(400, {"error": "not an image"})
            return
        top = CLASSIFIER.classify(image)
        self._reply(200, {"model": CLASSIFIER.name,
                          "top": [{"class": i, "prob": round(p, 4)} for i, p in top]})


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8080"))
    HTTPServer(("0.0.0.0", port), Handler).serve_forever()
