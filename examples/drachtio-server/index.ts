// rxsip serving the drachtio wire protocol to drachtio-srf apps, on its embedded engine.
//   npm run example -- drachtio-server --listen 127.0.0.1:5060 --admin 127.0.0.1:9022 --secret cymru
//   (a drachtio-srf app: new Srf().connect({ host: '127.0.0.1', port: 9022, secret: 'cymru' }))
// With --outbound host:port, an app that listens (srf.listen) is dialled for each new call.
import { exampleArgs, fail, runUntilSignal } from '../common.js';
import { drachtioServerApp, parseHostPort } from './app.js';

const name = 'drachtio-server';
const args = exampleArgs(name, 'serves the drachtio protocol: drachtio-srf apps run on rxsip', {
  admin: { type: 'string', default: '127.0.0.1:9022', description: 'host:port apps connect to' },
  secret: { type: 'string', description: 'the secret apps authenticate with (required)' },
  outbound: { type: 'string', description: 'host:port of an app that listens, dialled for each new call' },
});
const secret = args.values.secret;
if (typeof secret !== 'string' || secret === '') fail(name, '--secret is required');
const admin = parseHostPort(String(args.values.admin));
if (!admin) fail(name, `--admin: expected host:port, got "${args.values.admin}"`);
const outboundText = args.values.outbound;
const outbound = typeof outboundText === 'string' ? parseHostPort(outboundText) : undefined;
if (typeof outboundText === 'string' && !outbound)
  fail(name, `--outbound: expected host:port, got "${outboundText}"`);
const server = await drachtioServerApp({
  listen: args.listen,
  engine: args.engine,
  admin,
  secret,
  ...(outbound ? { outbound } : {}),
  log: args.logger,
});
runUntilSignal(server, args);
