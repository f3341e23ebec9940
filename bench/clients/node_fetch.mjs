// The Node baseline of bench/sidebyside.sh: Node's built-in fetch (undici) with a worker pool.
//
// Usage: node node_fetch.mjs LIST CONCURRENCY
// CONCURRENCY workers pull the next URL from one shared index until the list is done, so at
// most CONCURRENCY requests are in flight; each body is read and discarded. Prints the number
// of 2xx responses on stdout. A failed request is counted as not 2xx (its error goes to
// stderr), so the script always finishes. fetch's default dispatcher keeps connections alive
// and opens as many per origin as there are requests in flight, so C workers use C connections.
import { readFileSync } from 'node:fs';

const [path, concurrencyArg] = process.argv.slice(2);
const concurrency = Number.parseInt(concurrencyArg, 10);
const urls = readFileSync(path, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '');

let next = 0;
let ok = 0;

async function worker() {
  // Single-threaded: next++ between awaits cannot race.
  while (next < urls.length) {
    const url = urls[next++];
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) ok++;
    } catch (e) {
      console.error(`${url}: ${e.cause?.code ?? e.name}: ${e.message}`);
    }
  }
}

await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, worker));
console.log(ok);
