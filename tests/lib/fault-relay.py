#!/usr/bin/python3
"""fault-relay.py - an SMTP relay that misbehaves on purpose, for the smtp
transport's fault tests (tests/e2e/t-smtp-faults.sh).

    fault-relay.py PORT LOG [--max-per-conn K] [--drop-after-dot ADDRESS]
                   [--drop-before-dot ADDRESS] [--keep DIR]
                   [--fill-after K --fill-file FILE]

Offers PIPELINING, accepts every RCPT, and appends "RECIPIENT" to LOG for
each message whose final dot it read (before it replies, so a message is in
LOG exactly when it was delivered).  With --keep, each such message is
also written whole (dot-unstuffed, LF line ends) to DIR/RECIPIENT/N, the
recipient's copy, before the reply.  With --fill-after, the K-th message
fills the file system of FILE (zeros written to FILE until it is full):
the disk of the state directory filling as the copies go out
(tests/e2e/t-disk-full.sh).  Faults:
  --max-per-conn K      a MAIL after K messages on one connection gets
                        "421 too many messages" and the connection closes
                        (Exim's smtp_accept_max_per_connection)
  --drop-after-dot A    the first message for A is logged, then the
                        connection closes without a reply to its dot
  --drop-before-dot A   the first time the data for A arrives, the
                        connection closes before its dot: not delivered
"""
import asyncio
import os
import sys


def main():
    port, log = int(sys.argv[1]), sys.argv[2]
    args = sys.argv[3:]
    opts = {}
    while args:
        opts[args[0]] = args[1]
        args = args[2:]
    max_per_conn = int(opts.get("--max-per-conn", "0"))
    drop_after = {opts["--drop-after-dot"]} if "--drop-after-dot" in opts else set()
    drop_before = {opts["--drop-before-dot"]} if "--drop-before-dot" in opts else set()
    keep = opts.get("--keep")
    fill_after = int(opts.get("--fill-after", "0"))
    fill_file = opts.get("--fill-file")
    delivered = [0]

    def deliver(rcpt, data):
        with open(log, "a") as f:
            f.write(rcpt + "\n")
        if keep:
            d = os.path.join(keep, rcpt)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "%d.%d" % (os.getpid(), delivered[0])), "wb") as f:
                f.write(b"".join(data))
        delivered[0] += 1
        if fill_after and delivered[0] == fill_after:
            try:
                with open(fill_file, "ab") as f:
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
            except OSError:
                pass

    async def session(reader, writer):
        writer.write(b"220 fault-relay ESMTP\r\n")
        messages, rcpt, in_data, data = 0, None, False, []
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                text = line.rstrip(b"\r\n").decode("utf-8", "replace")
                if in_data:
                    if rcpt in drop_before:
                        drop_before.discard(rcpt)
                        break
                    if text == ".":
                        in_data = False
                        messages += 1
                        deliver(rcpt, data)
                        if rcpt in drop_after:
                            drop_after.discard(rcpt)
                            break
                        writer.write(b"250 queued\r\n")
                    else:
                        raw = line.rstrip(b"\r\n")
                        data.append((raw[1:] if raw.startswith(b"..") else raw) + b"\n")
                    continue
                verb = text[:4].upper()
                if verb in ("EHLO", "HELO"):
                    writer.write(b"250-fault-relay\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
                elif verb == "MAIL":
                    if max_per_conn and messages >= max_per_conn:
                        writer.write(b"421 too many messages in one connection\r\n")
                        await writer.drain()
                        break
                    writer.write(b"250 sender ok\r\n")
                elif verb == "RCPT":
                    rcpt = text[text.index("<") + 1:text.index(">")]
                    writer.write(b"250 recipient ok\r\n")
                elif verb == "DATA":
                    in_data, data = True, []
                    writer.write(b"354 go ahead\r\n")
                elif verb == "RSET":
                    writer.write(b"250 reset\r\n")
                elif verb == "QUIT":
                    writer.write(b"221 bye\r\n")
                    await writer.drain()
                    break
                else:
                    writer.write(b"500 what\r\n")
                await writer.drain()
        except (ConnectionError, ValueError):
            pass
        writer.close()

    async def serve():
        server = await asyncio.start_server(session, "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


main()
