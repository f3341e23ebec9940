"""The hand-rolled Python baseline of bench/sidebyside.sh: aiohttp + asyncio.Semaphore(C).

Usage: python3 aiohttp_fetch.py LIST CONCURRENCY
Fetches every URL of LIST (one a line) with at most CONCURRENCY requests in flight, reading and
discarding each body, and prints the number of 2xx responses on stdout. A failed request is
counted as not 2xx (its error goes to stderr), so the script always finishes.

This is the script people write: one task per URL, a semaphore as the cap, one ClientSession
whose connector allows as many connections as the semaphore (so keep-alive connections are
reused and never more than C are open).
"""
import asyncio
import sys

import aiohttp


async def main(path, concurrency):
    with open(path, encoding="utf-8") as f:
        urls = [line.strip() for line in f if line.strip()]
    sem = asyncio.Semaphore(concurrency)
    ok = 0

    async def one(session, url):
        nonlocal ok
        async with sem:
            try:
                async with session.get(url) as response:
                    await response.read()
                    if 200 <= response.status < 300:
                        ok += 1
            except (aiohttp.ClientError, asyncio.TimeoutError) as e:
                print(f"{url}: {type(e).__name__}: {e}", file=sys.stderr)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(one(session, url) for url in urls))
    print(ok)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
