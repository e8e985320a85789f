// Load generator, run as its own process so run.mjs can pin it to a different core than
// the server under test (`taskset -c 1 node bench/load.mjs '<json options>'`).
// Prints autocannon's result as one JSON line on stdout.
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2] ?? '{}');
const result = await autocannon({
  url: options.url,
  method: 'POST',
  headers: {
    authorization: options.authorization,
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  },
  body: 'grant_type=client_credentials&scope=',
  connections: options.connections,
  duration: options.duration,
});
console.log(JSON.stringify(result));
