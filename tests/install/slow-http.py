# SPDX-License-Identifier: GPL-3.0-or-later
# A static HTTP server on 127.0.0.1 that sends files slowly (64 KiB every
# 20 ms), so a test can cancel a download while it is under way.
# With --tls CERT KEY it speaks HTTPS (for the certificate error path).
# Usage: slow-http.py PORT DIRECTORY [--tls CERT KEY]
import functools
import http.server
import ssl
import sys
import time


class SlowHandler(http.server.SimpleHTTPRequestHandler):
    def copyfile(self, source, outputfile):
        while True:
            chunk = source.read(64 * 1024)
            if not chunk:
                break
            try:
                outputfile.write(chunk)
                outputfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.02)

    def log_message(self, *args):
        pass


def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    handler = functools.partial(SlowHandler, directory=directory)
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        if len(sys.argv) == 6 and sys.argv[3] == "--tls":
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[4], sys.argv[5])
            server.socket = context.wrap_socket(server.socket, server_side=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
