import { performance } from 'node:perf_hooks';
import { PGlite, protocol, parse } from '@electric-sql/pglite';
const db = await PGlite.create('memory://');
const { serialize } = protocol as any;
await db.exec(`CREATE TABLE h (u text, s text, head bigint, primary key (u,s)); INSERT INTO h VALUES ('u','s',0)`);
const text = `UPDATE h SET head = head + $3 WHERE u = $1 AND s = $2 RETURNING head`;
async function time(label: string, fn: () => Promise<unknown>, n = 1000) {
  for (let i = 0; i < 50; i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  console.log(label, ((performance.now() - t0) / n).toFixed(3), 'ms');
}
// prepare
const prep = await db.execProtocol(concat([serialize.parse({ name: 'st1', text }), serialize.describe({ type: 'S', name: 'st1' }), serialize.sync()]));
const paramTypes = parse.parseDescribeStatementResults(prep.messages);
console.log('paramTypes', paramTypes);
const ser = (db as any).serializers;
function concat(parts: Uint8Array[]) { const n = parts.reduce((a, p) => a + p.length, 0); const out = new Uint8Array(n); let o = 0; for (const p of parts) { out.set(p, o); o += p.length; } return out; }
async function raw(params: unknown[]) {
  const values = params.map((v, i) => (v == null ? null : ser[paramTypes[i]!] ? ser[paramTypes[i]!](v) : String(v)));
  const msg = concat([serialize.bind({ statement: 'st1', values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]);
  const r = await db.execProtocol(msg);
  return parse.parseResults(r.messages, (db as any).parsers)[0];
}
console.log(await raw(['u', 's', 1]));
for (let k = 0; k < 2; k++) {
  await time('query()', () => db.query(text, ['u', 's', 1]));
  await time('raw prepared', () => raw(['u', 's', 1]));
}
await db.close();
