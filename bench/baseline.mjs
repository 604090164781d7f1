// The bare baseline: node:http answering one fixed JSON body, nothing else. Whatever a Node.js
// HTTP service does, it cannot answer faster than this on the same machine and load generator.
import { Buffer } from 'node:buffer';
import http from 'node:http';

const body = Buffer.from(JSON.stringify({ userId: 'baseline', login: 'baseline', name: 'Bare node:http' }));

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`baseline listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
