#!/usr/bin/env python3
"""Records real client requests for the fuzz seeds (see README.md, "Captured seeds").

A TLS-terminating relay on 127.0.0.1: clients (aws-cli, boto3, curl) connect to it with
--no-verify-ssl, it forwards every byte both ways to a FastS3 server on 127.0.0.1, and when a
connection closes it splits what the client sent into single requests (Content-Length and chunked
framing) and writes each, byte-exact, to OUT_DIR/NNN-METHOD.bin.

usage: capture.py LISTEN_PORT UPSTREAM_PORT CERT_FILE KEY_FILE OUT_DIR
"""
import itertools
import os
import socket
import ssl
import sys
import threading

LOOPBACK = "127.0.0.1"
counter = itertools.count(1)
counter_lock = threading.Lock()


def split_requests(data):
    """Yields each request (head and body as sent) in a connection's client bytes."""
    while data:
        head_end = data.find(b"\r\n\r\n")
        if head_end < 0:
            yield data
            return
        head = data[:head_end + 4]
        fields = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            fields[name.strip().lower()] = value.strip()
        end = head_end + 4
        if fields.get(b"transfer-encoding", b"").lower() == b"chunked":
            while True:
                line_end = data.index(b"\r\n", end)
                size = int(data[end:line_end].split(b";")[0], 16)
                end = line_end + 2
                if size == 0:
                    end = data.index(b"\r\n\r\n", end - 2) + 4
                    break
                end += size + 2
        else:
            end += int(fields.get(b"content-length", b"0"))
        yield data[:end]
        data = data[end:]


def pump(source, destination, record):
    try:
        while chunk := source.recv(65536):
            if record is not None:
                record.append(chunk)
            destination.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in (source, destination):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def relay(client, upstream_port, out_dir):
    upstream_context = ssl.create_default_context()
    upstream_context.check_hostname = False
    upstream_context.verify_mode = ssl.CERT_NONE
    upstream = upstream_context.wrap_socket(socket.create_connection((LOOPBACK, upstream_port)), server_hostname="localhost")
    sent = []
    back = threading.Thread(target=pump, args=(upstream, client, None))
    back.start()
    pump(client, upstream, sent)
    back.join()
    for request in split_requests(b"".join(sent)):
        with counter_lock:
            number = next(counter)
        method = request.split(b" ", 1)[0].decode("ascii", "replace")
        with open(os.path.join(out_dir, f"{number:03d}-{method}.bin"), "wb") as file:
            file.write(request)


def main():
    listen_port, upstream_port, cert, key, out_dir = sys.argv[1:6]
    os.makedirs(out_dir, exist_ok=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server((LOOPBACK, int(listen_port)))
    while True:
        raw, _ = listener.accept()
        try:
            client = context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            continue
        threading.Thread(target=relay, args=(client, int(upstream_port), out_dir), daemon=True).start()


if __name__ == "__main__":
    main()
