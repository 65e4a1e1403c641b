// Starts kinesalite (an in-memory Kinesis API) on loopback for the Kinesis delivery tests.
// Usage: node server.js [port]   (port 0 or none: any free port). Prints the port on stdout,
// then serves until killed. It also stops when its parent closes stdin, so a crashed test
// run does not leave it behind.
'use strict';
const kinesalite = require('kinesalite');

const port = Number(process.argv[2] || 0);
const server = kinesalite({ createStreamMs: 50, deleteStreamMs: 50, updateStreamMs: 50, shardLimit: 50 });
server.listen(port, '127.0.0.1', (err) => {
  if (err) {
    console.error(err);
    process.exit(1);
  }
  process.stdout.write(`${server.address().port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
